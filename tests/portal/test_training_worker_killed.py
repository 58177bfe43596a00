"""A training whose worker is killed (SIGKILL) mid-training does not hang: once a worker is back, the heartbeat fails
it with a message (a training is never run twice on its own), and no model is registered. Our own worker processes,
as in test_job_heartbeat.py, with a short heartbeat so the test takes seconds, not minutes."""

from __future__ import annotations

import signal
import time

import pytest

from portal.archive.models import HtrModel
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_project, make_user
from tests.portal.test_job_heartbeat import workers  # noqa: F401 - the fixture
from tests.processes import wait_for_an_epoch, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def quick_reaper(monkeypatch):
    """Workers started from here beat every 2 s and take a job silent for 8 s for dead."""
    monkeypatch.setenv("JOB_HEARTBEAT_SECONDS", "2")
    monkeypatch.setenv("JOB_STALE_SECONDS", "8")


def test_a_training_whose_worker_was_killed_ends_failed_once_a_worker_is_back(quick_reaper, workers):  # noqa: F811
    from rest_framework.test import APIClient

    user = make_user("scribe")
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    client = APIClient()
    client.force_authenticate(user)
    first = workers.start("first")
    body = api_upload(client, document, list(cremma_page())).json()
    assert wait_for_job(body["jobs"][0]["id"]).status == Job.Status.DONE
    job_id = wait_for_an_epoch(client, document, lambda job: job.message.startswith("epoch")).pk

    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    assert Job.objects.get(pk=job_id).status == Job.Status.RUNNING
    workers.start("second")
    job = wait_for_job(job_id, timeout=120)
    print(f"\nthe killed training was failed {time.monotonic() - killed:.0f} s after the kill")
    assert job.status == Job.Status.FAILED
    assert "worker running this job stopped" in job.error and "start it again" in job.error
    assert not HtrModel.objects.filter(project=document.project).exists()
    again = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")  # not blocked
    assert again.status_code == 202, again.content
    client.post(f"/api/jobs/{again.json()['id']}/cancel/")
