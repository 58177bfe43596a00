"""Queueing work: the one way every app sends a task.

A service creates its rows (the Job first) inside a transaction and calls `job_enqueue`: the message goes out once the
transaction commits, so a worker never looks for a row that is not there yet, and a rolled-back request queues
nothing. A broker that is down does not lose the work silently: the job ends failed with a message saying so (or the
caller's `on_refused` records it where its user will look, for work without a Job row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery.canvas import Signature
from django.db import transaction
from django.utils.translation import gettext as _

from portal.jobs.models import Job
from portal.jobs.progress import job_fail

log = logging.getLogger(__name__)


def job_enqueue(
    signature: Signature,
    *,
    job: Job | None = None,
    on_refused: Callable[[str], None] | None = None,
) -> None:
    """Send `signature` (a task's `.si(...)`, or a chain) when the current transaction commits (at once outside one).
    The job's `task_id` is kept when the caller chose it (so a cancel can revoke the first step), else the sent
    task's id is recorded on it."""
    transaction.on_commit(lambda: job_send(signature, job=job, on_refused=on_refused))


def job_send(
    signature: Signature,
    *,
    job: Job | None = None,
    on_refused: Callable[[str], None] | None = None,
) -> None:
    """Send now (a job resumed by the heartbeat is already committed); see job_enqueue."""
    try:
        result = signature.apply_async()
    except Exception as error:  # noqa: BLE001 - the broker is down: say so where someone will see it
        what = f"{job.kind} #{job.pk}" if job is not None else signature.name
        log.exception("could not queue %s", what)
        message = _("Could not queue the work: the task queue is unreachable (%(error)s).") % {"error": error}
        if job is not None:
            job_fail(job, message)
        if on_refused is not None:
            on_refused(message)
        return
    if job is not None and not job.task_id:
        job.task_id = result.id
        Job.objects.filter(pk=job.pk, task_id="").update(task_id=result.id)
