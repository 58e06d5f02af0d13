"""``GET /metrics``: Prometheus figures of the job server, read live at scrape time.

Every app gets its own ``CollectorRegistry`` (tests build many apps in one process). The endpoint
needs no token, so it exposes aggregate figures only: no user names, job ids or titles.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from app.accounts import state_counts
from app.http.common import Components, components
from app.models import Job, JobStatus, OutboxMessage

log = logging.getLogger("examgen.metrics")

bp = Blueprint("metrics", __name__)

# a publish takes seconds to a few minutes; a check_login a few seconds
DURATION_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, float("inf"))
REJECTION_CODES = ("too_many_active_jobs", "rate_limited", "queue_full", "shutting_down")


class ServerCollector(Collector):
    """Reads the engine's live figures each time Prometheus scrapes."""

    def __init__(self, parts: Components) -> None:
        self.parts = parts

    def collect(self) -> Iterator[Metric]:
        """One sample of every figure; a failing source is skipped, never a failed scrape."""
        for part in (self._queue, self._jobs, self._pool, self._admission, self._accounts, self._host, self._outbox):
            try:
                yield from part(self.parts)
            except Exception:  # a scrape must not die because one source (e.g. the database) is down
                log.exception("metrics: %s failed", part.__name__)

    @staticmethod
    def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
        return GaugeMetricFamily(name, doc, value=value)

    def _queue(self, parts: Components) -> Iterator[Metric]:
        snap = parts.server.snapshot()
        peaks = snap.peaks
        yield self._gauge("examgen_queue_size", "Jobs waiting to run (queued or backing off)", snap.queue_size)
        yield self._gauge("examgen_jobs_processing", "Jobs running now", snap.processing)
        yield self._gauge("examgen_jobs_scheduled", "Jobs waiting for their publish_at (not queued)", snap.scheduled)
        yield self._gauge("examgen_max_concurrent_jobs", "MAX_CONCURRENT_JOBS", snap.max_concurrent)
        yield self._gauge("examgen_queue_size_peak", "Largest queue ever (persisted)", peaks.max_queue_size)
        yield self._gauge("examgen_processing_peak", "Most jobs ever running at once", peaks.max_processing)
        yield self._gauge("examgen_avg_job_seconds", "Mean of the last 100 attempts", snap.avg_job_seconds)
        yield self._gauge("examgen_shutting_down", "1 while the server drains", 1 if snap.shutting_down else 0)
        yield self._gauge("examgen_uptime_seconds", "Seconds since the engine was built", snap.uptime_seconds)
        yield CounterMetricFamily(
            "examgen_jobs_processed", "Jobs finished, ever (persisted)", value=snap.total_processed
        )
        yield CounterMetricFamily("examgen_jobs_failed", "Jobs failed, ever (persisted)", value=snap.total_failed)

    def _jobs(self, parts: Components) -> Iterator[Metric]:
        with parts.db.read() as s:
            rows = s.execute(select(Job.status, func.count()).group_by(Job.status)).all()
        counts: dict[str, int] = {str(status): int(n) for status, n in rows}
        family = GaugeMetricFamily("examgen_jobs", "Jobs stored, by status", labels=["status"])
        for status in JobStatus:
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family

    def _pool(self, parts: Components) -> Iterator[Metric]:
        stats = parts.server.snapshot().pool
        yield self._gauge("examgen_pool_size", "Most browsers alive at once (DRIVER_POOL_SIZE)", stats.size)
        browsers = GaugeMetricFamily("examgen_pool_browsers", "Browsers alive, by state", labels=["state"])
        browsers.add_metric(["in_use"], stats.in_use)
        browsers.add_metric(["idle"], stats.idle)
        yield browsers
        yield self._gauge("examgen_browsers_alive", "Browsers alive now (in use or idle)", stats.in_use + stats.idle)
        yield CounterMetricFamily("examgen_pool_browsers_created", "Browsers started", value=stats.created)
        yield CounterMetricFamily("examgen_pool_browsers_recycled", "Browsers retired", value=stats.recycled)
        failed = getattr(stats, "failed_starts", 0)
        yield CounterMetricFamily("examgen_pool_failed_starts", "Browsers that failed to start", value=failed)
        contexts = CounterMetricFamily(
            "examgen_pool_job_contexts", "Jobs begun, by context: their owner's kept one, or fresh", labels=["how"]
        )
        contexts.add_metric(["kept"], stats.contexts_kept)
        contexts.add_metric(["fresh"], stats.contexts_fresh)
        yield contexts
        grid = parts.server.snapshot().grid
        if grid is not None:
            up = sum(1 for n in grid.nodes if n.availability == "UP")
            yield self._gauge("examgen_grid_nodes", "Nodes of the remote Selenium Grid that are up", up)
            yield self._gauge("examgen_grid_slots", "Browser slots on the Grid's nodes that are up", grid.total_slots)
            yield self._gauge("examgen_grid_free_slots", "Grid slots without a session", grid.free_slots)

    def _admission(self, parts: Components) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "examgen_admission_rejections", "Submissions refused (429/503), by error code", labels=["code"]
        )
        seen = dict(parts.desk.admission.rejections)
        for code in sorted(set(REJECTION_CODES) | set(seen)):
            family.add_metric([code], seen.get(code, 0))
        yield family

    def _accounts(self, parts: Components) -> Iterator[Metric]:
        with parts.db.read() as s:
            counts = state_counts(s)
        family = GaugeMetricFamily("examgen_accounts", "Platform accounts, by login state", labels=["state"])
        for state, n in counts.items():
            family.add_metric([state], n)
        yield family

    def _host(self, parts: Components) -> Iterator[Metric]:
        usage = shutil.disk_usage(parts.config.instance_path)
        yield self._gauge("examgen_instance_disk_free_bytes", "Free space where the instance folder is", usage.free)
        yield self._gauge("examgen_instance_disk_size_bytes", "Size of the instance folder's file system", usage.total)
        health = parts.server.health()
        yield self._gauge(
            "examgen_dispatcher_silent_seconds",
            "Seconds since the dispatcher last ran",
            health.dispatcher_silent_seconds,
        )
        yield self._gauge(
            "examgen_browser_start_failing", "1 while no browser can be started", 1 if health.browser_error else 0
        )

    def _outbox(self, parts: Components) -> Iterator[Metric]:
        with parts.db.read() as s:
            counted = s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
        rows = {str(status): int(n) for status, n in counted}
        family = GaugeMetricFamily("examgen_notifications", "Webhook messages kept, by status", labels=["status"])
        for status in ("pending", "delivered", "failed"):
            family.add_metric([status], rows.get(status, 0))
        yield family


class Metrics:
    """The app's registry: live figures plus a histogram of job durations."""

    def __init__(self, parts: Components) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(ServerCollector(parts))
        self.durations = Histogram(
            "examgen_job_duration_seconds",
            "Running time of finished job attempts, by kind and outcome",
            ["kind", "status"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.outcomes = Counter(
            "examgen_job_outcomes",
            "Job attempts that ended since the start, by kind, platform and outcome (success, failed, retrying…)",
            ["kind", "platform", "outcome"],
            registry=self.registry,
        )
        # this process's CPU seconds, resident memory, open files (Linux /proc; absent elsewhere)
        ProcessCollector(registry=self.registry)

    def observe_job(self, kind: str, status: str, seconds: float, platform: str | None = None) -> None:
        """Record one attempt that ended (``status``: success, failed, retrying, cancelled…)."""
        kind, status = kind or "unknown", status or "ended"
        self.durations.labels(kind, status).observe(max(0.0, seconds))
        self.outcomes.labels(kind, platform or "none", status).inc()

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)


def init_app(app: Flask) -> Metrics:
    """Create the app's metrics, subscribe them to finished jobs and mount ``/metrics``."""
    parts = components(app)
    metrics = Metrics(parts)
    app.extensions["examgen_metrics"] = metrics
    parts.server.finished_listeners.append(
        lambda handle, seconds: metrics.observe_job(handle.kind, handle.outcome, seconds, handle.platform)
    )
    app.register_blueprint(bp)
    return metrics


@bp.get("/metrics")
def metrics_endpoint() -> Response:
    """Prometheus text format (no auth: aggregate figures only)."""
    body = current_app.extensions["examgen_metrics"].render()
    # the classic text format: what every Prometheus version scrapes (our names need no UTF-8 escaping)
    return Response(body, status=200, content_type=CONTENT_TYPE_PLAIN_0_0_4)
