"""Keys kept in the instance folder, and encryption of stored platform cookies (Fernet)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


def load_or_create_key(path: Path, given: str, make: Callable[[], str]) -> str:
    """``given`` if set; else the key stored at ``path``; else a new one written there (0600)."""
    if given:
        return given
    if path.exists():
        return path.read_text().strip()
    key = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def secret_key(instance: Path, given: str = "") -> str:
    """The session-signing key."""
    return load_or_create_key(instance / "secret.key", given, lambda: secrets.token_hex(32))


class CookieBox:
    """Encrypts and decrypts a list of cookies; plaintext never leaves this object unasked."""

    def __init__(self, instance: Path, given: str = "") -> None:
        key = load_or_create_key(instance / "encryption.key", given, lambda: Fernet.generate_key().decode())
        try:
            self._fernet = Fernet(key.encode())
        except ValueError:
            raise ValueError("ENCRYPTION_KEY must be a Fernet key (32 url-safe base64-encoded bytes)") from None

    def seal(self, cookies: list[dict[str, Any]]) -> bytes:
        """Encrypt cookies for storage."""
        return self._fernet.encrypt(json.dumps(cookies, ensure_ascii=False).encode())

    def seal_json(self, value: Any) -> bytes:
        """Encrypt any JSON value (a webhook's URL and secret)."""
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode())

    def open_json(self, token: bytes) -> Any:
        """Decrypt a sealed JSON value; None when unreadable (key changed)."""
        try:
            return json.loads(self._fernet.decrypt(token))
        except (InvalidToken, ValueError):
            return None

    def open(self, token: bytes) -> list[dict[str, Any]]:
        """Decrypt stored cookies; an unreadable token (key changed) gives no cookies."""
        try:
            return json.loads(self._fernet.decrypt(token))
        except (InvalidToken, ValueError):
            return []
