"""Queueing work (portal/jobs/queue.py): sent once the transaction commits, its task id kept on the job, and a broker
that is down fails the job with a message instead of leaving it queued forever. The broker is the real test Redis;
the down one is a real address nobody listens on."""

from __future__ import annotations

import pytest
from django.db import transaction

from generation import tasks as generation_tasks
from portal.celery import app
from portal.jobs.models import Job
from portal.jobs.queue import job_enqueue
from tests.processes import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down():
    """The Celery app pointed at a port with nothing behind it, its connection pools emptied; put back afterwards."""
    url = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app._pool, app.amqp._producer_pool = None, None
    yield
    app.conf.broker_url = url
    app._pool, app.amqp._producer_pool = None, None


def finished_job() -> Job:
    """A job already done: if a worker ever takes its message, running it again does nothing."""
    return Job.objects.create(kind="generation.text2image", status=Job.Status.DONE, result={"files": []})


def test_the_task_is_sent_only_when_the_transaction_commits():
    job = finished_job()
    with transaction.atomic():
        job_enqueue(generation_tasks.generation_run.si(job.pk), job=job)
        assert Job.objects.get(pk=job.pk).task_id == ""
    assert Job.objects.get(pk=job.pk).task_id != ""


def test_a_rolled_back_request_queues_nothing():
    job = finished_job()
    with pytest.raises(RuntimeError), transaction.atomic():
        job_enqueue(generation_tasks.generation_run.si(job.pk), job=job)
        raise RuntimeError("the request failed after queueing")
    assert Job.objects.get(pk=job.pk).task_id == ""


def test_a_task_id_the_caller_chose_is_kept():
    job = Job.objects.create(kind="generation.text2image", status=Job.Status.DONE, task_id="chosen-id")
    job_enqueue(generation_tasks.generation_run.si(job.pk).set(task_id="chosen-id"), job=job)
    assert Job.objects.get(pk=job.pk).task_id == "chosen-id"


def test_a_broker_that_is_down_fails_the_job_with_a_message(broker_down):
    job = Job.objects.create(kind="generation.text2image")
    with transaction.atomic():
        job_enqueue(generation_tasks.generation_run.si(job.pk), job=job)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("Could not queue the work: the task queue is unreachable (")


def test_a_broker_that_is_down_is_told_to_work_without_a_job(broker_down):
    refused = []
    job_enqueue(generation_tasks.generation_run.si(0), on_refused=refused.append)
    assert len(refused) == 1 and "task queue is unreachable" in refused[0]
