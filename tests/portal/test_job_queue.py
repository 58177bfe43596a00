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


def test_an_entity_extraction_the_broker_refused_is_asked_for_again_at_the_next_change(broker_down, settings):
    from django.core.cache import cache

    from portal.entities.services import _pending_key, page_entities_refresh_later

    settings.ENTITIES_EXTRACT = True
    cache.delete(_pending_key(424242))
    assert page_entities_refresh_later(page_id=424242)
    assert cache.get(_pending_key(424242)) is None  # no mark left to block the next change for ten minutes


def test_a_iiif_import_the_broker_refused_fails_its_job_with_a_message(broker_down, project, users):
    import json

    from portal.archive.iiif_import import iiif_import_start
    from tests.portal.iiif_server import IiifServer

    with IiifServer() as server:
        data = json.dumps(server.manifest_v3(["folio1"])).encode()
    document, job = iiif_import_start(project=project, user=users["owner"], data=data, name="m.json")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "task queue is unreachable" in job.error
    assert document.pages.count() == 0
