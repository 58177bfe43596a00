"""Generation services: submit a job (limits first), cancel it, run it in the worker. Views and tasks only call these."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import torch
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from generation.forms import GenerationForm
from generation.pipelines import ModelNotConfigured
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, job_cancel, job_fail

log = logging.getLogger(__name__)
KIND_PREFIX = "generation."
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


class GenerationRefused(Exception):
    """A request the portal will not queue now (rate or queue limit); `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 429):
        super().__init__(message)
        self.message = message
        self.status = status


def job_folder(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / "generation" / str(job.pk)


def requester_key(*, user, session_key: str, client_ip: str) -> str:
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip or 'unknown'}"


def generation_rate_check(*, key: str) -> None:
    """At most GENERATION_RATE_LIMIT jobs per requester per window (a fixed window counted in the Redis cache)."""
    window = settings.GENERATION_RATE_WINDOW
    bucket = f"generation-rate:{key}:{int(time.time() // window)}"
    cache.add(bucket, 0, timeout=window + 5)
    count = cache.incr(bucket)
    if count > settings.GENERATION_RATE_LIMIT:
        raise GenerationRefused(
            _(
                "Too many requests: %(limit)d generations per %(minutes)d minutes. Try again a little later."
            )
            % {"limit": settings.GENERATION_RATE_LIMIT, "minutes": max(1, window // 60)}
        )


def generation_queue_check(*, user, session_key: str) -> None:
    active = Job.objects.filter(kind__startswith=KIND_PREFIX, status__in=ACTIVE)
    if active.count() >= settings.GENERATION_MAX_QUEUE:
        raise GenerationRefused(
            _(
                "The generation queue is full (%(n)d jobs waiting). Try again in a few minutes."
            )
            % {"n": settings.GENERATION_MAX_QUEUE},
            status=503,
        )
    mine = (
        active.filter(owner=user)
        if user is not None and user.is_authenticated
        else active.filter(owner=None, session_key=session_key)
    )
    if mine.count() >= settings.GENERATION_MAX_ACTIVE_PER_USER:
        raise GenerationRefused(
            _(
                "You already have %(n)d generations waiting or running; wait for one to finish or cancel it."
            )
            % {"n": settings.GENERATION_MAX_ACTIVE_PER_USER}
        )


def generation_submit(
    *, form: GenerationForm, user, session_key: str, client_ip: str
) -> Job:
    """Queue a validated request: limits, a Job row, the uploaded pictures beside it, then the task on commit."""
    from generation import tasks

    generation_queue_check(user=user, session_key=session_key)
    generation_rate_check(
        key=requester_key(user=user, session_key=session_key, client_ip=client_ip)
    )
    kind = KIND_PREFIX + form.kind
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            owner=user if user is not None and user.is_authenticated else None,
            session_key=""
            if user is not None and user.is_authenticated
            else session_key,
            params=form.params(),
            message=_("Waiting for the GPU worker…"),
        )
        job.target = f"generation.job:{job.pk}"
        job.group = f"job-{job.pk}"
        inputs = job_folder(job) / "inputs"
        inputs.mkdir(parents=True, exist_ok=True)
        for name, image in form.images.items():
            image.save(inputs / f"{name}.png")
        job.params["inputs"] = sorted(form.images)
        job.save(update_fields=["target", "group", "params"])
        task = tasks.TASKS[form.kind]
        transaction.on_commit(lambda: _enqueue(job.pk, task))
    return job


def _enqueue(job_id: int, task) -> None:
    result = task.delay(job_id)
    Job.objects.filter(pk=job_id).update(task_id=result.id)


def generation_cancel(*, job: Job) -> None:
    job_cancel(job)


def generation_delete(*, job: Job) -> None:
    if job.is_active:
        job_cancel(job)
    shutil.rmtree(job_folder(job), ignore_errors=True)
    job.delete()


def generation_run(*, job_id: int) -> None:
    """Run one queued job in the worker. Every failure ends in the Job row; the worker itself carries on."""
    from generation.features import RUNNERS

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Job.Status.DONE, Job.Status.CANCELLED):
        return  # deleted, or a redelivery after the job already finished
    runner = RUNNERS.get(job.kind.removeprefix(KIND_PREFIX))
    if runner is None:
        job_fail(job, f"unknown generation kind {job.kind!r}")
        return
    try:
        runner(job)
    except JobCancelled:
        log.info("generation job %s cancelled", job.pk)
    except torch.cuda.OutOfMemoryError:
        log.warning("generation job %s ran out of GPU memory", job.pk, exc_info=True)
        torch.cuda.empty_cache()
        params = job.params
        job_fail(
            job,
            _(
                "The GPU ran out of memory for this request (%(w)s×%(h)s px, %(n)s images). Try a smaller "
                "size or fewer images."
            )
            % {
                "w": params.get("width", "?"),
                "h": params.get("height", "?"),
                "n": params.get("batch", 1),
            },
        )
    except (ModelNotConfigured, ValueError) as error:
        job_fail(job, str(error))
    except Exception as error:
        log.exception("generation job %s failed", job.pk)
        job_fail(
            job,
            _("Generation failed: %(error)s")
            % {"error": f"{type(error).__name__}: {error}"},
        )
