"""Remote browsers on a Selenium Grid 4: its capacity, ending a session at once, and a ledger of
the sessions this server holds (in the database), so a restart after a crash ends the ones it left.

A remote browser has no local process to kill: ending it means deleting its WebDriver session
(``DELETE /session/{id}``) on the hub, or on its node when the hub no longer knows it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import websocket
from sqlalchemy import delete, select

from app.db import Database
from app.models import GridSession, utcnow

log = logging.getLogger("examgen.grid")


@dataclass(frozen=True)
class GridNode:
    """One node as the hub's /status shows it."""

    uri: str
    availability: str
    slots: int
    free: int


@dataclass(frozen=True)
class GridStatus:
    """The hub's /status: whether it takes sessions, its nodes, and which node runs which session."""

    ready: bool
    message: str
    nodes: tuple[GridNode, ...]
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> node uri

    @property
    def total_slots(self) -> int:
        """Slots on nodes that are up."""
        return sum(n.slots for n in self.nodes if n.availability == "UP")

    @property
    def free_slots(self) -> int:
        """Slots without a session on nodes that are up."""
        return sum(n.free for n in self.nodes if n.availability == "UP")

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> GridStatus:
        """From the ``value`` of ``GET /status``."""
        nodes, sessions = [], {}
        for node in doc.get("nodes") or ():
            slots = node.get("slots") or ()
            busy = [s["session"].get("sessionId", "") for s in slots if s.get("session")]
            for session_id in busy:
                sessions[session_id] = str(node.get("uri", ""))
            nodes.append(
                GridNode(
                    str(node.get("uri", "")), str(node.get("availability", "")), len(slots), len(slots) - len(busy)
                )
            )
        return cls(bool(doc.get("ready")), str(doc.get("message", "")), tuple(nodes), sessions)


class GridClient:
    """The few HTTP calls the server makes to a Grid (or any W3C WebDriver endpoint) itself."""

    def __init__(self, url: str, timeout: float = 3.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def status(self) -> GridStatus:
        """The hub's /status; raises OSError or ValueError when it cannot be read."""
        with urllib.request.urlopen(f"{self.url}/status", timeout=self.timeout) as r:
            return GridStatus.parse(json.load(r).get("value") or {})

    def delete_session(self, session_id: str, node_uri: str | None = None, timeout: float = 5.0) -> bool:
        """End a session on the hub, else on its node; True once it is surely gone.

        A node that refuses connections is a dead node: its sessions died with it, though the hub
        may go on listing them (as DOWN) for a while.
        """
        if _delete(f"{self.url}/session/{session_id}", timeout):
            return True
        if not node_uri:
            return False
        return _delete(f"{node_uri.rstrip('/')}/session/{session_id}", timeout, refused_is_gone=True)


def _delete(url: str, timeout: float, refused_is_gone: bool = False) -> bool:
    """DELETE a session; True when it ended now or did not exist (any 404, or "invalid session id")."""
    req = urllib.request.Request(url, method="DELETE")
    try:
        with urllib.request.urlopen(req, timeout=timeout):
            return True
    except urllib.error.HTTPError as exc:
        body = exc.read(2000).decode("utf-8", "replace")
        return exc.code == 404 or "invalid session id" in body or "Unable to find session" in body
    except (OSError, ValueError) as exc:  # refused, timed out: not known to be gone
        if refused_is_gone and isinstance(getattr(exc, "reason", exc), ConnectionRefusedError):
            log.info("Remote session at %s: its node is gone, and the session with it", url)
            return True
        log.warning("Could not delete remote session at %s: %s", url, exc)
        return False


class SessionLedger:
    """The ``grid_sessions`` table: a session is recorded once created and forgotten once ended."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, session_id: str, remote_url: str, node_uri: str | None) -> None:
        """Remember a session this server now holds."""
        with self.db.write() as s:
            s.merge(GridSession(session_id=session_id, remote_url=remote_url, node_uri=node_uri))

    def forget(self, session_id: str) -> None:
        """The session is ended."""
        with self.db.write() as s:
            s.execute(delete(GridSession).where(GridSession.session_id == session_id))

    def held(self, older_than: float = 0) -> list[tuple[str, str, str | None]]:
        """(session id, remote URL, node URI) of every session recorded ``older_than`` seconds ago or more."""
        before = utcnow() - timedelta(seconds=older_than)
        query = select(GridSession.session_id, GridSession.remote_url, GridSession.node_uri)
        with self.db.read() as s:
            rows = s.execute(query.where(GridSession.created_at <= before)).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def sweep(self, keep: frozenset[str] = frozenset(), older_than: float = 0, timeout: float = 5.0) -> int:
        """End recorded sessions other than ``keep``; how many ended.

        At start every row is a leftover of an earlier run. While running, a row no pool browser
        holds is a session whose end failed (its node died, say): it is tried again. A session the
        Grid cannot be reached about stays recorded for the next try.
        """
        ended = 0
        for session_id, remote_url, node_uri in self.held(older_than):
            if session_id in keep:
                continue
            if GridClient(remote_url).delete_session(session_id, node_uri, timeout):
                self.forget(session_id)
                ended += 1
            else:
                log.warning(
                    "Remote session %s at %s could not be ended; kept for the next start", session_id, remote_url
                )
        return ended


class RemoteSession:
    """How to end one remote browser for sure: close it, delete its session, strike it off the ledger."""

    def __init__(
        self,
        client: GridClient,
        session_id: str,
        node_uri: str | None,
        cdp_url: str | None,
        on_ended: Callable[[str], None],
    ) -> None:
        self.client = client
        self.session_id = session_id
        self.node_uri = node_uri
        self.cdp_url = cdp_url  # the Grid's DevTools relay to this browser (``se:cdp``)
        self.on_ended = on_ended
        self.ended = False
        self._lock = threading.Lock()

    def kill(self, timeout: float = 5.0) -> bool:
        """End the session now, even while a job's command hangs in it; True once it is gone.

        The node runs a session's delete only after the command in flight returns (a page load
        may take PAGE_LOAD_TIMEOUT), so the browser is first closed through DevTools: the hung
        command then fails at once and the delete goes through.
        """
        if self.ended:
            return True
        if self.cdp_url:
            close_browser(self.cdp_url, min(timeout, 3.0))
        return self.end(timeout)

    def end(self, timeout: float = 5.0, already_gone: bool = False) -> bool:
        """Delete the session (unless ``already_gone``: the driver quit it); idempotent."""
        with self._lock:
            if self.ended:
                return True
            if not (already_gone or self.client.delete_session(self.session_id, self.node_uri, timeout)):
                return False
            self.ended = True
        try:
            self.on_ended(self.session_id)
        except Exception:  # the next start deletes it again (a 404 there): nothing is lost
            log.exception("Remote session %s ended but could not be struck off", self.session_id)
        return True


def close_browser(cdp_url: str, timeout: float) -> bool:
    """``Browser.close`` over a DevTools connection of its own; True when the browser took it."""
    try:
        ws = websocket.create_connection(cdp_url, timeout=timeout, suppress_origin=True)
    except (OSError, ValueError, websocket.WebSocketException) as exc:
        log.warning("Could not reach the remote browser's DevTools at %s: %s", cdp_url, exc)
        return False
    try:
        ws.send(json.dumps({"id": 1, "method": "Browser.close"}))
        while json.loads(ws.recv()).get("id") != 1:
            pass
        return True
    except (OSError, ValueError, websocket.WebSocketException):
        return True  # the connection dropped: the browser is gone
    finally:
        try:
            ws.close()
        except Exception:  # noqa: BLE001 - closing a dead socket
            pass


def wait_until_sessions_end(sessions: list[RemoteSession], timeout: float) -> None:
    """Wait until the Grid lists none of ``sessions``: its nodes close their browsers after the
    delete returns, and "no browser outlives the server" holds for remote ones too."""
    ids = {s.session_id for s in sessions}
    client = sessions[0].client
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if not ids & client.status().sessions.keys():
                return
        except (OSError, ValueError):
            return  # the Grid is gone: so are its sessions
        time.sleep(0.2)
    log.warning("The Grid still lists %d of this server's sessions after %.0f s", len(ids), timeout)
