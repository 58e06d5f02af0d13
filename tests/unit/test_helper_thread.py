"""A browser's helper thread for time-limited calls: results, errors, and a call that hangs."""

from __future__ import annotations

import threading

from app.engine.browser import HelperThread


def test_calls_run_on_one_named_thread_and_report_results_and_errors() -> None:
    calls = HelperThread("browser-test")
    names: list[str] = []

    def name() -> str:
        names.append(threading.current_thread().name)
        return "ok"

    assert calls.call(name, 10) == (True, "ok")
    assert calls.call(name, 10) == (True, "ok")
    assert names == ["browser-test", "browser-test"]
    error = ValueError("no such window")
    finished, value = calls.call(lambda: (_ for _ in ()).throw(error), 10)
    assert finished is False and value is error
    calls.close()


def test_a_hung_call_times_out_and_the_next_call_does_not_queue_behind_it() -> None:
    calls = HelperThread("browser-test")
    release = threading.Event()
    assert calls.call(lambda: release.wait(60), 0.1) == (False, None)
    assert calls.call(lambda: 42, 10) == (True, 42)  # on a thread of its own: the helper is still stuck
    release.set()
    calls.close()
