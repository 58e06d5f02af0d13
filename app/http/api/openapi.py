"""``GET /api/openapi.json``: the OpenAPI 3.1 document of the HTTP API, as this server really answers.

Request bodies come from the pydantic models that validate them; an operation is listed only when
the app has its route, so the document never promises an endpoint that is not mounted.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.http.api.bulk import BULK_REQUEST_MODELS, BULK_RESPONSE_MODELS
from app.http.api.exam_schemas import EXAM_REQUEST_MODELS, EXAM_RESPONSE_MODELS
from app.http.api.schemas import REQUEST_MODELS, RESPONSE_MODELS
from app.http.api.webhook_schemas import WEBHOOK_REQUEST_MODELS, WEBHOOK_RESPONSE_MODELS
from app.http.common import components
from app.job_query import DEFAULT_SORT, sort_names

bp = Blueprint("api_openapi", __name__)

OPENAPI_VERSION = "3.1.0"
_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
RETRY_AFTER = {
    "Retry-After": {
        "required": True,
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
# status -> (component name, when it happens, carries Retry-After)
ERRORS: dict[int, tuple[str, str, bool]] = {
    400: ("BadRequest", "Bad input (validation_error); error.fields and error.problems name each wrong field", False),
    401: ("Unauthorized", "No token, or a bad one: unknown, revoked or expired; or a session that ended", False),
    403: ("Forbidden", "Admins only (forbidden), or a cookie session's write without X-CSRF-Token", False),
    404: ("NotFound", "Not there, or not the caller's: the same answer (not_found)", False),
    409: (
        "Conflict",
        "The object is in the wrong state for this (conflict), or the username is taken (username_taken)",
        False,
    ),
    410: ("Gone", "The file was removed by RESULT_RETENTION_DAYS (gone)", False),
    413: ("TooLarge", "The body or upload is too large", False),
    415: ("UnsupportedMediaType", "Wrong Content-Type (unsupported_media_type)", False),
    429: ("TooManyRequests", "Over a per-user limit: too_many_active_jobs or rate_limited; see can_submit", True),
    503: (
        "Unavailable",
        "Server full (queue_full, see can_submit), shutting down (shutting_down) or its database down (unavailable)",
        True,
    ),
}


def ref(model: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{model}"}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON media type object."""
    return {"application/json": {"schema": schema}}


def error_responses() -> dict[str, Any]:
    """The reusable error answers, one per status."""
    out = {}
    for name, description, retry in ERRORS.values():
        out[name] = {"description": description, "content": json_content(ref("ErrorOut"))}
        if retry:
            out[name]["headers"] = RETRY_AFTER
    return out


JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
ACCOUNT_ID = {
    "name": "account_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647},
}
TOKEN_ID = {**ACCOUNT_ID, "name": "token_id"}
HOOK_ID = {**ACCOUNT_ID, "name": "hook_id"}
QUESTION_ID = {"name": "qid", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}
USERNAME = {"name": "username", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeating a request with the same key returns the jobs it created (200) instead of new ones.",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$"},
}
GENERATE_FORM = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary", "contentMediaType": "application/pdf"},
                "questions": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                "types": {
                    "type": "string",
                    "description": "How many of each type, e.g. cloze:5,choice:5,truefalse:3,short:2 (1-50 in all)",
                },
                **{
                    kind: {"type": "integer", "minimum": 0, "maximum": 50, "description": f"How many {kind} questions"}
                    for kind in ("cloze", "choice", "truefalse", "short")
                },
                "points": {"type": "string", "description": "Points per type, e.g. cloze:2,short:5 (0-100 each)"},
                "pages": {"type": "string", "description": "Pages to use, e.g. 3-12 or 1,4-6 (default: all)"},
                "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647, "description": "Exam version"},
                "title": {"type": "string", "maxLength": 200, "description": "Default: 试卷 or Exam by lang"},
                "subject": {"type": "string", "maxLength": 200},
                "lang": {"type": "string", "enum": ["zh", "en"], "description": "Language of the defaults"},
            },
        }
    }
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _json_body(model: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": json_content(ref(model))}


def _ok(status: int, description: str, schema: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = json_content(ref(schema))
    return {str(status): answer}


def _binary(status: int, description: str, media: str) -> dict[str, Any]:
    return {str(status): {"description": description, "content": {media: {"schema": {"type": "string"}}}}}


# (path, method, tag, summary, success responses, error statuses, extra operation fields)
_WRITE = (401, 403)  # 403: a cookie session's write without the CSRF header
_SUBMIT = (429, 503)
OPERATIONS: list[tuple[str, str, str, str, dict, tuple[int, ...], dict]] = [
    ("/api/jobs/publish", "post", "jobs", "Queue one publish job per article, all or nothing",
     {**_ok(202, "Queued", "PublishAccepted"), **_ok(200, "A repeat of an Idempotency-Key", "PublishAccepted")},
     (400, *_WRITE, 413, 415, *_SUBMIT), {"parameters": [IDEMPOTENCY_KEY], "requestBody": _json_body("PublishIn")}),
    ("/api/jobs/generate", "post", "jobs", "Queue an exam generation from an uploaded course PDF",
     _ok(202, "Queued", "GenerateAccepted"), (400, *_WRITE, 413, 415, *_SUBMIT),
     {"requestBody": {"required": True, "content": GENERATE_FORM}}),
    ("/generate", "post", "jobs", "The same as POST /api/jobs/generate",
     _ok(202, "Queued", "GenerateAccepted"), (400, *_WRITE, 413, 415, *_SUBMIT),
     {"requestBody": {"required": True, "content": GENERATE_FORM}}),
    ("/api/jobs", "get", "jobs", "The caller's jobs, newest first (admins: everybody's, or ?user=)",
     _ok(200, "A page of jobs", "JobPage"), (400, 401),
     {"parameters": [
         _query("status", {"type": "string"}, "Comma-separated statuses"),
         _query("kind", {"type": "string"}, "Comma-separated job kinds: publish, generate, render_exam, check_login"),
         _query("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}, "1-based page"),
         _query("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "Jobs per page"),
         _query("user", {"type": "string"}, "Admins only: one user's jobs"),
         _query("q", {"type": "string", "maxLength": 200},
                "Words to find in the title, article id or account, or a job id's first 8+ characters; "
                "every word must match"),
         _query("sort", {"type": "string", "enum": sort_names(), "default": DEFAULT_SORT},
                "A column (created, title, status, kind, started, finished, attempts); -column for descending")]}),
    ("/api/jobs/bulk", "post", "jobs", "Cancel, retry or delete up to 100 jobs; each is judged on its own",
     _ok(200, "What happened to each job", "BulkOut"), (400, *_WRITE, 413, 415),
     {"requestBody": _json_body("BulkIn")}),
    ("/api/jobs/status", "get", "jobs", "The jobs among ?ids= that are the caller's",
     _ok(200, "Jobs found (unknown or foreign ids are left out)", "JobStatuses"), (400, 401),
     {"parameters": [_query("ids", {"type": "string"}, "Comma-separated job ids, at most 200")]}),
    ("/api/jobs/{job_id}", "get", "jobs", "One job", _ok(200, "The job", "JobEnvelope"), (401, 404),
     {"parameters": [JOB_ID]}),
    ("/api/jobs/{job_id}", "delete", "jobs", "Delete a finished job and its files",
     {"204": {"description": "Deleted"}}, (*_WRITE, 404, 409), {"parameters": [JOB_ID]}),
    ("/api/jobs/{job_id}/cancel", "post", "jobs", "Cancel a waiting or running job",
     _ok(200, "Cancelled (or being stopped)", "JobAction"), (*_WRITE, 404, 409), {"parameters": [JOB_ID]}),
    ("/api/jobs/{job_id}/retry", "post", "jobs", "Queue a failed, cancelled or needs_review job again",
     _ok(200, "Queued again", "JobAction"), (*_WRITE, 404, 409, *_SUBMIT), {"parameters": [JOB_ID]}),
    ("/api/jobs/{job_id}/reschedule", "post", "jobs", "Move a scheduled (or still queued) job to a new publish_at",
     _ok(200, "Moved", "JobAction"), (400, *_WRITE, 404, 409, 413, 415, *_SUBMIT),
     {"parameters": [JOB_ID], "requestBody": _json_body("RescheduleIn")}),
    ("/api/jobs/{job_id}/resolve", "post", "jobs", "Settle a needs_review job",
     _ok(200, "Resolved", "JobAction"), (400, *_WRITE, 404, 409, 413, 415),
     {"parameters": [JOB_ID], "requestBody": _json_body("ResolveIn")}),
    ("/api/jobs/{job_id}/result", "get", "jobs", "The exam: combined PDF, ?variant=student|key, ?format=docx",
     {"200": {"description": "The PDF or the Word file", "content": {
         "application/pdf": {"schema": {"type": "string"}},
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"schema": {"type": "string"}}}}},
     (400, 401, 404, 410), {"parameters": [
         JOB_ID,
         _query("variant", {"type": "string", "enum": ["combined", "student", "key"]}, "Which copy"),
         _query("format", {"type": "string", "enum": ["pdf", "docx"]}, "File format")]}),
    ("/api/jobs/{job_id}/questions", "get", "jobs", "The questions of a finished exam, to edit",
     _ok(200, "The questions", "ExamQuestions"), (401, 404, 410), {"parameters": [JOB_ID]}),
    ("/api/jobs/{job_id}/questions", "put", "jobs", "Print an edited question list again (a render_exam job)",
     _ok(202, "Queued", "GenerateAccepted"), (400, *_WRITE, 404, 409, 413, 415, *_SUBMIT),
     {"parameters": [JOB_ID], "requestBody": _json_body("ExamEditIn")}),
    ("/api/jobs/{job_id}/questions/{qid}/regenerate", "post", "jobs",
     "Another question of the same type from the exam's course document (the exam is not changed)",
     _ok(200, "The new question, with the id and points of the one it replaces", "RegeneratedQuestion"),
     (400, *_WRITE, 404, 409, 410, 413, 415),
     {"parameters": [JOB_ID, QUESTION_ID], "requestBody": _json_body("RegenerateIn", required=False)}),
    ("/api/jobs/{job_id}/screenshot", "get", "jobs", "The page when the last attempt failed",
     _binary(200, "A PNG screenshot", "image/png"), (401, 404, 410), {"parameters": [JOB_ID]}),
    ("/api/accounts", "get", "accounts", "The caller's platform accounts (never their cookies)",
     _ok(200, "Accounts", "AccountList"), (401,), {}),
    ("/api/accounts", "post", "accounts", "Add an account, or replace its cookies",
     {**_ok(201, "Added", "AccountSaved"), **_ok(200, "Cookies replaced", "AccountSaved")},
     (400, *_WRITE, 413, 415), {"requestBody": _json_body("AccountIn")}),
    ("/api/accounts", "delete", "accounts", "Remove an account by ?platform=&name= (or a JSON body)",
     {"204": {"description": "Removed"}}, (400, *_WRITE, 404, 413, 415),
     {"parameters": [_query("platform", {"type": "string"}, "Platform"),
                     _query("name", {"type": "string"}, "Account name (default main)")],
      "requestBody": _json_body("AccountRef", required=False)}),
    ("/api/accounts/{account_id}", "delete", "accounts", "Remove an account by id",
     {"204": {"description": "Removed"}}, (*_WRITE, 404), {"parameters": [ACCOUNT_ID]}),
    ("/api/accounts/{account_id}", "patch", "accounts", "Set an account's own pacing (null: the platform's)",
     _ok(200, "Changed", "AccountSaved"), (400, *_WRITE, 404, 413, 415),
     {"parameters": [ACCOUNT_ID], "requestBody": _json_body("AccountPatch")}),
    ("/api/accounts/{account_id}/check", "post", "accounts", "Queue a check_login job for an account",
     _ok(202, "Queued", "JobAction"), (*_WRITE, 404, *_SUBMIT), {"parameters": [ACCOUNT_ID]}),
    ("/api/users", "post", "users", "Admins: create a user; its API token is shown once",
     _ok(201, "Created", "UserCreated"), (400, *_WRITE, 409, 413, 415), {"requestBody": _json_body("UserIn")}),
    ("/api/users", "get", "users", "Admins: every user", _ok(200, "Users", "UserList"), (401, 403), {}),
    ("/api/me", "get", "users", "Who the token belongs to", _ok(200, "The caller", "Me"), (401,), {}),
    ("/api/me/password", "post", "users", "Change the caller's password; every session of the user ends",
     _ok(200, "Changed", "Done"), (400, *_WRITE, 413, 415), {"requestBody": _json_body("PasswordIn")}),
    ("/api/tokens", "get", "tokens", "The caller's API tokens (never their secrets)",
     _ok(200, "Tokens", "TokenList"), (401,), {}),
    ("/api/tokens", "post", "tokens", "A new named API token, optionally expiring; the secret is shown once",
     _ok(201, "Created", "TokenCreated"), (400, *_WRITE, 409, 413, 415), {"requestBody": _json_body("TokenIn")}),
    ("/api/tokens/{token_id}", "delete", "tokens", "Revoke one of the caller's tokens (409 for the one in use)",
     _ok(200, "Revoked", "Done"), (*_WRITE, 404, 409), {"parameters": [TOKEN_ID]}),
    ("/api/users/{username}/tokens", "get", "users", "Admins: one user's API tokens",
     _ok(200, "Tokens", "TokenList"), (401, 403, 404), {"parameters": [USERNAME]}),
    ("/api/users/{username}/tokens/{token_id}", "delete", "users", "Admins: revoke any user's token",
     _ok(200, "Revoked", "Done"), (*_WRITE, 404, 409), {"parameters": [USERNAME, TOKEN_ID]}),
    ("/api/webhooks", "get", "webhooks", "The caller's webhooks (URL as scheme and host only, never the secret)",
     _ok(200, "Webhooks", "WebhookList"), (401,), {}),
    ("/api/webhooks", "post", "webhooks", "Add a webhook for the events chosen (URL and secret stored encrypted)",
     _ok(201, "Added", "WebhookSaved"), (400, *_WRITE, 409, 413, 415), {"requestBody": _json_body("WebhookIn")}),
    ("/api/webhooks/{hook_id}", "delete", "webhooks", "Remove a webhook and its undelivered messages",
     {"204": {"description": "Removed"}}, (*_WRITE, 404), {"parameters": [HOOK_ID]}),
    ("/api/webhooks/{hook_id}/test", "post", "webhooks", "Queue a test message to the webhook",
     _ok(202, "Queued", "TestQueued"), (*_WRITE, 404), {"parameters": [HOOK_ID]}),
    ("/api/webhooks/{hook_id}/deliveries", "get", "webhooks", "The webhook's latest messages and their status",
     _ok(200, "Deliveries", "DeliveryList"), (401, 404), {"parameters": [HOOK_ID]}),
    ("/queue/status", "get", "ops", "The queue live, with peaks; admins also get every user's figures",
     _ok(200, "Queue status", "QueueStatus"), (401,), {}),
    ("/healthz", "get", "ops", "200 when the database and the dispatcher answer, 503 otherwise",
     {**_ok(200, "Healthy", "Health"), **_ok(503, "Unhealthy or shutting down", "Health")}, (),
     {"security": []}),
    ("/metrics", "get", "ops", "Prometheus text format; aggregate figures only (no users, titles or ids)",
     {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}, (),
     {"security": []}),
    ("/api/openapi.json", "get", "ops", "This document",
     {"200": {"description": "OpenAPI 3.1", "content": json_content({"type": "object"})}}, (), {"security": []}),
]  # fmt: skip


def _mounted(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route the app has."""
    found: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        found.update((path, m.lower()) for m in rule.methods or () if m not in ("HEAD", "OPTIONS"))
    return found


def component_schemas(platforms: list[str]) -> dict[str, Any]:
    """Request and answer models as JSON Schema 2020-12 (OpenAPI 3.1's dialect), keyed by model name."""
    every = (
        *REQUEST_MODELS,
        *EXAM_REQUEST_MODELS,
        *WEBHOOK_REQUEST_MODELS,
        *BULK_REQUEST_MODELS,
        *RESPONSE_MODELS,
        *EXAM_RESPONSE_MODELS,
        *WEBHOOK_RESPONSE_MODELS,
        *BULK_RESPONSE_MODELS,
    )
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "validation") for m in every]
    _, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    found = top.get("$defs", {})
    for name in ("PublishIn", "AccountIn"):  # both answer 400 for any other platform
        found[name]["properties"]["platform"]["enum"] = platforms
    return found


def build_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app``: the operations it mounts, with every answer they can give."""
    mounted = _mounted(app)
    paths: dict[str, dict[str, Any]] = {}
    for path, method, tag, summary, ok, errors, extra in OPERATIONS:
        if (path, method) not in mounted:
            continue
        responses = dict(ok)
        if extra.get("security") != []:  # authenticating reads the database, which can be down (503)
            errors = tuple(sorted({*errors, 503}))
        responses.update({str(code): {"$ref": f"#/components/responses/{ERRORS[code][0]}"} for code in errors})
        op_id = method + "".join(p.strip("{}").title() for p in re.split(r"[/._-]", path) if p)
        paths.setdefault(path, {})[method] = {
            "operationId": op_id,
            "tags": [tag],
            "summary": summary,
            **extra,
            "responses": responses,
        }
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "examgen",
            "version": "1",
            "description": (
                "A job server for browser automation. Errors are "
                '`{"success": false, "error": {"code", "message", "fields"?, "problems"?}}`; 429 and 503 carry '
                "Retry-After. A 400's `problems` lists each wrong field with pydantic's error type and its limits "
                '(e.g. `{"field": "articles", "type": "too_long", "ctx": {"max_length": 100, "actual_length": 101}}`) '
                "so a client can say it in its own language. "
                "/metrics and /healthz need no token and expose aggregate figures only."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": component_schemas(sorted(components(app).server.platforms)),
            "responses": error_responses(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token"},
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "examgen_session",
                    "description": "The web UI's login; writes also need the X-CSRF-Token header",
                },
            },
        },
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    }


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The document, built once per app (the routes do not change after start)."""
    doc = current_app.extensions.get("examgen_openapi")
    if doc is None:
        doc = current_app.extensions["examgen_openapi"] = build_document(current_app)
    return jsonify(doc)
