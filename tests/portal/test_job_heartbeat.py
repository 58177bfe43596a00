"""A job whose worker died (issue #12): the worker running a job beats; once it stops beating for JOB_STALE_SECONDS,
any worker resumes the job (the page pipeline, whose steps replace what they made) or fails it (kinds that are never
run twice), within a third of that more. The first test kills a REAL worker (SIGKILL) while it reads a real page and
starts another; the others drive the heartbeat's decisions on the database."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.archive.models import Layer, Line, Page, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import make_document, make_page_with_lines, make_project, make_user
from tests.processes import process_env, process_stop, queues_purge, wait_for_job, worker_start

QUEUES = ["default", "gpu", "training"]


class Workers:
    """Our own worker processes, started like the session's `celery_worker` (so that a test may kill one)."""

    def __init__(self, env: dict):
        self.env, self.procs = env, []

    def start(self, name: str) -> subprocess.Popen:
        proc = worker_start(self.env, f"{name}-{os.getpid()}", timeout=180)
        self.procs.append(proc)
        return proc


@pytest.fixture
def workers(transactional_db):
    """Start and kill workers of our own; the session's shared worker, if running, stops taking work meanwhile."""

    from portal.celery import app

    others = [name for reply in app.control.ping(timeout=3) or [] for name in reply]
    for queue in QUEUES:
        if others:
            app.control.cancel_consumer(queue, destination=others, reply=True, timeout=60)
    queues_purge()
    own = Workers(process_env())
    yield own
    for proc in own.procs:
        if proc.poll() is None:
            process_stop(proc, timeout=30)
    for queue in QUEUES:
        if others:
            app.control.add_consumer(queue, destination=others, reply=True, timeout=60)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(1200)
def test_a_page_whose_worker_was_killed_is_read_by_the_next_worker_without_duplicates(workers):
    from rest_framework.test import APIClient

    user = make_user("scribe")
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    client = APIClient()
    client.force_authenticate(user)
    first = workers.start("first")
    image, _ = cremma_page()
    scan = io.BytesIO(image.read_bytes())
    scan.name = image.name
    body = client.post(f"/api/documents/{document.pk}/upload/", {"files": [scan]}, format="multipart").json()
    job_id, page_id = body["jobs"][0]["id"], body["pages"][0]["id"]

    deadline = time.monotonic() + 600
    while (job := Job.objects.get(pk=job_id)).message != "recognition":
        assert job.is_active and time.monotonic() < deadline, f"the job never started reading: {job.status} {job.error}"
        time.sleep(0.1)
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=15)  # the worker beats
    lines = set(Line.objects.filter(page_id=page_id).values_list("pk", flat=True))
    assert len(lines) == job.result["segmentation"]["lines"] > 5
    assert client.post(f"/api/pages/{page_id}/process/").status_code == 409

    first.send_signal(signal.SIGKILL)
    first.wait()
    killed = time.monotonic()
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.RUNNING, "the job ended before the worker was killed: nothing to test"
    workers.start("second")
    while not Job.objects.filter(pk=job_id).exclude(task_id=job.task_id).exists():
        assert time.monotonic() - killed < 150, "the killed job was not run again within 150 s"
        time.sleep(0.5)
    resumed_after = time.monotonic() - killed
    job = wait_for_job(job_id, timeout=600)
    print(
        f"\nkilled job queued again {resumed_after:.0f} s after the kill; done {time.monotonic() - killed:.0f} s after"
    )

    assert job.status == Job.Status.DONE, job.error
    assert job.attempt == 1
    assert set(Line.objects.filter(page_id=page_id).values_list("pk", flat=True)) == lines  # not segmented again
    layer = Layer.objects.get(document=document, kind=Layer.Kind.MODEL)
    read = Transcription.objects.filter(layer=layer, line__page_id=page_id)
    assert read.count() == len(lines)
    assert all(t.version == 1 and t.revisions.count() == 1 for t in read)
    assert Page.objects.get(pk=page_id).state == Page.State.DONE
    again = client.post(f"/api/pages/{page_id}/process/?steps=recognition")
    assert again.status_code == 202, again.content
    client.post(f"/api/jobs/{again.json()['id']}/cancel/")


# --- the heartbeat's decisions, on the database -------------------------------------------------------------------


def running_job(kind: str, *, silent_for: float | None, **fields) -> Job:
    heartbeat = None if silent_for is None else timezone.now() - timedelta(seconds=silent_for)
    return Job.objects.create(
        kind=kind, status=Job.Status.RUNNING, heartbeat_at=heartbeat, started=timezone.now(), **fields
    )


@pytest.fixture
def page(db):
    user = make_user("scribe")
    return make_page_with_lines(make_document(make_project(user)), user)


@pytest.mark.django_db
def test_a_job_that_is_never_run_twice_is_failed_once_its_worker_stops_beating():
    from portal.jobs.heartbeat import jobs_reap

    job = running_job("training", silent_for=90)
    assert [j.pk for j in jobs_reap()] == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "no heartbeat for 90 s" in job.error and "never run twice" in job.error
    assert jobs_reap() == []  # decided once, whatever the number of workers looking


@pytest.mark.django_db
def test_a_job_that_beats_or_waits_for_its_next_step_is_left_alone():
    from portal.jobs.heartbeat import jobs_reap

    beating = running_job("training", silent_for=20)
    waiting = running_job("page_pipeline", silent_for=None)
    assert jobs_reap() == []
    assert {j.status for j in Job.objects.filter(pk__in=[beating.pk, waiting.pk])} == {Job.Status.RUNNING}


@pytest.mark.django_db
def test_a_page_job_whose_worker_stopped_is_queued_again_from_the_step_it_was_at(page):
    from portal.jobs.heartbeat import jobs_reap

    job = running_job(
        "page_pipeline",
        silent_for=90,
        target=f"archive.page:{page.pk}",
        task_id="dead-run",
        params={"steps": ["prepare", "segmentation", "recognition"]},
        result={"prepare": {"tiles": 9}},
    )
    assert [j.pk for j in jobs_reap()] == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.attempt, job.heartbeat_at) == (Job.Status.RUNNING, 1, None)
    assert job.task_id != "dead-run" and job.message.startswith("segmentation (again")


@pytest.mark.django_db
def test_a_page_job_whose_worker_died_three_times_is_failed_and_its_page_marked_failed(page):
    from portal.jobs.heartbeat import jobs_reap

    job = running_job("page_pipeline", silent_for=90, target=f"archive.page:{page.pk}", attempt=2)
    jobs_reap()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "stopped 3 times" in job.error
    assert Page.objects.get(pk=page.pk).state == Page.State.FAILED


@pytest.mark.django_db
def test_a_message_of_an_earlier_run_does_nothing(page):
    from portal.archive.pipeline import page_step

    job = running_job(
        "page_pipeline", silent_for=None, target=f"archive.page:{page.pk}", attempt=1, params={"steps": ["recognition"]}
    )
    page_step(job_id=job.pk, step="recognition", task_id="late", attempt=0)
    job.refresh_from_db()
    assert (job.status, job.task_id, job.heartbeat_at) == (Job.Status.RUNNING, "", None)
    assert not Transcription.objects.filter(line__page=page).exclude(layer__kind=Layer.Kind.GROUND_TRUTH).exists()


@pytest.mark.django_db
def test_a_run_taken_for_dead_stops_at_its_next_progress_report():
    from portal.jobs.progress import JobSuperseded, job_progress

    job = running_job("page_pipeline", silent_for=5)
    Job.objects.filter(pk=job.pk).update(attempt=1)  # the heartbeat started a newer run meanwhile
    with pytest.raises(JobSuperseded):
        job_progress(job, done=10)
    assert Job.objects.get(pk=job.pk).done == 0


@pytest.mark.django_db
def test_a_late_message_does_not_start_a_job_that_ended():
    from portal.jobs.progress import JobCancelled, job_start

    job = Job.objects.create(kind="training", status=Job.Status.FAILED, error="the worker stopped")
    with pytest.raises(JobCancelled):
        job_start(job, total=10)
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
