"""Security headers on every answer."""

from __future__ import annotations

from flask import Flask, Response, request

# Pages (the demo platform's too) load script files only, never inline script, so script-src 'self'
# holds everywhere; inline styles stay allowed: they cannot run code, and templates may use them.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    """Add CSP, nosniff, frame, referrer and caching headers to every response."""
    https = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith("/api/"):
            # answers carry tokens and private job data: no proxy or browser cache may keep them
            resp.headers.setdefault("Cache-Control", "no-store")
        if https:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp
