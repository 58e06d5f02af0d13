"""The web UI (server-rendered pages)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the web UI's blueprint."""
