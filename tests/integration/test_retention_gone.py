"""After retention removed a job's files, the job says so and the downloads answer 410 gone."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import update
from support import LiveServer, article

from app.engine.evidence import evidence_dir
from app.models import Job, JobStatus

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_removed_screenshot_and_result_answer_410_and_flags_turn_false(live_server: LiveServer) -> None:
    token = live_server.make_user("old")
    live_server.knobs(reject_next=1)  # a failed job, with its screenshot
    (job_id,) = live_server.publish(token, [article("[old]", 0)])
    job = live_server.wait_final(token, [job_id])[job_id]
    assert job["has_screenshot"] and live_server.call("GET", f"/api/jobs/{job_id}/screenshot", token=token)[0] == 200

    shutil.rmtree(evidence_dir(live_server.config.instance_path, job_id))  # what RESULT_RETENTION_DAYS does
    assert live_server.job(token, job_id)["has_screenshot"] is False
    status, body, _ = live_server.call("GET", f"/api/jobs/{job_id}/screenshot", token=token)
    assert status == 410 and body["error"]["code"] == "gone" and "RESULT_RETENTION_DAYS" in body["error"]["message"]

    # a generated exam whose PDF retention removed
    gone = live_server.config.instance_path + "/results/removed.pdf"
    with live_server.engine.db.write() as s:
        s.execute(
            update(Job).where(Job.id == job_id).values(kind="generate", status=JobStatus.SUCCESS, result_path=gone)
        )
    assert live_server.job(token, job_id)["has_result"] is False
    status, body, _ = live_server.call("GET", f"/api/jobs/{job_id}/result", token=token)
    assert status == 410 and body["error"]["code"] == "gone"
