"""Fault-injection knobs of the demo platform, read and set at ``GET/POST /demo/api/knobs``.

``POST /demo/api/knobs`` merges the given JSON fields (400 on an unknown field or a bad value);
``POST /demo/api/knobs/reset`` restores the defaults read from the environment at start.

- ``delay_ms`` (int, default ``DEMO_DELAY_MS`` or 0): sleep this long before answering
  ``/demo/write`` and ``/demo/publish`` (a slow platform).
- ``fail_rate`` (float 0-1, default ``DEMO_FAIL_RATE`` or 0): ``/demo/write`` answers 503 with
  ``#unavailable`` "The editor is temporarily unavailable" with this probability (a flaky platform).
- ``fail_next`` (int): the next N loads of ``/demo/write`` answer that 503 page.
- ``publish_hang_ms`` (int): after storing the article, ``/demo/publish`` sleeps this long before
  redirecting (a publisher can be killed right after its click, with the article present).
- ``drop_next`` (int): the next N ``/demo/publish`` calls sleep ``publish_hang_ms`` and then answer
  502 without storing (the article is surely absent).
- ``captcha_next`` (int): the next N ``/demo/publish`` calls store nothing and 303-redirect to
  ``/demo/captcha`` ("Verify that you are human").
- ``reject_next`` (int): the next N ``/demo/publish`` calls store nothing and answer 422 with
  ``#error`` "The platform rejected this article".
- ``mangle_next`` (int): the next N ``/demo/publish`` calls store the content with its last
  character removed (to exercise content-fidelity checks).
- ``me_unavailable`` (bool): ``/demo/me`` answers 503 (a publisher cannot tell what exists).
- ``logout_all`` (bool): every request behaves as if no ``demo_user`` cookie were sent (an
  expired login).

The publish counters only count publishes that are logged in and valid (non-empty title and
body). One caught by several counters consumes only the first, in the order captcha, reject,
drop; ``mangle_next`` is consumed only by a publish that stores.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_MAX_MS = 60_000  # set through the knobs API, which only test and benchmark servers mount
MAX_START_DELAY_MS = 5_000  # DEMO_DELAY_MS, on any server: a few seconds at most
COUNTERS = ("fail_next", "drop_next", "captcha_next", "reject_next", "mangle_next")
_MILLIS = ("delay_ms", "publish_hang_ms")
_FLAGS = ("me_unavailable", "logout_all")


@dataclass(frozen=True)
class KnobValues:
    """One consistent snapshot of every knob."""

    delay_ms: int = 0
    fail_rate: float = 0.0
    fail_next: int = 0
    publish_hang_ms: int = 0
    drop_next: int = 0
    captcha_next: int = 0
    reject_next: int = 0
    mangle_next: int = 0
    me_unavailable: bool = False
    logout_all: bool = False


def _check(name: str, value: Any) -> Any:
    """The value to store for knob ``name``; ValueError with a one-line reason when it is bad."""
    if name in COUNTERS or name in _MILLIS:
        # bool is an int subclass in Python: refuse it, ``true`` for a counter is a client bug
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number")
        limit = _MAX_MS if name in _MILLIS else 1_000_000
        if not 0 <= value <= limit:
            raise ValueError(f"{name} must be between 0 and {limit}")
        return value
    if name == "fail_rate":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("fail_rate must be a number")
        if not 0.0 <= value <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        return float(value)
    if name in _FLAGS:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
        return value
    raise ValueError(f"unknown knob {name!r}")


class DemoKnobs:
    """The live knobs, shared by every request thread; all access goes through one lock."""

    def __init__(self, defaults: KnobValues | None = None) -> None:
        self._defaults = defaults or KnobValues()
        self._values = self._defaults
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> DemoKnobs:
        """Knobs whose defaults come from ``DEMO_DELAY_MS`` and ``DEMO_FAIL_RATE``."""
        fields: dict[str, Any] = {}
        raw_delay = (env.get("DEMO_DELAY_MS") or "").strip()
        if raw_delay:
            try:
                fields["delay_ms"] = _check("delay_ms", int(raw_delay))
                if fields["delay_ms"] > MAX_START_DELAY_MS:
                    raise ValueError
            except ValueError:
                raise ValueError(
                    f"DEMO_DELAY_MS must be a whole number of ms from 0 to {MAX_START_DELAY_MS}, got {raw_delay!r}"
                ) from None
        raw_rate = (env.get("DEMO_FAIL_RATE") or "").strip()
        if raw_rate:
            try:
                fields["fail_rate"] = _check("fail_rate", float(raw_rate))
            except ValueError:
                raise ValueError(f"DEMO_FAIL_RATE must be a number from 0 to 1, got {raw_rate!r}") from None
        return cls(KnobValues(**fields))

    def snapshot(self) -> KnobValues:
        """The current values (immutable, so safe to read without the lock)."""
        with self._lock:
            return self._values

    def as_dict(self) -> dict[str, Any]:
        """The current values as a JSON-ready dict."""
        return dataclasses.asdict(self.snapshot())

    def update(self, /, **fields: Any) -> dict[str, Any]:
        """Merge ``fields`` all or nothing (ValueError on any bad one); return the new values."""
        checked = {name: _check(name, value) for name, value in fields.items()}
        with self._lock:
            self._values = dataclasses.replace(self._values, **checked)
        return self.as_dict()

    def reset(self) -> dict[str, Any]:
        """Back to the defaults read at start; return them."""
        with self._lock:
            self._values = self._defaults
        return self.as_dict()

    def take(self, counter: str) -> bool:
        """Decrement ``counter`` if it is positive and say whether it fired (atomic)."""
        if counter not in COUNTERS:
            raise ValueError(f"{counter!r} is not a counter knob")
        with self._lock:
            left = getattr(self._values, counter)
            if left <= 0:
                return False
            self._values = dataclasses.replace(self._values, **{counter: left - 1})
            return True
