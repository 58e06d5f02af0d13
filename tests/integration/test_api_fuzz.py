"""Schemathesis against the real WSGI app: no 5xx, and every answer is what /api/openapi.json says."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import ADMIN_TOKEN, free_port

from app import create_app
from config import TestConfig

pytestmark = [
    pytest.mark.timeout(240),
    # schemathesis' own strategies use `random`; not ours to fix
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
MAX_EXAMPLES = 18  # per operation and mode: ~800 requests


@pytest.fixture
def app(instance: Path) -> Iterator[Flask]:
    """The app with its dispatcher running (realism), one job at a time."""
    # nothing listens on this free port: the jobs' browsers reach no platform, and no other server either
    config = TestConfig.for_dir(
        instance, port=free_port(), max_concurrent_jobs=1, admin_token=ADMIN_TOKEN, admin_password="admin-pw-1"
    )
    flask_app = create_app(config)
    try:
        yield flask_app
    finally:
        flask_app.extensions["examgen"].server.stop(grace=2)


def _seed(app: Flask) -> tuple[str, dict[str, Any]]:
    """A regular user with a demo account and one real job: (token, path parameters of real objects)."""
    client = app.test_client()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    made = client.post("/api/users", json={"username": "fuzzer", "password": "fuzzer-pw-1"}, headers=admin)
    assert made.status_code == 201, made.get_json()
    token = made.get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    cookies = [{"name": "demo_user", "value": "fuzzer"}]
    saved = client.post("/api/accounts", json={"platform": "demo", "cookies": cookies}, headers=auth)
    assert saved.status_code == 201, saved.get_json()
    article = {"title": "Fuzz seed", "content": "A real job for the fuzzer to poke at"}
    queued = client.post("/api/jobs/publish", json={"platform": "demo", "articles": [article]}, headers=auth)
    assert queued.status_code == 202, queued.get_json()
    return token, {"job_id": queued.get_json()["job_ids"][0], "account_id": saved.get_json()["account"]["id"]}


def _passes(operation: Any, real: dict[str, Any]) -> list[tuple[GenerationMode, dict[str, Any], int]]:
    """(mode, fixed path parameters, examples): random input, invalid input, and the caller's real objects."""
    passes = [(GenerationMode.POSITIVE, {}, MAX_EXAMPLES)]
    inputs = (operation.path_parameters, operation.query, operation.headers, operation.body)
    if any(len(part) for part in inputs):  # an operation without inputs has nothing to make invalid
        passes.append((GenerationMode.NEGATIVE, {}, MAX_EXAMPLES))
    fixed = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
    if fixed:
        passes.append((GenerationMode.POSITIVE, fixed, MAX_EXAMPLES // 2))
    return passes


def _fuzz(
    operation: Any, mode: GenerationMode, fixed: dict[str, Any], examples: int, token: str, tried: Counter[str]
) -> None:
    """Up to ``examples`` cases of one operation; the first failing one raises."""

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed or None))
    @settings(
        max_examples=examples,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        tried[case.operation.label] += 1
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def _explain(exc: BaseException) -> str:
    """The failure and, for a group (Hypothesis' "unreliable results" on a replay), what each inner one said."""
    inner = getattr(exc, "exceptions", ())
    return "; ".join([str(exc), *(_explain(e) for e in inner)])


def test_fuzz_the_documented_api(app: Flask) -> None:
    """Positive and negative cases for every documented operation; any failure is collected and reported."""
    user_token, real = _seed(app)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    tried: Counter[str] = Counter()
    failures: list[str] = []
    # deletions last, so the real account and job are still there for the other operations
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda op: op.method.upper() == "DELETE")
    assert len(operations) >= 20
    for operation in operations:
        # users are an admin's business: fuzz them as the admin, so bodies get past the 403
        token = ADMIN_TOKEN if operation.path.startswith("/api/users") else user_token
        for mode, fixed, examples in _passes(operation, real):
            try:
                _fuzz(operation, mode, fixed, examples, token, tried)
            except Exception as exc:  # noqa: BLE001 - every failure is collected, then reported together
                failures.append(f"{operation.label} [{mode.value} {fixed}]: {_explain(exc)}"[:3000])
    total = sum(tried.values())
    print(f"\nschemathesis: {total} examples over {len(tried)} operations, {len(failures)} failing")
    for label, count in sorted(tried.items()):
        print(f"  {count:4d}  {label}")
    jobs = app.test_client().get("/api/jobs?limit=100", headers={"Authorization": f"Bearer {user_token}"})
    statuses = Counter(j["status"] for j in jobs.get_json()["jobs"])
    print(f"  jobs the fuzzer's user has: {jobs.get_json()['total']} {dict(statuses)}")
    assert total > 0
    assert not failures, "\n\n".join(failures)
    health = app.test_client().get("/healthz")
    assert health.status_code == 200, health.get_json()
