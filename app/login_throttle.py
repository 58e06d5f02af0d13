"""Login throttling: a growing delay per address (across usernames) and per username (across addresses).

Each key allows a few free failures; after that every failure doubles the time the key must wait
before its next attempt, up to ``max_delay``: guessing slows to one try per ``max_delay`` while the
real owner waits at most that long. A (username, address) pair that has logged in before is judged
by its own key only, so a spray from elsewhere (or from behind the same proxy) cannot lock it out.
Kept in memory: a restart forgets it, which only ever lets people in sooner.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Gate:
    failures: int = 0
    last_failure: float = 0.0
    open_at: float = 0.0


@dataclass(frozen=True)
class Rule:
    """``free`` failures before delays start; delays double from ``base`` up to ``cap`` seconds."""

    free: int
    base: float = 1.0
    cap: float = 60.0

    def delay(self, failures: int) -> float:
        """The wait after the ``failures``-th failure in a row."""
        over = failures - self.free
        return 0.0 if over <= 0 else min(self.cap, self.base * 2 ** (over - 1))


class LoginThrottle:
    """Decides whether a login attempt may be checked now, and learns from its outcome."""

    def __init__(
        self,
        per_address: Rule = Rule(free=10),
        per_username: Rule = Rule(free=5),
        per_pair: Rule = Rule(free=5),
        forget_after: float = 900,
        known_for: float = 30 * 86400,
        max_keys: int = 100_000,
    ) -> None:
        self.rules = {"a": per_address, "u": per_username, "p": per_pair}
        self.forget_after = forget_after
        self.known_for = known_for
        self.max_keys = max_keys
        self._gates: OrderedDict[str, _Gate] = OrderedDict()
        self._known: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[str]:
        name = username.strip().lower()
        pair = f"p|{name}|{address}"
        now = time.monotonic()
        if now - self._known.get(pair, -math.inf) < self.known_for:
            return [pair]
        return [f"a|{address}", f"u|{name}", pair]

    def wait(self, username: str, address: str) -> int:
        """0 when an attempt may be checked now, else whole seconds to wait (nothing is counted)."""
        now = time.monotonic()
        with self._lock:
            waits = [g.open_at - now for k in self._keys(username, address) if (g := self._gates.get(k))]
        longest = max(waits, default=0.0)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, username: str, address: str) -> None:
        """Count a wrong password against every key of the attempt."""
        now = time.monotonic()
        with self._lock:
            for key in self._keys(username, address):
                gate = self._gates.pop(key, None) or _Gate()
                if now - gate.last_failure > self.forget_after:
                    gate.failures = 0
                gate.failures += 1
                gate.last_failure = now
                gate.open_at = now + self.rules[key[0]].delay(gate.failures)
                self._gates[key] = gate  # most recently failed last: the oldest are dropped first
            while len(self._gates) > self.max_keys:
                self._gates.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        """The owner proved themselves: their username and pair start afresh; the pair becomes known.

        The address keeps its count: one valid account must not let a sprayer reset it.
        """
        name = username.strip().lower()
        with self._lock:
            self._gates.pop(f"u|{name}", None)
            self._gates.pop(f"p|{name}|{address}", None)
            pair = f"p|{name}|{address}"
            self._known.pop(pair, None)
            self._known[pair] = time.monotonic()
            while len(self._known) > self.max_keys:
                self._known.popitem(last=False)
