"""Heartbeats: the worker running a job beats, and a job whose worker stopped beating is resumed or failed.

A worker that dies (SIGKILL, the out-of-memory killer, a lost machine) cannot say so, and tasks are acknowledged when
they start (settings: no acks_late), so the broker never hands a job out a second time. Instead each worker process
beats for the jobs it runs (`Job.heartbeat_at`, every JOB_HEARTBEAT_SECONDS from a thread and at every progress
report), and every worker looks, when it starts and then every third of JOB_STALE_SECONDS, for running jobs whose
beat stopped more than JOB_STALE_SECONDS ago. A kind registered with `@resumable` (a re-run replaces what the last run
made: the page pipeline, a PDF's pages) is queued again from the step it was at, up to MAX_ATTEMPTS runs in all; any
other job (generation, training) is failed, never run twice.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import connections
from django.db.models import F
from django.utils import timezone

from portal.jobs.models import Job

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a page that kills its worker every time is failed, not retried forever

RESUMABLE: dict[str, tuple[Callable[[Job], None], Callable[[Job], None] | None]] = {}
_lock = threading.Lock()
_beating: dict[int, int] = {}  # job id -> attempt: the jobs this process runs now
_beater_pid: int | None = None


def resumable(kind: str, *, failed: Callable[[Job], None] | None = None):
    """Register `resume(job)` for a kind of job: queue its remaining work again, for the run `job.attempt`.
    `failed(job)` tidies up after a job given up (its worker died MAX_ATTEMPTS times)."""

    def register(resume: Callable[[Job], None]) -> Callable[[Job], None]:
        RESUMABLE[kind] = (resume, failed)
        return resume

    return register


def beat_start(job: Job) -> None:
    """This process runs `job` now: beat for it until beat_stop, or until the task ends."""
    global _beater_pid
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(heartbeat_at=timezone.now())
    with _lock:
        _beating[job.pk] = job.attempt
        if _beater_pid != os.getpid():  # none yet, or inherited through a fork (the thread did not come along)
            _beater_pid = os.getpid()
            threading.Thread(target=_beat_forever, name="job-heartbeat", daemon=True).start()


def beat_stop(job: Job, *, waiting: bool = False) -> None:
    """Stop beating for `job`; `waiting`: it stays running but waits in a queue for its next step (no beat)."""
    with _lock:
        _beating.pop(job.pk, None)
    if waiting:
        Job.objects.filter(pk=job.pk, attempt=job.attempt, status=Job.Status.RUNNING).update(heartbeat_at=None)


def beat_stop_all() -> None:
    """The task ended: a job it left running without saying it waits goes stale and is resumed or failed."""
    with _lock:
        _beating.clear()


def _beat_forever() -> None:
    while True:
        time.sleep(settings.JOB_HEARTBEAT_SECONDS)
        with _lock:
            beating = dict(_beating)
        if not beating:
            continue
        try:
            now = timezone.now()
            for pk, attempt in beating.items():
                Job.objects.filter(pk=pk, attempt=attempt, status=Job.Status.RUNNING).update(heartbeat_at=now)
        except Exception:  # noqa: BLE001 - a missed beat is retried; the job itself goes on
            log.warning("could not record the heartbeat of jobs %s", list(beating), exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only


def jobs_reap() -> list[Job]:
    """Resume or fail the running jobs whose worker stopped beating; returns them. Safe in several workers at once:
    each job is claimed with a conditional update, so one reaper acts on it."""
    from portal.jobs.progress import job_fail

    stale = settings.JOB_STALE_SECONDS
    now = timezone.now()
    reaped = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=now - timedelta(seconds=stale)):
        claimed = Job.objects.filter(
            pk=job.pk, status=Job.Status.RUNNING, attempt=job.attempt, heartbeat_at=job.heartbeat_at
        ).update(heartbeat_at=None, attempt=F("attempt") + 1)
        if not claimed:
            continue
        silent = int((now - job.heartbeat_at).total_seconds())
        job.refresh_from_db()
        resume, failed = RESUMABLE.get(job.kind, (None, None))
        if resume is not None and job.attempt < MAX_ATTEMPTS:
            log.warning("job %s: its worker stopped %d s ago; queued again (run %d)", job.pk, silent, job.attempt + 1)
            try:
                resume(job)
            except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the job
                log.exception("could not queue job %s again", job.pk)
                job_fail(job, f"The worker running this job stopped, and it could not be queued again: {exc}")
        elif resume is not None:
            log.warning("job %s: its worker stopped %d times; failed", job.pk, job.attempt)
            job_fail(
                job,
                f"The worker stopped {job.attempt} times while running this job (out of memory?); it is "
                "not started again.",
            )
            if failed is not None:
                failed(job)
        else:
            log.warning("job %s (%s): its worker stopped %d s ago; failed", job.pk, job.kind, silent)
            job_fail(
                job,
                f"The worker running this job stopped (no heartbeat for {silent} s). This kind of job is "
                "never run twice on its own: start it again.",
            )
        reaped.append(job)
    return reaped


def reaper_start() -> threading.Thread:
    """In every worker: look for stale jobs now and then every third of JOB_STALE_SECONDS, in a thread."""

    def reap_forever() -> None:
        while True:
            try:
                jobs_reap()
            except Exception:  # noqa: BLE001 - the database was away: try again next round
                log.warning("could not look for jobs whose worker stopped", exc_info=True)
            finally:
                connections.close_all()
            time.sleep(max(settings.JOB_STALE_SECONDS / 3, 1))

    thread = threading.Thread(target=reap_forever, name="job-reaper", daemon=True)
    thread.start()
    return thread
