"""Pacing per account lane."""

from __future__ import annotations

from app.pacing import Pacer
from app.queue import QueueItem


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
