"""What the workers that bring a document new pages share (a PDF's pages drawn, IIIF canvases fetched): one job of
the document, run in a folder of its own that is removed after, resumed from the first page when a worker stopped;
the pages are stored all at once with the job's end (or none is), and the document's room hears of them."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from celery.canvas import Signature
from django.db import transaction

from portal.accounts.users import signed_in
from portal.archive import uploads
from portal.archive.models import Document
from portal.jobs.heartbeat import beat_start
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_finish, job_start, send_event
from portal.jobs.queue import job_send

log = logging.getLogger(__name__)


def page_job_create(*, kind: str, document: Document, user, params: dict, total: int, message: str) -> Job:
    """The job of `kind` that brings `document` new pages (queued by its caller)."""
    return Job.objects.create(
        kind=kind,
        owner=signed_in(user),
        target=f"archive.document:{document.pk}",
        group=f"document-{document.pk}",
        params=params,
        total=total,
        message=message,
        task_id=str(uuid4()),
    )


def page_job_task(task: str) -> Callable[[Job], Signature]:
    """What sends a page job to `task` of portal.archive.tasks, for the job's current run under its task id (looked up
    at the call: the tasks module imports the modules of the page jobs)."""

    def signature(job: Job) -> Signature:
        from portal.archive import tasks

        return getattr(tasks, task).si(job.pk, job.attempt).set(task_id=job.task_id)

    return signature


def page_job_resume(job: Job, signature: Callable[[Job], Signature], message: str) -> None:
    """Send the job again under a new task id (`signature(job)`), from its first page: nothing was stored yet."""
    job.task_id = str(uuid4())
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id, message=message)
    job_send(signature(job), job=job)


def page_job_run(
    *,
    job_id: int,
    attempt: int | None,
    folder_of: Callable[[Job], Path],
    total_of: Callable[[Job], int],
    starting: str,
    scans_made: Callable[[Job, Document, Path], list],
    refused: tuple[type[Exception], ...],
    failed: str,
    no_page: str = "",
) -> None:
    """The worker's part of a page job: `scans_made(job, document, folder)` brings the pages to disk, then they are
    all stored. A refusal (`refused`: its reason) or any other failure (`failed`, with the error) fails the job, with
    `no_page` after; a newer run of the job takes over; the folder goes after."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.is_active or (attempt is not None and attempt != job.attempt):
        return
    folder = folder_of(job)
    document = Document.objects.filter(pk=job.target.partition(":")[2]).first()
    try:
        if document is None:
            raise uploads.UploadError("the document was deleted")
        if job.status == Job.Status.QUEUED:
            job_start(job, total=total_of(job), message=starting)
        else:
            beat_start(job)
        job_pages_store(job=job, document=document, scans=scans_made(job, document, folder))
    except JobSuperseded:
        return  # a newer run brings them now, in this folder
    except JobCancelled:
        pass
    except refused as exc:
        job_fail(job, f"{exc}{no_page}")
    except Exception as exc:  # noqa: BLE001 - recorded on the job
        log.exception("job %s: %s", job.pk, failed)
        job_fail(job, f"{failed}: {exc}{no_page}")
    shutil.rmtree(folder, ignore_errors=True)


def job_pages_store(*, job: Job, document: Document, scans: list) -> None:
    """Store `scans` as the document's next pages and finish `job` in one transaction; if that fails, no page folder
    is left behind. Then the document's open pages show the new ones without a reload."""
    written: list[Path] = []
    try:
        with transaction.atomic():
            pages, _ = uploads.pages_store(document=document, scans=scans, user=job.owner, written=written)
            job_finish(job, result={"pages": [page.pk for page in pages]}, message=f"{len(pages)} pages added")
    except BaseException:
        for page_folder in written:
            shutil.rmtree(page_folder, ignore_errors=True)
        raise
    document_pages_announce(document)


def document_pages_announce(document: Document) -> None:
    """The document's room re-reads its pages, so the new ones appear without a reload."""
    from portal.archive.consumers import document_state

    send_event(f"document-{document.pk}", document_state(document.pk))
