"""What the workers that bring a document new pages share (a PDF's pages drawn, IIIF canvases fetched): the pages
are stored all at once with the job's end, and the document's room hears of them."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.db import transaction

from portal.archive import uploads
from portal.archive.models import Document
from portal.jobs.models import Job
from portal.jobs.progress import job_finish, send_event


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
