"""The fair queue: priority first, then round-robin between users, then submission order."""

from __future__ import annotations

import itertools
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.queue import FairQueue, QueueItem


def items(user: str, n: int, priority: int = 5, start: int = 0, lane: str = "") -> list[QueueItem]:
    return [QueueItem(f"{user}-{i}", user, priority, start + i, lane) for i in range(n)]


def drain(q: FairQueue, ready=None) -> list[str]:
    out = []
    while (item := q.pop(ready)) is not None:
        out.append(item.job_id)
    return out


def test_one_users_hundred_jobs_do_not_hold_back_anothers_first() -> None:
    q = FairQueue()
    q.push_many(items("alice", 100))
    q.push_many(items("bob", 1, start=100))
    first_two = [q.pop().job_id, q.pop().job_id]
    assert first_two == ["alice-0", "bob-0"]


def test_round_robin_between_three_users_keeps_each_users_order() -> None:
    q = FairQueue()
    q.push_many(items("a", 3))
    q.push_many(items("b", 2, start=10))
    q.push_many(items("c", 1, start=20))
    assert drain(q) == ["a-0", "b-0", "c-0", "a-1", "b-1", "a-2"]


def test_lower_priority_number_runs_first_even_for_the_same_user() -> None:
    q = FairQueue()
    q.push_many(items("a", 3, priority=5))
    q.push(QueueItem("urgent", "a", 0, 99))
    assert q.pop().job_id == "urgent"


def test_positions_match_the_serving_order_and_follow_changes() -> None:
    q = FairQueue()
    q.push_many(items("a", 2))
    q.push_many(items("b", 2, start=10))
    assert q.positions() == {"a-0": 1, "b-0": 2, "a-1": 3, "b-1": 4}
    assert q.remove("b-0")
    assert q.positions() == {"a-0": 1, "b-1": 2, "a-1": 3}
    assert q.order() == drain(q)


def test_a_busy_lane_is_skipped_without_blocking_others() -> None:
    q = FairQueue()
    q.push_many(items("a", 2, lane="a/demo/1"))
    q.push_many(items("b", 1, start=10, lane="b/demo/2"))
    assert q.pop(lambda i: i.lane != "a/demo/1").job_id == "b-0"
    assert q.pop(lambda i: i.lane != "a/demo/1") is None
    assert len(q) == 2


def test_recovered_jobs_keep_their_original_order() -> None:
    q = FairQueue()
    for seq in (5, 2, 9, 1):
        q.push(QueueItem(f"j{seq}", "a", 5, seq))
    assert drain(q) == ["j1", "j2", "j5", "j9"]


def test_pushing_the_same_job_twice_queues_it_once() -> None:
    q = FairQueue()
    q.push(QueueItem("x", "a", 5, 1))
    q.push(QueueItem("x", "a", 5, 1))
    assert len(q) == 1 and drain(q) == ["x"]


def test_concurrent_pushes_and_pops_lose_nothing() -> None:
    q = FairQueue()
    popped: list[str] = []
    lock = threading.Lock()

    def producer(user: str) -> None:
        q.push_many(items(user, 200))

    def consumer() -> None:
        while len(popped) < 800:
            item = q.pop()
            if item is None:
                q.wait(0.01)
                continue
            with lock:
                popped.append(item.job_id)

    threads = [threading.Thread(target=producer, args=(u,)) for u in "abcd"] + [
        threading.Thread(target=consumer) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(popped) == sorted(f"{u}-{i}" for u in "abcd" for i in range(200))


def test_removing_a_users_last_job_drops_them_from_the_rotation_and_its_priority_level() -> None:
    q = FairQueue()
    q.push_many(items("a", 2))
    q.push(QueueItem("b-urgent", "b", 0, 50))
    q.push(QueueItem("c-0", "c", 5, 60))
    assert q.remove("b-urgent") and not q.remove("b-urgent") and not q.remove("nobody")
    assert "b-urgent" not in q and len(q) == 3 and q.counts_by_user() == {"a": 2, "c": 1}
    assert q.remove("c-0")
    assert drain(q) == ["a-0", "a-1"] and len(q) == 0


def test_a_free_browsers_kept_context_lets_a_near_user_go_first_and_the_one_passed_over_goes_next() -> None:
    q = FairQueue()
    for n, user in enumerate(("ann", "ben", "cat", "dan", "eve", "fay")):
        q.push_many(items(user, 2, start=10 * n))
    kept = {"cat"}  # a free browser keeps cat's context

    def prefer(item: QueueItem) -> bool:
        return item.user in kept

    assert q.pop(prefer=prefer).job_id == "ann-0"  # ann's first job: a newcomer is never passed over
    q.push(QueueItem("ann-9", "ann", 5, 9))
    assert [q.pop().job_id for _ in range(5)] == ["ben-0", "cat-0", "dan-0", "eve-0", "fay-0"]
    assert q.pop(prefer=prefer).job_id == "cat-1"  # third in the rotation: within the look-ahead
    assert q.pop(prefer=prefer).job_id == "ann-1"  # passed over once: served next, preferred or not
    kept = {"ann"}  # fifth in the rotation now: too far ahead, fair order holds
    assert q.pop(prefer=prefer).job_id == "ben-1"
    assert q.pop(prefer=prefer).job_id == "ann-9"  # fourth now: within reach, dan passed over
    assert q.counts_by_user() == {"dan": 1, "eve": 1, "fay": 1}
    assert drain(q) == ["dan-1", "eve-1", "fay-1"]
    assert q.counts_by_user() == {}


def test_per_user_counts_follow_pushes_pops_and_removals() -> None:
    q = FairQueue()
    q.push_many(items("alice", 3) + items("bob", 2, start=3))
    q.push(items("alice", 1)[0])  # already queued: not counted twice
    assert q.remove("bob-1") and not q.remove("bob-1")
    q.pop()
    assert q.counts_by_user() == {"alice": 2, "bob": 1} and len(q) == 3


def test_positions_by_formula_match_the_serving_order_and_a_new_jobs_place() -> None:
    import random

    rng = random.Random(7)
    q = FairQueue()
    for seq in range(300):
        user = rng.choice(["ann", "ben", "cat", "dan"])
        q.push(QueueItem(f"j{seq}", user, rng.choice([3, 5, 5, 7]), seq))
    for _ in range(40):
        q.pop()
    q.remove(next(iter(q.positions())))
    full = q.positions()
    assert q.positions_of([*full, "nope"]) == full
    for user in ("ann", "eve"):
        expected = q.position_after(user, 5)
        q.push(QueueItem(f"new-{user}", user, 5, 10_000))
        assert q.positions()[f"new-{user}"] == expected
        q.remove(f"new-{user}")


def test_a_wake_or_push_between_looking_and_waiting_is_not_missed() -> None:
    # the dispatcher counts signals, looks (pop, its blocked check), then waits: what happened
    # in between must end the wait at once, or a free slot idles for the whole timeout
    q = FairQueue()
    mark = q.signals()
    q.wake()  # e.g. a job ended just after the dispatcher looked
    waited = _waiter(q, mark)
    waited.join(20)
    assert not waited.is_alive(), "the wait missed a wake that came before it"

    mark = q.signals()
    q.push(items("a", 1)[0])
    waited = _waiter(q, mark)
    waited.join(20)
    assert not waited.is_alive(), "the wait missed a push that came before it"

    mark = q.signals()
    waited = _waiter(q, mark)
    waited.join(0.2)
    assert waited.is_alive(), "nothing happened since the mark: the wait goes on"
    q.wake()
    waited.join(20)
    assert not waited.is_alive()


def _waiter(q: FairQueue, mark: int) -> threading.Thread:
    thread = threading.Thread(target=q.wait, args=(60, mark), daemon=True)
    thread.start()
    return thread


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["push", "push", "push", "push", "remove", "pop"]), st.integers(0, 1), st.integers(0, 1)
        ),
        min_size=40,
        max_size=200,
    ),
    st.randoms(use_true_random=False),
)
def test_the_snapshot_version_goes_up_whenever_a_budgeted_snapshot_would_differ(ops, rnd) -> None:
    """The forecast is reused while ``snapshot_version`` stays: so the copy must then be the same."""
    q = FairQueue()
    q.snapshot_budget = 20  # 16 + 20 // users items of each user are copied: 2 users, 2 levels cut soon
    seq = itertools.count()
    for op, user, priority in ops:
        before, version = q.snapshot(budget=q.snapshot_budget), q.snapshot_version
        if op == "push":
            n = next(seq)
            q.push(QueueItem(f"j{n}", f"u{user}", priority, n))
        elif op == "remove" and len(q):
            order = q.order()  # the last one is the deepest of a long list: a cut may end there
            q.remove(order[-1] if rnd.random() < 0.5 else rnd.choice(order))
        elif op == "pop":
            q.pop()
        if q.snapshot_version == version:
            assert q.snapshot(budget=q.snapshot_budget) == before


def test_a_job_queued_deep_behind_a_users_copied_ones_leaves_the_snapshot_version() -> None:
    q = FairQueue()
    q.snapshot_budget = 500  # 10 users: 66 of each user's items are copied
    for u in range(10):
        q.push_many(items(f"u{u}", 100, start=u * 1000))
    version = q.snapshot_version
    q.push(QueueItem("deep", "u0", 5, 999))  # u0's 101st: not copied, u0 was cut already
    q.remove("u3-90")
    assert q.snapshot_version == version
    for change in (lambda: q.push(QueueItem("new", "u10", 5, 10_000)), lambda: q.remove("u3-5"), q.pop):
        change()
        assert q.snapshot_version > version
        version = q.snapshot_version


def test_a_user_who_becomes_cut_or_stops_being_cut_changes_the_snapshot_version() -> None:
    q = FairQueue()
    q.snapshot_budget = 500  # 2 users: 266 of each user's items are copied
    q.push_many(items("a", 266))
    q.push_many(items("b", 10, start=1000))
    version = q.snapshot_version
    q.push(QueueItem("a-266", "a", 5, 266))  # a's 267th: a is cut from now on
    assert q.snapshot_version > version and q.snapshot(budget=500)[1] == {"a"}
    version = q.snapshot_version
    q.remove("a-266")  # back to 266: all of a's are copied again
    assert q.snapshot_version > version and q.snapshot(budget=500)[1] == set()
