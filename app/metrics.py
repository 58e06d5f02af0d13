"""``GET /metrics``: Prometheus figures of the job server, read live at scrape time.

Every app gets its own ``CollectorRegistry`` (tests build many apps in one process). The endpoint
needs no token, so it exposes aggregate figures only: no user names, job ids or titles.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Flask, Response, current_app
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from app.models import Job, JobStatus

log = logging.getLogger("examgen.metrics")

bp = Blueprint("metrics", __name__)

# a publish takes seconds to a few minutes; a check_login a few seconds
DURATION_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, float("inf"))
REJECTION_CODES = ("too_many_active_jobs", "rate_limited", "queue_full", "shutting_down")


class ServerCollector(Collector):
    """Reads the engine's live figures each time Prometheus scrapes."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        """One sample of every figure; a failing source is skipped, never a failed scrape."""
        srv = self.engine.server
        for part in (self._queue, self._jobs, self._pool, self._admission):
            try:
                yield from part(srv)
            except Exception:  # a scrape must not die because one source (e.g. the database) is down
                log.exception("metrics: %s failed", part.__name__)

    @staticmethod
    def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, value=value)

    def _queue(self, srv: Any) -> Iterator[Metric]:
        peaks = srv.figures.peaks
        yield self._gauge("examgen_queue_size", "Jobs waiting to run (queued or backing off)", srv.waiting())
        yield self._gauge("examgen_jobs_processing", "Jobs running now", len(srv.dispatcher.running()))
        yield self._gauge("examgen_max_concurrent_jobs", "MAX_CONCURRENT_JOBS", srv.config.max_concurrent_jobs)
        yield self._gauge("examgen_queue_size_peak", "Largest queue ever (persisted)", peaks.max_queue_size)
        yield self._gauge("examgen_processing_peak", "Most jobs ever running at once", peaks.max_processing)
        yield self._gauge("examgen_avg_job_seconds", "Mean of the last 100 attempts", srv.figures.avg_job_seconds)
        yield self._gauge("examgen_shutting_down", "1 while the server drains", 1 if srv.shutting_down else 0)
        yield self._gauge("examgen_uptime_seconds", "Seconds since the engine was built", time.time() - srv.started_at)
        processed, failed = srv.figures.totals()
        yield CounterMetricFamily("examgen_jobs_processed", "Jobs finished, ever (persisted)", value=processed)
        yield CounterMetricFamily("examgen_jobs_failed", "Jobs failed, ever (persisted)", value=failed)

    def _jobs(self, srv: Any) -> Iterator[Metric]:
        with srv.db.read() as s:
            counts = dict(s.execute(select(Job.status, func.count()).group_by(Job.status)).all())
        family = GaugeMetricFamily("examgen_jobs", "Jobs stored, by status", labels=["status"])
        for status in JobStatus:
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family

    def _pool(self, srv: Any) -> Iterator[Metric]:
        stats = srv.pool.stats()
        yield self._gauge("examgen_pool_size", "Most browsers alive at once (DRIVER_POOL_SIZE)", stats.size)
        browsers = GaugeMetricFamily("examgen_pool_browsers", "Browsers alive, by state", labels=["state"])
        browsers.add_metric(["in_use"], stats.in_use)
        browsers.add_metric(["idle"], stats.idle)
        yield browsers
        yield CounterMetricFamily("examgen_pool_browsers_created", "Browsers started", value=stats.created)
        yield CounterMetricFamily("examgen_pool_browsers_recycled", "Browsers retired", value=stats.recycled)
        failed = getattr(stats, "failed_starts", 0)
        yield CounterMetricFamily("examgen_pool_failed_starts", "Browsers that failed to start", value=failed)

    def _admission(self, srv: Any) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "examgen_admission_rejections", "Submissions refused (429/503), by error code", labels=["code"]
        )
        seen = dict(srv.admission.rejections)
        for code in sorted(set(REJECTION_CODES) | set(seen)):
            family.add_metric([code], seen.get(code, 0))
        yield family


class Metrics:
    """The app's registry: live figures plus a histogram of job durations."""

    def __init__(self, engine: Any) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(ServerCollector(engine))
        self.durations = Histogram(
            "examgen_job_duration_seconds",
            "Running time of finished job attempts, by kind and outcome",
            ["kind", "status"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )

    def observe_job(self, kind: str, status: str, seconds: float) -> None:
        """Record one attempt that ended (``status``: success, failed, retrying, cancelled…)."""
        self.durations.labels(kind or "unknown", status or "ended").observe(max(0.0, seconds))

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)


def init_app(app: Flask) -> Metrics:
    """Create the app's metrics, subscribe them to finished jobs and mount ``/metrics``."""
    engine = app.extensions["examgen"]
    metrics = Metrics(engine)
    app.extensions["examgen_metrics"] = metrics
    engine.server.finished_listeners.append(
        lambda handle, seconds: metrics.observe_job(handle.kind, handle.outcome, seconds)
    )
    app.register_blueprint(bp)
    return metrics


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Prometheus text format (no auth: aggregate figures only)."""
    body = current_app.extensions["examgen_metrics"].render()
    # the classic text format: what every Prometheus version scrapes (our names need no UTF-8 escaping)
    return Response(body, status=200, content_type=CONTENT_TYPE_PLAIN_0_0_4)
