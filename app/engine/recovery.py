"""Recovery at start: the database is the truth, so every unfinished job goes back where it was."""

from __future__ import annotations

import logging
from collections.abc import Callable

from app import jobs as store
from app.db import Database
from app.engine.queue import FairQueue, QueueItem
from app.engine.retry import RetrySchedule
from app.engine.schedule import Schedule
from app.models import ClickState, Job, JobStatus, utcnow

log = logging.getLogger("examgen")


def recover(
    db: Database,
    queue: FairQueue,
    retries: RetrySchedule,
    schedule: Schedule,
    item: Callable[[Job, str], QueueItem],
) -> tuple[int, int]:
    """Queue the unfinished jobs in their original order, re-arm backoffs and schedules.

    Returns (jobs recovered, of which clicked: to check on their platform before anything else).
    """
    with db.write() as s:
        recovered = store.recover(s)
        usernames = store.usernames(s, (j.user_id for j in recovered))
        for job in recovered:
            if job.status == JobStatus.RETRYING:
                retries.add(job.next_attempt_at or utcnow(), job.id)
            else:
                queue.push(item(job, usernames[job.user_id]))
        waiting = store.scheduled(s)
        names = store.usernames(s, (j.user_id for j in waiting))
        for job in waiting:
            schedule.add(job.publish_at or utcnow(), item(job, names[job.user_id]))
    return len(recovered), sum(1 for j in recovered if j.click_state != ClickState.NONE)
