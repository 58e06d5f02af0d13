"""/api/openapi.json: valid OpenAPI 3.1, complete, and honest about errors and limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from schemathesis.specs.openapi.definitions import OPENAPI_31

from app import create_app
from app.http.api.openapi import build_document
from config import TestConfig

DOCUMENTED_PREFIXES = ("/api/", "/queue/", "/healthz", "/metrics", "/generate")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    flask_app = create_app(TestConfig.for_dir(tmp_path_factory.mktemp("doc"), admin_token="t" * 20), start=False)
    yield flask_app
    flask_app.extensions["examgen"].db.dispose()


@pytest.fixture(scope="module")
def doc(app: Flask) -> dict[str, Any]:
    resp = app.test_client().get("/api/openapi.json")  # no token needed
    assert resp.status_code == 200
    return resp.get_json()


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_it_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"] == "3.1.0"
    errors = [str(e) for e in jsonschema_rs.validator_for(OPENAPI_31).iter_errors(doc)]
    assert not errors, errors[:5]
    for name, schema in doc["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name  # JSON Schema 2020-12, OpenAPI 3.1's dialect


def test_every_mounted_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    documented = {(path, method) for path, method, _ in operations(doc)}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED_PREFIXES) or rule.rule.startswith("/demo/"):
            continue
        path = rule.rule.replace("<int(max=2147483647):", "{").replace("<", "{").replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    assert len(documented) >= 23


def test_only_mounted_routes_are_documented(app: Flask) -> None:
    bare = Flask("bare")
    bare.extensions = app.extensions
    assert build_document(bare)["paths"] == {}


def test_errors_auth_and_retry_after_are_declared(doc: dict[str, Any]) -> None:
    public = {"/healthz", "/metrics", "/api/openapi.json"}
    for path, method, op in operations(doc):
        codes = set(op["responses"])
        if path in public:
            assert op["security"] == [] and "401" not in codes, path
        else:
            assert {"401", "503"} <= codes, (path, method)
        if "requestBody" in op:
            assert {"400", "413", "415"} <= codes, (path, method)
    responses = doc["components"]["responses"]
    for name in ("TooManyRequests", "Unavailable"):
        assert responses[name]["headers"]["Retry-After"]["required"] is True
    submit = doc["paths"]["/api/jobs/publish"]["post"]["responses"]
    assert {"200", "202", "429", "503"} <= set(submit)
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token",
    }


def test_bodies_come_from_the_validating_models(app: Flask, doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    platforms = sorted(app.extensions["examgen"].server.platforms)
    assert schemas["PublishIn"]["properties"]["platform"]["enum"] == platforms
    priority = schemas["PublishIn"]["properties"]["priority"]
    assert (priority["type"], priority["minimum"], priority["maximum"]) == ("integer", 0, 9)
    assert schemas["ArticleIn"]["additionalProperties"] is False
    assert "cookies" in schemas["AccountOut"]["not"]["required"]  # an answer with cookies breaks the document
    body = doc["paths"]["/api/jobs/generate"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file"] and body["properties"]["questions"]["maximum"] == 50
