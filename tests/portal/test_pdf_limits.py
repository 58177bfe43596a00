"""A tiny PDF of huge, finely patterned pages (issue #12): refused at upload where its page sizes say so, never drawn
in the web process, and failed by the worker with a clear error — leaving no page and no file — when its drawn
pages come to more bytes than the upload may store."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings

from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document, make_project, make_user
from tests.portal.pdf_helpers import pattern_pdf
from tests.processes import wait_for_job

SIDE = 3700  # points: 10,278 px square at 200 dpi, 106 MP, about 70 MB of JPEG a page


def post_pdf(client, document, data: bytes, name: str = "pattern.pdf"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/api/documents/{document.pk}/upload/", {"files": [f]}, format="multipart")


def files_under(document) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "documents" / str(document.pk)
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


@pytest.fixture
def editor(db):
    from rest_framework.test import APIClient

    user = make_user("scribe")
    client = APIClient()
    client.force_authenticate(user)
    return client, make_document(make_project(user), title="Patterns")


@pytest.mark.django_db
def test_the_web_process_does_not_draw_a_pdf(editor):
    client, document = editor
    data = pattern_pdf(2, SIDE, SIDE)  # 1.5 KB; drawn in the request this took 1.8 GB for 6 pages
    Path("/proc/self/clear_refs").write_text("5")  # start the peak (VmHWM) again from what is resident now
    before = peak_memory_mb()
    response = post_pdf(client, document, data)
    assert response.status_code == 201, response.content
    assert peak_memory_mb() - before < 100
    assert response.json()["pages"] == []
    assert Job.objects.get(kind="pdf_render").params["pages"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("limit", "value", "pages", "said"),
    [
        pytest.param(
            "UPLOAD_MAX_PIXELS",
            50_000_000,
            2,
            ("pattern.pdf (page 1, at 200 dpi)", "105,637,284 pixels"),
            id="a-pdf-page-over-the-pixel-limit",
        ),
        pytest.param(
            "UPLOAD_MAX_TOTAL_PIXELS",
            500_000_000,
            6,
            ("pattern.pdf", "633,823,704 pixels", "UPLOAD_MAX_TOTAL_PIXELS"),
            id="pdf-pages-that-come-to-too-many-pixels-in-all",
        ),
    ],
)
def test_it_refuses_at_upload_a_pdf_whose_pages_pass_a_pixel_limit(editor, settings, limit, value, pages, said):
    client, document = editor
    setattr(settings, limit, value)
    response = post_pdf(client, document, pattern_pdf(pages, SIDE, SIDE))
    assert response.status_code == 400
    message = response.json()["error"]
    assert all(part in message for part in said), message
    assert not Page.objects.exists() and not Job.objects.exists() and not files_under(document)


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(600)
def test_a_pdf_whose_drawn_pages_pass_the_byte_limit_fails_its_job_and_leaves_nothing(celery_worker, editor, settings):
    client, document = editor
    settings.UPLOAD_MAX_BYTES = 3 * 1024 * 1024  # each 1,389 px page below is about 1.4 MB of JPEG
    response = post_pdf(client, document, pattern_pdf(6, 500, 500))
    assert response.status_code == 201, response.content
    [job] = response.json()["jobs"]
    assert job["kind"] == "pdf_render"
    job = wait_for_job(job["id"], timeout=300)
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("pattern.pdf: drawn at 200 dpi, its pages come to more than 3.0 MB by page 3 of 6")
    assert "UPLOAD_MAX_BYTES" in job.error and job.done == 2
    assert not Page.objects.filter(document=document).exists()
    assert Job.objects.count() == 1  # no page jobs
    assert files_under(document) == []
    assert client.get(f"/api/jobs/{job.pk}/").json()["error"] == job.error
