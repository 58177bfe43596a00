"""A PDF's pages are drawn by a REAL worker (queue `default`), one at a time to disk, and become the document's next
pages, each with its pipeline job; the stored PDF and the drawing folder are removed afterwards."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.conf import settings
from PIL import Image

from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document, make_project, make_user
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


def small_pdf(sizes: list[tuple[int, int]]) -> bytes:
    doc = pdfium.PdfDocument.new()
    for width, height in sizes:
        doc.new_page(width, height)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (250, 240, 230)).save(buf, "PNG")
    return buf.getvalue()


def test_the_worker_draws_a_pdf_at_200_dpi_into_the_next_pages(celery_worker):
    from rest_framework.test import APIClient

    user = make_user("scribe")
    document = make_document(make_project(user))
    client = APIClient()
    client.force_authenticate(user)
    files = []
    for name, data in (("first.png", png()), ("book.pdf", small_pdf([(100, 150), (150, 100)]))):
        f = io.BytesIO(data)
        f.name = name
        files.append(f)
    response = client.post(f"/api/documents/{document.pk}/upload/", {"files": files}, format="multipart")
    assert response.status_code == 201, response.content
    pdf_job = Job.objects.get(kind="pdf_render")

    job = wait_for_job(pdf_job.pk)
    assert job.status == Job.Status.DONE, job.error
    assert (job.done, job.total) == (2, 2)
    pages = list(document.pages.order_by("number"))
    assert [(p.number, p.original_name) for p in pages] == [(1, "first.png"), (2, "book.pdf#1"), (3, "book.pdf#2")]
    assert job.result["pages"] == [pages[1].pk, pages[2].pk]
    assert [(p.width, p.height) for p in pages[1:]] == [(278, 417), (417, 278)]  # 100 pt × 200/72
    for page in pages[1:]:
        with Image.open(page.image.path) as img:
            assert (img.format, img.size) == ("JPEG", (page.width, page.height))
    assert not (Path(settings.MEDIA_ROOT) / "documents" / str(document.pk) / "uploads" / str(job.pk)).exists()

    page_jobs = Job.objects.filter(kind="page_pipeline", target__in=[f"archive.page:{p.pk}" for p in pages[1:]])
    assert page_jobs.count() == 2
    for page_job in page_jobs:
        assert wait_for_job(page_job.pk).status == Job.Status.DONE
    assert Page.objects.get(pk=pages[2].pk).state == Page.State.DONE
