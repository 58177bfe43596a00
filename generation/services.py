"""Generation services, web-side: submit a job (limits first), cancel it, delete it. The views and the API call these;
the worker runs a job through running.py. Nothing here imports torch."""

from __future__ import annotations

import shutil
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from generation import tasks
from generation.files import job_folder
from generation.forms import KIND_PREFIX, GenerationForm
from portal.accounts.users import signed_in
from portal.jobs.models import Job
from portal.jobs.progress import job_cancel
from portal.jobs.queue import job_enqueue

__all__ = ["job_folder", "generation_submit", "generation_cancel", "generation_delete"]
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


class GenerationRefused(Exception):
    """A request the portal will not queue now (rate or queue limit); `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 429):
        super().__init__(message)
        self.message = message
        self.status = status


def requester_key(*, user, session_key: str, client_ip: str) -> str:
    if signed_in(user):
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
            _("Too many requests: %(limit)d generations per %(minutes)d minutes. Try again a little later.")
            % {"limit": settings.GENERATION_RATE_LIMIT, "minutes": max(1, window // 60)}
        )


def generation_queue_check(*, user, session_key: str) -> None:
    active = Job.objects.filter(kind__startswith=KIND_PREFIX, status__in=ACTIVE)
    if active.count() >= settings.GENERATION_MAX_QUEUE:
        raise GenerationRefused(
            _("The generation queue is full (%(n)d jobs waiting). Try again in a few minutes.")
            % {"n": settings.GENERATION_MAX_QUEUE},
            status=503,
        )
    mine = active.filter(owner=user) if signed_in(user) else active.filter(owner=None, session_key=session_key)
    if mine.count() >= settings.GENERATION_MAX_ACTIVE_PER_USER:
        raise GenerationRefused(
            _("You already have %(n)d generations waiting or running; wait for one to finish or cancel it.")
            % {"n": settings.GENERATION_MAX_ACTIVE_PER_USER}
        )


def generation_submit(*, form: GenerationForm, user, session_key: str, client_ip: str) -> Job:
    """Queue a validated request: limits, a Job row, the uploaded pictures beside it, then the task on commit."""
    generation_queue_check(user=user, session_key=session_key)
    generation_rate_check(key=requester_key(user=user, session_key=session_key, client_ip=client_ip))
    kind = KIND_PREFIX + form.kind
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            owner=signed_in(user),
            session_key="" if signed_in(user) else session_key,
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
        job_enqueue(tasks.generation_run.si(job.pk), job=job)
    return job


def generation_cancel(*, job: Job) -> None:
    job_cancel(job)


def generation_delete(*, job: Job) -> None:
    if job.is_active:
        job_cancel(job)
    shutil.rmtree(job_folder(job), ignore_errors=True)
    job.delete()
