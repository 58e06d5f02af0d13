"""The in-memory queue: lowest priority number first, then round-robin between users."""

from __future__ import annotations

import bisect
import itertools
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

LOOKAHEAD = 4  # users a free browser's kept contexts may be looked for among (see FairQueue.pop)


@dataclass(frozen=True)
class QueueItem:
    """What the queue needs to know of a job to order it."""

    job_id: str
    user: str
    priority: int
    seq: int
    lane: str = field(default="", compare=False)  # e.g. "alice/demo/main": paced per account
    group: str = field(default="", compare=False)  # what its duration is estimated from, e.g. "demo"
    probe: bool = field(default=False, compare=False)  # a login check: runs even while its lane is paused


class FairQueue:
    """Priority first; within a priority, users take turns; within a user, submission order.

    A user who was just served goes to the back of the rotation of that priority, so one user's
    hundred queued jobs never hold back another user's first one.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        # priority -> OrderedDict(user -> deque[QueueItem]); the dict's order is the rotation.
        self._levels: dict[int, OrderedDict[str, deque[QueueItem]]] = {}
        self._index: dict[str, QueueItem] = {}
        self._order_cache: list[QueueItem] | None = None
        self._counts: dict[str, int] = {}  # user -> jobs queued, kept as jobs come and go
        self._passed_over: str | None = None  # the user a preferred job went before: served next
        self._served: set[tuple[int, str]] = set()  # (priority, user) served since joining that rotation
        # what ``snapshot(budget=snapshot_budget)`` copies changes only when this goes up: a job queued
        # (or cancelled) deep behind a user's copied ones leaves the forecast as it was (flat submit cost)
        self.snapshot_version = 0
        self.snapshot_budget: int | None = None
        self._signals = 0  # goes up with every push and wake: a waiter that saw an older count returns

    def __len__(self) -> int:
        with self._lock:
            return len(self._index)

    def __contains__(self, job_id: object) -> bool:
        with self._lock:
            return job_id in self._index

    def push(self, item: QueueItem) -> None:
        """Add a job (a job already queued is left where it is)."""
        with self._lock:
            if item.job_id in self._index:
                return
            users = self._levels.setdefault(item.priority, OrderedDict())
            lane = users.setdefault(item.user, deque())
            # keep submission order within a user even when recovered jobs arrive late
            if lane and lane[-1].seq > item.seq:
                lane.append(item)
                users[item.user] = deque(sorted(lane, key=lambda i: i.seq))
                self.snapshot_version += 1
            else:
                if not self._beyond_copied(len(lane), len(lane), len(lane) + 1, len(users)):
                    self.snapshot_version += 1
                lane.append(item)
            self._index[item.job_id] = item
            self._counts[item.user] = self._counts.get(item.user, 0) + 1
            self._order_cache = None
            self._signals += 1
            self._changed.notify_all()

    def push_many(self, items: Iterable[QueueItem]) -> None:
        """Add several jobs in order."""
        for item in items:
            self.push(item)

    def remove(self, job_id: str) -> bool:
        """Take a job out (cancelled, deleted); True if it was queued."""
        with self._lock:
            item = self._index.get(job_id)
            if item is None:
                return False
            users = self._levels[item.priority]
            lane = users[item.user]
            place = bisect.bisect_left(lane, item.seq, key=lambda i: i.seq)
            if not self._beyond_copied(place, len(lane), len(lane) - 1, len(users)):
                self.snapshot_version += 1
            lane.remove(item)
            if not lane:
                del users[item.user]
                self._served.discard((item.priority, item.user))
            self._forget(item)
            return True

    def pop(
        self, ready: Callable[[QueueItem], bool] | None = None, prefer: Callable[[QueueItem], bool] | None = None
    ) -> QueueItem | None:
        """Take the next job in fair order whose ``ready(item)`` is true, or None.

        ``ready`` lets the dispatcher skip an account that is busy or cooling down without holding
        back anybody else's jobs. ``prefer`` (a free browser keeps the job's context) may let one of
        the next ``LOOKAHEAD`` users go first; the user passed over is served next, whatever comes,
        and a user whose first job it is (not served since joining the rotation) is never passed over.
        """
        with self._lock:
            for priority in sorted(self._levels):
                users = self._levels[priority]
                heads = self._ready_heads(users, ready, LOOKAHEAD if prefer is not None else 1)
                if not heads:
                    continue
                user, item = heads[0]
                regular = (priority, user) in self._served
                if prefer is not None and regular and user != self._passed_over and not prefer(item):
                    better = next(((u, i) for u, i in heads[1:] if prefer(i)), None)
                    if better is not None:
                        self._passed_over = user
                        user, item = better
                if user == self._passed_over and item is heads[0][1]:
                    self._passed_over = None
                lane = users[user]
                lane.remove(item)
                self.snapshot_version += 1  # a head left: the copy changes
                del users[user]
                if lane:  # served: to the back of the rotation
                    users[user] = lane
                    self._served.add((priority, user))
                else:
                    self._served.discard((priority, user))
                self._forget(item)
                return item
            return None

    def _forget(self, item: QueueItem) -> None:
        """The bookkeeping of a job leaving the queue, once its lane no longer holds it (lock held)."""
        if not self._levels[item.priority]:
            del self._levels[item.priority]
        del self._index[item.job_id]
        self._counts[item.user] -= 1
        if not self._counts[item.user]:
            del self._counts[item.user]
        self._order_cache = None

    def _beyond_copied(self, place: int, before: int, after: int, users: int) -> bool:
        """A change at ``place`` (0-based) of a user's items (``before`` of them, ``after`` it), at a level
        of ``users`` users, is outside what a budgeted snapshot copies, and the user is cut before and after."""
        if self.snapshot_budget is None:
            return False
        per_user = _copied_per_user(self.snapshot_budget, users)
        return place >= per_user and before > per_user and after > per_user

    @staticmethod
    def _ready_heads(
        users: OrderedDict[str, deque[QueueItem]], ready: Callable[[QueueItem], bool] | None, limit: int
    ) -> list[tuple[str, QueueItem]]:
        """The first ready job of each of the first ``limit`` users (in rotation) that have one."""
        heads: list[tuple[str, QueueItem]] = []
        for user, lane in users.items():
            item = next((i for i in lane if ready is None or ready(i)), None)
            if item is not None:
                heads.append((user, item))
                if len(heads) >= limit:
                    break
        return heads

    def signals(self) -> int:
        """How many pushes and wakes so far: pass it to ``wait`` so none in between is missed."""
        with self._lock:
            return self._signals

    def wait(self, timeout: float, since: int | None = None) -> None:
        """Block until something is pushed or woken (after ``signals()`` was ``since``) or ``timeout`` passes."""
        with self._changed:
            if since is None:
                self._changed.wait(timeout)
            elif self._signals == since:
                self._changed.wait_for(lambda: self._signals != since, timeout)

    def wake(self) -> None:
        """Wake a waiting dispatcher (state it depends on changed outside the queue)."""
        with self._changed:
            self._signals += 1
            self._changed.notify_all()

    def order(self) -> list[str]:
        """Job ids in the order they would be served if nothing else arrived (cached)."""
        return [item.job_id for item in self.order_items()]

    def order_items(self) -> list[QueueItem]:
        """Queued items in serving order (cached until the queue changes)."""
        with self._lock:
            if self._order_cache is None:
                self._order_cache = self._simulate()
            return self._order_cache

    def snapshot(self, budget: int | None = None) -> tuple[dict[int, list[tuple[str, list[QueueItem]]]], set[str]]:
        """Priority -> [(user, items in order)] in the current rotation, for the forecast, and the users
        whose items were cut: with a ``budget``, each level's users share about that many items (so a
        deep queue is copied in bounded time)."""
        with self._lock:
            cut: set[str] = set()
            levels: dict[int, list[tuple[str, list[QueueItem]]]] = {}
            for p, users in self._levels.items():
                levels[p] = []
                per_user = None if budget is None else _copied_per_user(budget, len(users))
                for u, q in users.items():
                    if per_user is not None and len(q) > per_user:
                        cut.add(u)
                        levels[p].append((u, list(itertools.islice(q, per_user))))
                    else:
                        levels[p].append((u, list(q)))
            return levels, cut

    def positions(self) -> dict[str, int]:
        """Job id -> 1-based position in the serving order (the whole queue: tests and small queues)."""
        return {job_id: i + 1 for i, job_id in enumerate(self.order())}

    def positions_of(self, job_ids: Iterable[str]) -> dict[str, int]:
        """The 1-based serving position of each of ``job_ids`` that is queued, in O(users) each."""
        with self._lock:
            out: dict[str, int] = {}
            for job_id in job_ids:
                item = self._index.get(job_id)
                if item is not None:
                    lane = self._levels[item.priority][item.user]
                    k = bisect.bisect_left(lane, item.seq, key=lambda i: i.seq)
                    out[job_id] = self._place(item.priority, item.user, k) + 1
            return out

    def position_after(self, user: str, priority: int) -> int:
        """The position a job ``user`` submitted now at ``priority`` would have."""
        with self._lock:
            users = self._levels.get(priority)
            lane = users.get(user) if users is not None else None
            return self._place(priority, user, len(lane) if lane else 0) + 1

    def _place(self, priority: int, user: str, k: int) -> int:
        """Jobs served before the ``k``-th (0-based) job of ``user`` at ``priority``: every job of the
        levels before, then ``k`` full rounds of this level, then the users ahead of ``user`` in the
        rotation that still have a ``k``-th job."""
        ahead = sum(len(q) for p, users in self._levels.items() if p < priority for q in users.values())
        seen_user = False
        for u, q in self._levels.get(priority, {}).items():
            seen_user = seen_user or u == user
            ahead += min(len(q), k) + (1 if not seen_user and len(q) > k else 0)
        return ahead

    def counts_by_user(self) -> dict[str, int]:
        """How many jobs each user has queued."""
        with self._lock:
            return dict(self._counts)

    def _simulate(self) -> list[QueueItem]:
        levels = {p: OrderedDict((u, deque(q)) for u, q in users.items()) for p, users in self._levels.items()}
        out: list[QueueItem] = []
        for priority in sorted(levels):
            users = levels[priority]
            while users:
                user, lane = next(iter(users.items()))
                out.append(lane.popleft())
                del users[user]
                if lane:
                    users[user] = lane
        return out


def _copied_per_user(budget: int, users: int) -> int:
    """How many of each user's items a snapshot with ``budget`` copies, at a level of ``users`` users."""
    return budget // users + 16
