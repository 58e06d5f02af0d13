"""Pacing per account lane."""

from __future__ import annotations

from app.engine.pacing import Pacer
from app.engine.queue import QueueItem


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def item(lane: str) -> QueueItem:
    return QueueItem("j", "u", 5, 1, lane)


def test_one_job_at_a_time_per_lane_then_the_interval() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.start("a")
    assert not pacer.ready(item("a")) and pacer.ready(item("b"))
    pacer.finish("a", interval=30, jitter=0)
    assert not pacer.ready(item("a"))
    clock.now += 30
    assert pacer.ready(item("a"))


def test_a_cool_down_holds_only_its_lane() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.cool_down("a", 600)
    assert not pacer.ready(item("a")) and pacer.ready(item("b")) and pacer.ready(item(""))
    assert pacer.waiting("a") == 600
    clock.now += 601
    assert pacer.ready(item("a"))


def test_a_lane_runs_up_to_its_capacity_and_zero_means_no_limit() -> None:
    pacer = Pacer(Clock())
    pacer.set_capacity("two", 2)
    pacer.set_capacity("free", 0)
    pacer.start("two")
    assert pacer.ready(item("two"))
    pacer.start("two")
    assert not pacer.ready(item("two"))
    pacer.finish("two")
    assert pacer.ready(item("two"))
    for _ in range(50):
        pacer.start("free")
    assert pacer.ready(item("free"))
    assert pacer.snapshot()["free"] == (50, 0.0)


def test_the_interval_holds_a_lane_with_room_left() -> None:
    clock = Clock()
    pacer = Pacer(clock)
    pacer.set_capacity("a", 0)
    pacer.start("a")
    pacer.start("a")
    pacer.finish("a", interval=3, jitter=0)
    assert not pacer.ready(item("a")) and pacer.snapshot()["a"] == (1, 3.0)
    clock.now += 3
    assert pacer.ready(item("a"))
