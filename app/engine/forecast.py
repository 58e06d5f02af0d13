"""When will each waiting job start? A small discrete-event simulation of the dispatcher.

It replays what the dispatcher will do: free slots take the next job in fair order whose user is
under the running cap and whose account lane has room and is not waiting out an interval or a
cool-down; scheduled jobs and retries join the queue at their due time. Pure functions, no clock.
"""

from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from app.engine.queue import QueueItem

HORIZON = 30 * 86400.0  # stop simulating a month ahead: later starts are reported as unknown


@dataclass(frozen=True)
class LaneState:
    """An account lane as the simulation sees it."""

    capacity: int = 1  # jobs at once; 0: no limit
    interval: float = 0.0  # expected wait after one of its jobs ends (interval plus mean jitter)
    running: int = 0
    free_in: float = 0.0  # seconds until an interval or cool-down is over


@dataclass(frozen=True)
class RunningJob:
    """A job running now: whose, in which lane, and how long it is expected to go on."""

    user: str
    lane: str
    remaining: float


@dataclass
class Setup:
    """Everything the simulation needs; ``levels`` is the queue: priority -> [(user, items)] in rotation."""

    slots: int
    levels: dict[int, list[tuple[str, list[QueueItem]]]]
    duration: Callable[[QueueItem], float]
    user_cap: int = 0  # 0: no per-user cap
    running: Sequence[RunningJob] = ()
    lanes: dict[str, LaneState] = field(default_factory=dict)
    arrivals: Sequence[tuple[float, QueueItem]] = ()  # (seconds from now, item): scheduled, retrying
    # jobs that would be submitted now: when each would start, without taking a slot from anybody
    ghosts: Sequence[QueueItem] = ()
    limit: int = 0  # stop after this many starts (0: none); the rest is extrapolated (see Outcome)
    cut: frozenset[str] = frozenset()  # users whose queued items ``levels`` holds only the first of


@dataclass
class Outcome:
    """Starts found by the simulation; ``complete`` is False when it stopped at its limit, after
    ``started`` starts ``ended_at`` seconds from now."""

    starts: dict[str, float]
    complete: bool = True
    started: int = 0
    ended_at: float = 0.0


class _Queue:
    """The fair queue's serving rule, replayed: priority, then users in rotation, then order.

    Each user's jobs are kept per lane, so finding the user's first startable job looks at one
    job per lane instead of walking the user's whole backlog.
    """

    def __init__(self, levels: dict[int, list[tuple[str, list[QueueItem]]]], cut: frozenset[str] = frozenset()) -> None:
        self.levels: dict[int, OrderedDict[str, dict[str, deque[QueueItem]]]] = {}
        self.cut = cut
        self.ran_out = False  # a cut user's copied items are all served: the copy no longer tells the order
        for users in levels.values():
            for _, items in users:
                for item in items:
                    self.push(item)

    def __bool__(self) -> bool:
        return any(self.levels.values())

    def push(self, item: QueueItem) -> None:
        users = self.levels.setdefault(item.priority, OrderedDict())
        queue = users.setdefault(item.user, {}).setdefault(item.lane, deque())
        queue.append(item)
        if len(queue) > 1 and queue[-2].seq > item.seq:
            ordered = sorted(queue, key=lambda i: i.seq)
            queue.clear()
            queue.extend(ordered)

    def pop(self, ready: Callable[[QueueItem], bool], user_ok: Callable[[str], bool]) -> QueueItem | None:
        for priority in sorted(self.levels):
            users = self.levels[priority]
            for user in list(users):
                if not user_ok(user):
                    continue
                lanes = users[user]
                heads = [q[0] for q in lanes.values() if ready(q[0])]
                if not heads:
                    continue
                item = min(heads, key=lambda i: i.seq)
                lanes[item.lane].popleft()
                if not lanes[item.lane]:
                    del lanes[item.lane]
                del users[user]
                if lanes:  # served: to the back of the rotation
                    users[user] = lanes
                elif user in self.cut:
                    self.ran_out = True
                if not users:
                    del self.levels[priority]
                return item
        return None


def simulate(setup: Setup) -> dict[str, float]:
    """Seconds from now until each queued (or arriving) job starts; jobs that never start are left out."""
    return run(setup).starts


def run(setup: Setup) -> Outcome:
    """The simulation, up to ``setup.limit`` starts or until a cut user's copied items run out."""
    queue = _Queue(setup.levels, setup.cut)
    ghosts = {item.job_id for item in setup.ghosts}
    lanes = dict(setup.lanes)
    lane_running = {name: lane.running for name, lane in lanes.items()}
    not_before = {name: lane.free_in for name, lane in lanes.items()}
    user_running: dict[str, int] = {}
    ends: list[tuple[float, int, str, str]] = []
    tie = itertools.count()
    for job in setup.running[: max(setup.slots, len(setup.running))]:
        heapq.heappush(ends, (max(job.remaining, 0.0), next(tie), job.user, job.lane))
        user_running[job.user] = user_running.get(job.user, 0) + 1
        if job.lane and job.lane not in lanes:
            lane_running[job.lane] = lane_running.get(job.lane, 0) + 1
    free = setup.slots - len(setup.running)
    arrivals = deque(sorted(setup.arrivals, key=lambda a: (a[0], a[1].seq)))
    for ghost in setup.ghosts:
        queue.push(ghost)
    starts: dict[str, float] = {}
    started = 0
    now = 0.0

    def user_ok(user: str) -> bool:
        return not setup.user_cap or user_running.get(user, 0) < setup.user_cap

    def ready(item: QueueItem) -> bool:
        if not item.lane:
            return True
        cap = lanes[item.lane].capacity if item.lane in lanes else 1
        if cap and lane_running.get(item.lane, 0) >= cap:
            return False
        return not_before.get(item.lane, 0.0) <= now + 1e-9

    while now <= HORIZON:
        while arrivals and arrivals[0][0] <= now + 1e-9:
            queue.push(arrivals.popleft()[1])
        while free > 0 and (item := queue.pop(ready, user_ok)) is not None:
            starts[item.job_id] = now
            if item.job_id in ghosts:
                continue  # would start now; takes nothing from the jobs after it
            started += 1
            if queue.ran_out or (setup.limit and started >= setup.limit):
                return Outcome(starts, complete=False, started=started, ended_at=now)
            free -= 1
            user_running[item.user] = user_running.get(item.user, 0) + 1
            if item.lane:
                lane_running[item.lane] = lane_running.get(item.lane, 0) + 1
            heapq.heappush(ends, (now + max(setup.duration(item), 0.1), next(tie), item.user, item.lane))
        if not queue and not arrivals:
            break
        upcoming = [t for t in (ends[0][0] if ends else None, arrivals[0][0] if arrivals else None) if t is not None]
        if free > 0:  # a lane's interval ending may let a waiting job start
            upcoming += [t for t in not_before.values() if t > now + 1e-9]
        if not upcoming:
            break  # nothing will ever change: the rest never starts (e.g. a lane of capacity 0 jobs)
        now = max(now, min(upcoming))
        while ends and ends[0][0] <= now + 1e-9:
            end, _, user, lane = heapq.heappop(ends)
            free += 1
            user_running[user] -= 1
            if lane:
                lane_running[lane] = max(0, lane_running.get(lane, 0) - 1)
                wait = lanes[lane].interval if lane in lanes else 0.0
                if wait > 0:
                    not_before[lane] = max(not_before.get(lane, 0.0), end + wait)
    return Outcome(starts, started=started, ended_at=now)


def rotation(items: Iterable[QueueItem]) -> dict[int, list[tuple[str, list[QueueItem]]]]:
    """Levels for :class:`Setup` from items in submission order (users in order of first item)."""
    levels: dict[int, OrderedDict[str, list[QueueItem]]] = {}
    for item in items:
        levels.setdefault(item.priority, OrderedDict()).setdefault(item.user, []).append(item)
    return {p: list(users.items()) for p, users in levels.items()}
