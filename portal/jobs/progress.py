"""The one helper through which long work reports progress: the Job row first, then a Channels event.

Events are throttled (about one a second per job) and a failed push never fails the job. Starting, reporting and
ending a job also keep its heartbeat (heartbeat.py).
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from portal.jobs.heartbeat import beat_start, beat_stop
from portal.jobs.models import Job

log = logging.getLogger(__name__)
_last_push: dict[int, float] = {}
THROTTLE_SECONDS = 1.0


class JobCancelled(Exception):
    """Raised inside long work when its job was cancelled by a user."""


class JobSuperseded(JobCancelled):
    """Raised inside long work whose worker was taken for dead: a newer run of the job does the work now."""


def send_event(group: str, event: dict) -> None:
    if not group:
        return
    try:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, {"type": "progress.event", "event": event})
    except Exception:  # noqa: BLE001 - progress is best effort
        log.warning("could not push a progress event to %s", group, exc_info=True)


def job_push(job: Job, force: bool = False) -> None:
    now = time.monotonic()
    if not force and now - _last_push.get(job.pk, 0.0) < THROTTLE_SECONDS:
        return
    _last_push[job.pk] = now
    event = job.as_event()
    send_event(job.group, event)
    send_event(f"job-{job.pk}", event)


def job_start(job: Job, *, total: int = 0, message: str = "") -> None:
    """Mark the job running and beat for it; raises JobCancelled for a job that already ended (a late message)."""
    job.refresh_from_db(fields=["status", "attempt"])
    if job.status in (Job.Status.CANCELLED, Job.Status.DONE, Job.Status.FAILED):
        raise JobCancelled()
    job.status = Job.Status.RUNNING
    job.started = job.started or timezone.now()
    job.heartbeat_at = timezone.now()
    job.total = total or job.total
    job.done = 0
    job.message = message
    job.error = ""
    job.save(update_fields=["status", "started", "heartbeat_at", "total", "done", "message", "error", "updated"])
    beat_start(job)
    job_push(job, force=True)


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "", force: bool = False) -> None:
    """Record progress (a heartbeat too); raises JobCancelled when a user cancelled the job meanwhile, JobSuperseded
    when a newer run took it over. `force`: a milestone (a training's new curve point), pushed even within the
    throttle."""
    job.done = done
    if total is not None:
        job.total = total
    if message:
        job.message = message
    now = timezone.now()
    updated = (
        Job.objects.filter(pk=job.pk, attempt=job.attempt)
        .exclude(status=Job.Status.CANCELLED)
        .update(done=job.done, total=job.total, message=job.message, updated=now, heartbeat_at=now)
    )
    if not updated:
        beat_stop(job)
        if Job.objects.filter(pk=job.pk, status=Job.Status.CANCELLED).exists():
            raise JobCancelled()
        raise JobSuperseded()
    job_push(job, force=force)


def job_finish(job: Job, *, result: dict | None = None, message: str = "") -> None:
    job.status = Job.Status.DONE
    job.done = max(job.done, job.total)
    job.result = result if result is not None else job.result
    job.message = message or job.message
    job.finished = timezone.now()
    job.save()
    beat_stop(job)
    job_push(job, force=True)


def job_fail(job: Job, error: str) -> None:
    beat_stop(job)
    job.refresh_from_db(fields=["status"])
    if job.status == Job.Status.CANCELLED:
        job_push(job, force=True)
        return
    job.status = Job.Status.FAILED
    job.error = error[:5000]
    job.finished = timezone.now()
    job.save(update_fields=["status", "error", "finished", "updated"])
    job_push(job, force=True)


def default_failure_message(job: Job, error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


@contextmanager
def failures_recorded(
    job: Job,
    *,
    explain: Callable[[Job, Exception], str] = default_failure_message,
    on_failed: Callable[[Job, Exception], None] | None = None,
    reraise: bool = False,
) -> Iterator[None]:
    """Run a job's work so that it always ends on the Job row: an exception fails the job with `explain`'s message (a
    person reads it on the page) and is logged; a cancel or a newer run taking over ends quietly. `on_failed` does the
    caller's own bookkeeping (a chat message, a page's state); `reraise` lets the task fail too (Celery's own record)."""
    try:
        yield
    except JobSuperseded:
        log.warning("job %s (%s): a newer run of it does the work now", job.pk, job.kind)
    except JobCancelled:
        log.info("job %s (%s) was cancelled", job.pk, job.kind)
    except Exception as error:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job, explain(job, error))
        if on_failed is not None:
            on_failed(job, error)
        if reraise:
            raise


def job_cancel(job: Job) -> None:
    """Mark cancelled and revoke the task; a running task notices at its next progress report."""
    from portal.celery import app

    if not job.is_active:
        return
    job.status = Job.Status.CANCELLED
    job.finished = timezone.now()
    job.save(update_fields=["status", "finished", "updated"])
    if job.task_id:
        app.control.revoke(job.task_id)
    job_push(job, force=True)
