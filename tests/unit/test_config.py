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
    assert (c.max_queue_size, c.user_max_active, c.user_max_running, c.rate_limit) == (1000, 200, 10, (20, 60))
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
        ({"USER_MAX_RUNNING": "0"}, "USER_MAX_RUNNING"),
        ({"ZHIHU_ACCOUNT_CONCURRENCY": "-1"}, "ZHIHU_ACCOUNT_CONCURRENCY"),
        ({"DEMO_MIN_INTERVAL": "soon"}, "DEMO_MIN_INTERVAL"),
    ],
)
def test_impossible_values_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env).validate()


def test_platform_account_pacing_defaults_and_settings(tmp_path) -> None:
    from app.platforms import build_platforms

    defaults = build_platforms(Config.from_env({"INSTANCE_PATH": str(tmp_path)}).validate())
    assert (defaults["demo"].pacing.concurrency, defaults["demo"].pacing.min_interval) == (0, 0)
    assert (defaults["zhihu"].pacing.concurrency, defaults["zhihu"].pacing.min_interval) == (1, 30)
    env = {"INSTANCE_PATH": str(tmp_path), "ZHIHU_ACCOUNT_CONCURRENCY": "2", "ZHIHU_MIN_INTERVAL": "60"}
    env |= {"DEMO_ACCOUNT_CONCURRENCY": "3", "DEMO_MIN_INTERVAL": "5"}
    tuned = build_platforms(Config.from_env(env).validate())
    assert (tuned["zhihu"].pacing.concurrency, tuned["zhihu"].pacing.min_interval) == (2, 60)
    assert tuned["zhihu"].pacing.jitter == 30
    assert (tuned["demo"].pacing.concurrency, tuned["demo"].pacing.min_interval) == (3, 5)


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


def test_blank_values_mean_the_default_and_text_is_trimmed(tmp_path) -> None:
    env = {"INSTANCE_PATH": str(tmp_path), "PORT": " ", "HOST": "  ", "LOG_LEVEL": " debug ", "PUBLIC_URL": "http://x/"}
    c = Config.from_env(env).validate()
    assert (c.port, c.host, c.log_level, c.public_url) == (8000, "127.0.0.1", "DEBUG", "http://x")


def test_testing_is_never_read_from_the_environment() -> None:
    assert Config.from_env({"TESTING": "1"}).testing is False


def test_every_setting_is_described() -> None:
    assert all(field.description for field in Config.model_fields.values())
