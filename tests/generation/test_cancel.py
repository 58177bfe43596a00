"""A cancelled job stops at its next denoising step, and the worker goes on with the next job."""

import time

import pytest
from django.urls import reverse

from portal.jobs.models import Job
from tests.factories import make_user
from tests.generation.jobs import finished, picture_form, submit
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


def test_cancelling_a_running_job_stops_it_and_the_worker_carries_on(client, generation_worker):
    client.force_login(make_user("impatient"))
    job = submit(client, "text2image", picture_form(side=512, steps=100, batch=4))
    deadline = time.monotonic() + 120
    while Job.objects.get(pk=job["id"]).done < 3:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.2)
    response = client.post(reverse("generation:cancel", args=[job["id"]]), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    after = submit(client, "text2image", picture_form())
    assert finished(after).status == "done"
    cancelled = wait_for_job(job["id"], timeout=5)
    assert cancelled.status == "cancelled"
    assert cancelled.done < cancelled.total and not cancelled.result.get("files")
