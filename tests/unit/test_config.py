"""Configuration: defaults, validation, and one clear line for an impossible value."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import ROOT

from config import Config, ConfigError, parse_rate


def test_defaults_follow_the_contract(tmp_path) -> None:
    c = Config.from_env({"INSTANCE_PATH": str(tmp_path)}).validate()
    assert (c.host, c.port, c.max_concurrent_jobs, c.driver_pool_size) == ("127.0.0.1", 8000, 5, 5)
    assert (c.max_queue_size, c.user_max_active, c.rate_limit) == (1000, 10, (20, 60))
    assert c.database_url == f"sqlite:///{tmp_path}/examgen.db"
    assert c.public_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAX_CONCURRENT_JOBS": "4", "DRIVER_POOL_SIZE": "2"}, "must not be smaller than"),
        ({"MAX_CONCURRENT_JOBS": "-1"}, "must not be negative"),
        ({"MAX_CONCURRENT_JOBS": "many"}, "whole number"),
        ({"DATABASE_URL": "oracle://x"}, "unknown scheme"),
        ({"USER_RATE_LIMIT": "lots"}, "20/minute"),
        ({"PORT": "70000"}, "PORT"),
        ({"DEMO_PLATFORM": "maybe"}, "DEMO_PLATFORM"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_impossible_values_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env).validate()


def test_rates_parse() -> None:
    assert parse_rate("20/minute") == (20, 60)
    assert parse_rate("5/10second") == (5, 10)
    assert parse_rate("100 / hour") == (100, 3600)


def test_the_server_stops_at_start_with_one_line_and_exit_code_2(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "INSTANCE_PATH": str(tmp_path), "MAX_CONCURRENT_JOBS": "8", "DRIVER_POOL_SIZE": "2"}
    proc = subprocess.run([sys.executable, "run.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "DRIVER_POOL_SIZE (2) must not be smaller than MAX_CONCURRENT_JOBS (8)" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout
