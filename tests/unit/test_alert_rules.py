"""docs/alerts.yml: well-formed rules about metrics /metrics really has (and promtool's own checks)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from app import create_app
from config import TestConfig

DOCS = Path(__file__).resolve().parents[2] / "docs"
RULES = yaml.safe_load((DOCS / "alerts.yml").read_text())
EXPECTED = {
    "ExamgenQueueStuck",
    "ExamgenFailureRateHigh",
    "ExamgenNoBrowser",
    "ExamgenAccountExpired",
    "ExamgenDiskFilling",
}


def rules() -> list[dict]:
    return [rule for group in RULES["groups"] for rule in group["rules"]]


def test_every_rule_is_complete_and_the_issues_alerts_are_there() -> None:
    assert [g["name"] for g in RULES["groups"]] == ["examgen"]
    names = [r["alert"] for r in rules()]
    assert len(names) == len(set(names)) and set(names) >= EXPECTED
    for rule in rules():
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["expr"].strip() and re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]


def test_the_rules_use_only_metrics_the_server_exports(tmp_path: Path) -> None:
    app = create_app(TestConfig.for_dir(tmp_path / "instance", admin_token="t" * 20), start=False)
    try:
        app.extensions["examgen_metrics"].observe_job(
            "publish", "success", 1.0, "demo"
        )  # labelled series appear once used
        exported = app.test_client().get("/metrics").get_data(as_text=True)
    finally:
        app.extensions["examgen"].db.dispose()
    names = {line.split("{")[0].split(" ")[0] for line in exported.splitlines() if line and not line.startswith("#")}
    used = {m for rule in rules() for m in re.findall(r"\b((?:examgen|process)_[a-z_]+)", rule["expr"])}
    assert used and used <= names, used - names


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (Debian: prometheus)")
def test_promtool_accepts_the_rules_and_their_unit_tests() -> None:
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]):
        done = subprocess.run(["promtool", *args], cwd=DOCS, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
