"""The start-time forecast: slots, the per-user running cap, account lanes, intervals, schedules."""

from __future__ import annotations

from app.engine.forecast import LaneState, RunningJob, Setup, rotation, simulate
from app.engine.queue import FairQueue, QueueItem


def items(user: str, n: int, lane: str = "", start: int = 0, priority: int = 5) -> list[QueueItem]:
    return [QueueItem(f"{user}-{i}", user, priority, start + i, lane) for i in range(n)]


def run(queued: list[QueueItem], **kw) -> dict[str, float]:
    kw.setdefault("duration", lambda item: 10.0)
    return simulate(Setup(levels=rotation(queued), **kw))


def test_ten_jobs_on_four_slots_start_in_three_waves() -> None:
    starts = run(items("solo", 10, lane="solo/demo/1"), slots=4, lanes={"solo/demo/1": LaneState(capacity=0)})
    assert [starts[f"solo-{i}"] for i in range(10)] == [0, 0, 0, 0, 10, 10, 10, 10, 20, 20]


def test_a_lane_of_capacity_one_with_an_interval_runs_one_after_another() -> None:
    lane = "u/zhihu/1"
    starts = run(items("u", 3, lane=lane), slots=4, lanes={lane: LaneState(capacity=1, interval=30)})
    assert [starts[f"u-{i}"] for i in range(3)] == [0, 40, 80]


def test_a_lane_cooling_down_starts_after_the_cool_down_and_others_go_first() -> None:
    lanes = {"a/demo/1": LaneState(capacity=1, free_in=100)}
    queued = items("a", 1, lane="a/demo/1") + items("b", 2, start=10)
    starts = run(queued, slots=1, lanes=lanes)
    assert starts == {"b-0": 0, "b-1": 10, "a-0": 100}


def test_the_user_cap_lets_other_users_start_and_holds_the_capped_users_jobs() -> None:
    queued = items("big", 6, start=0) + items("small", 1, start=100)
    starts = run(queued, slots=4, user_cap=2)
    assert starts["small-0"] == 0
    assert sorted(starts[f"big-{i}"] for i in range(6)) == [0, 0, 10, 10, 20, 20]


def test_running_jobs_hold_their_slots_and_their_users_cap() -> None:
    running = [RunningJob("big", "", 4.0), RunningJob("big", "", 6.0)]
    starts = run(items("big", 2), slots=4, user_cap=2, running=running)
    assert starts == {"big-0": 4.0, "big-1": 6.0}


def test_scheduled_jobs_join_at_their_time_behind_the_users_already_in_rotation() -> None:
    arrivals = [(25.0, QueueItem("later", "c", 5, 999))]
    starts = run(items("a", 5), slots=1, arrivals=arrivals)
    # due at 25 s while a-2 runs (20..30): c joins the rotation after a, as FairQueue.push does
    assert starts["a-3"] == 30 and starts["later"] == 40 and starts["a-4"] == 50


def test_the_forecast_follows_the_queues_own_rotation() -> None:
    queue = FairQueue()
    for item in items("a", 3) + items("b", 3, start=10):
        queue.push(item)
    starts = simulate(Setup(slots=1, levels=queue.snapshot()[0], duration=lambda item: 1.0))
    forecast_order = sorted(starts, key=starts.__getitem__)
    assert forecast_order == queue.order()


def test_jobs_that_can_never_start_are_left_out() -> None:
    lane = "u/x/1"
    starts = run(
        items("u", 2, lane=lane),
        slots=1,
        running=[RunningJob("u", lane, 5.0)],
        lanes={lane: LaneState(capacity=1, running=1)},
    )
    assert starts == {"u-0": 5.0, "u-1": 15.0}


def test_a_deep_queue_is_simulated_up_to_its_limit_and_says_so() -> None:
    from app.engine.forecast import run as run_setup

    queue = FairQueue()
    for item in items("a", 400) + items("b", 400, start=1000):
        queue.push(item)
    levels, cut = queue.snapshot(budget=100)
    assert cut == {"a", "b"} and all(len(its) == 66 for _, its in levels[5])
    ghost = QueueItem("ghost", "c", 5, 2**62)
    setup = Setup(slots=2, levels=levels, duration=lambda i: 1.0, limit=100, cut=frozenset(cut), ghosts=[ghost])
    outcome = run_setup(setup)
    assert not outcome.complete and outcome.started == 100 and outcome.ended_at == 49.0
    assert outcome.starts["ghost"] == 1.0  # a newcomer's job: after one round, taking no slot
    full = simulate(Setup(slots=2, levels=queue.snapshot()[0], duration=lambda i: 1.0))
    assert all(full[job] == at for job, at in outcome.starts.items() if job != "ghost")
