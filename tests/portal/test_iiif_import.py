"""Importing a document from a IIIF Presentation 2 or 3 manifest, against a real IIIF server on 127.0.0.1 and the
real worker: pages fetched at the size the reader needs, labels and metadata kept, bad input refused losing nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from portal.archive.iiif_import import job_dir
from portal.archive.models import Document
from portal.jobs.models import Job
from portal.jobs.progress import job_cancel
from tests.portal.iiif_server import IiifServer
from tests.processes import free_port, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


@pytest.fixture
def iiif_server():
    with IiifServer() as server:
        yield server


def _import(api_client_for, user, project, **data):
    return api_client_for(user).post(
        f"/api/projects/{project.pk}/iiif-import/", data, format="multipart" if "manifest" in data else "json"
    )


def _stop_reading(document: Document) -> None:
    """The reading pipeline was queued for the new pages; this test does not need it to run."""
    for job in Job.objects.filter(target__in=[f"archive.page:{p.pk}" for p in document.pages.all()]):
        job_cancel(job)


def test_a_v3_manifest_by_url_becomes_a_document_with_its_pages_labels_and_metadata(
    celery_worker, users, project, api_client_for, iiif_server
):
    response = _import(api_client_for, users["editor"], project, url=f"{iiif_server.base}/v3/manifest.json")
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    document = Document.objects.get(pk=response.json()["document"]["id"])  # its manifest read by the worker
    assert document.title == "Registre des délibérations, 1914"
    assert document.description == "Minutes of the town council."
    assert document.source == f"{iiif_server.base}/v3/manifest.json"
    assert {"label": "Date", "value": "1914"} in document.metadata
    assert {"label": "Shelfmark", "value": "AD14 3 E 12"} in document.metadata
    assert {"label": "Attribution", "value": "Archives du Calvados"} in document.metadata
    assert job.status == Job.Status.DONE, job.error
    assert job.kind == "iiif_import" and job.done == job.total == 2
    pages = list(document.pages.order_by("number"))
    _stop_reading(document)
    assert [p.original_name for p in pages] == ["f. 1r", "f. 2r"]
    # 5000×3000 is more than the reader needs: asked at !4000,4000 from the service; 1200×1600 whole
    assert (pages[0].width, pages[0].height) == (4000, 2400)
    assert (pages[1].width, pages[1].height) == (1200, 1600)
    assert "/iiif3/folio1/full/!4000,4000/0/default.jpg" in iiif_server.requests
    assert "/iiif3/folio2/full/max/0/default.jpg" in iiif_server.requests
    with Image.open(pages[0].image.path) as scan:
        assert scan.size == (4000, 2400)
        assert scan.getpixel((50, 50))[0] > 150  # the red mark in the corner came through
    steps = Job.objects.filter(kind="page_pipeline", target=f"archive.page:{pages[0].pk}")
    assert steps.exists()  # the usual reading pipeline follows
    assert not job_dir(job).exists()


def test_a_v2_manifest_file_is_imported_with_a_canvas_without_service_fetched_whole(
    celery_worker, users, project, api_client_for, iiif_server
):
    manifest = io.BytesIO(json.dumps(iiif_server.manifest_v2(["folio2", "plain"])).encode())
    manifest.name = "journal.json"
    response = _import(api_client_for, users["owner"], project, manifest=manifest)
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["document"]["id"])
    assert document.title == "Журнал входящих бумаг"
    assert document.description == "Книга 1812 года"
    assert {"label": "Фонд", "value": "Ф. 19"} in document.metadata
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.DONE, job.error
    _stop_reading(document)
    assert [(p.original_name, p.width, p.height) for p in document.pages.order_by("number")] == [
        ("p. 1", 1200, 1600),
        ("p. 2", 800, 600),
    ]
    assert "/iiif2/folio2/full/full/0/default.jpg" in iiif_server.requests
    assert "/files/plain.jpg" in iiif_server.requests


def test_a_service_that_refuses_the_size_gives_its_whole_image_scaled_here(
    celery_worker, users, project, api_client_for, iiif_server
):
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/level0/manifest.json")
    assert response.status_code == 201
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.DONE, job.error
    document = Document.objects.get(pk=response.json()["document"]["id"])
    _stop_reading(document)
    assert [(p.width, p.height) for p in document.pages.all()] == [(900, 700)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("html", "text/html that is not an image"),
        ("huge", "image too large (12000×11000"),
    ],
)
def test_a_bad_image_answer_fails_the_job_and_adds_no_page(
    celery_worker, users, project, api_client_for, iiif_server, name, expected
):
    response = _import(
        api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/folio2,{name}/manifest.json"
    )
    assert response.status_code == 201
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED
    assert expected in job.error and "f. 2r (canvas 2 of 2)" in job.error and "no page was added" in job.error
    document = Document.objects.get(pk=response.json()["document"]["id"])
    assert document.pages.count() == 0
    assert not job_dir(job).exists()
    assert not (Path(settings.MEDIA_ROOT) / "documents" / str(document.pk) / "pages").exists()


def test_an_address_import_answers_before_anything_is_fetched_and_the_worker_reads_the_manifest(
    users, project, api_client_for, iiif_server
):
    url = f"{iiif_server.base}/v3/manifest.json"
    response = _import(api_client_for, users["editor"], project, url=url)
    assert response.status_code == 201, response.content
    assert iiif_server.requests == []  # the web request fetched nothing: no worker runs in this test
    job = Job.objects.get(pk=response.json()["job"]["id"])
    assert job.status == Job.Status.QUEUED and job.params["manifest_url"] == url and job.params["canvases"] == []
    assert Document.objects.get().title == url  # until the worker reads the manifest's label
    job_cancel(job)


def test_an_unreachable_server_fails_the_job_after_retries_and_adds_no_page(
    celery_worker, users, project, api_client_for
):
    response = _import(api_client_for, users["owner"], project, url=f"http://127.0.0.1:{free_port()}/manifest.json")
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED
    assert "cannot be reached" in job.error and "tried 3 times" in job.error and "no page was added" in job.error
    assert Document.objects.get().pages.count() == 0


def test_a_manifest_with_no_canvases_fails_the_job_saying_so(
    celery_worker, users, project, api_client_for, iiif_server
):
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/empty/manifest.json")
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED
    assert "the manifest has no canvases (no pages to import)" in job.error
    assert Document.objects.get().pages.count() == 0


def test_transient_failures_of_the_manifest_and_an_image_are_tried_again(
    celery_worker, users, project, api_client_for, iiif_server
):
    iiif_server.failures = {"/v3/manifest.json": 2, "/iiif3/folio2/full/max/0/default.jpg": 1}
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/manifest.json")
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.DONE, job.error
    document = Document.objects.get()
    _stop_reading(document)
    assert document.title == "Registre des délibérations, 1914"  # read by the worker
    assert {"label": "Shelfmark", "value": "AD14 3 E 12"} in document.metadata
    assert document.pages.count() == 2
    assert iiif_server.requests.count("/v3/manifest.json") == 3
    assert iiif_server.requests.count("/iiif3/folio2/full/max/0/default.jpg") == 2


def test_a_server_that_keeps_failing_fails_the_job_after_the_retries(
    celery_worker, users, project, api_client_for, iiif_server
):
    iiif_server.failures = {"/v3/manifest.json": 99}
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/manifest.json")
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED
    assert "HTTP 503" in job.error and "tried 3 times" in job.error
    assert iiif_server.requests.count("/v3/manifest.json") == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"<html>not json</html>", "not JSON"),
        (b'{"@context": "http://schema.org", "type": "Manifest"}', "names neither version"),
        (
            b'{"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Collection", "items": []}',
            "a IIIF collection",
        ),
        (
            b'{"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Manifest", "items": []}',
            "no canvases",
        ),
    ],
)
def test_a_bad_manifest_is_refused_and_creates_nothing(users, project, api_client_for, content, expected):
    manifest = io.BytesIO(content)
    manifest.name = "bad.json"
    response = _import(api_client_for, users["owner"], project, manifest=manifest)
    assert response.status_code == 400
    assert expected in response.json()["error"] and "bad.json" in response.json()["error"]
    assert not Document.objects.exists()


def test_a_manifest_answered_with_an_error_status_fails_the_job_without_retrying(
    celery_worker, users, project, api_client_for, iiif_server
):
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v4/manifest.json")
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED and "HTTP 404" in job.error
    assert iiif_server.requests == ["/v4/manifest.json"]  # a 404 is no transient failure


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/manifest.json", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https_addresses_are_fetched(users, project, api_client_for, url):
    response = _import(api_client_for, users["owner"], project, url=url)
    assert response.status_code == 400
    assert "only http and https" in response.json()["error"]


def test_private_addresses_are_refused_unless_the_setting_allows_them(
    users, project, api_client_for, iiif_server, settings
):
    settings.IIIF_ALLOW_PRIVATE_HOSTS = False
    for url in (f"{iiif_server.base}/v3/manifest.json", "http://localhost:9/manifest.json"):
        response = _import(api_client_for, users["owner"], project, url=url)
        assert response.status_code == 400
        assert "private, local or reserved address" in response.json()["error"]
    assert iiif_server.requests == []  # not even connected to
    assert not Document.objects.exists()


def test_a_viewer_may_not_import_and_an_outsider_is_not_told_the_project_exists(users, project, api_client_for):
    assert _import(api_client_for, users["viewer"], project, url="http://x.invalid/m.json").status_code == 403
    assert _import(api_client_for, users["outsider"], project, url="http://x.invalid/m.json").status_code == 404
    assert _import(api_client_for, None, project, url="http://x.invalid/m.json").status_code in (401, 403)
    assert not Document.objects.exists()


def test_the_project_page_offers_the_import_form_and_it_starts_the_import(client, users, project, iiif_server):
    client.force_login(users["editor"])
    page = client.get(f"/projects/{project.pk}/")
    assert f'action="/projects/{project.pk}/iiif-import/"' in page.content.decode()
    response = client.post(f"/projects/{project.pk}/iiif-import/", {"url": f"{iiif_server.base}/v3/manifest.json"})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    job = Job.objects.get(kind="iiif_import")
    assert job.target == f"archive.document:{document.pk}"
    job_cancel(job)


def test_the_project_page_form_says_why_nothing_was_imported(client, users, project):
    client.force_login(users["editor"])
    response = client.post(
        f"/projects/{project.pk}/iiif-import/", {"url": "ftp://127.0.0.1/manifest.json"}, follow=True
    )
    assert "Nothing was imported" in response.content.decode()
    assert "only http and https" in response.content.decode()
    assert not Document.objects.exists()


def test_the_document_page_says_why_its_import_failed_after_a_reload(
    celery_worker, client, users, project, api_client_for, iiif_server
):
    response = _import(api_client_for, users["owner"], project, url=f"{iiif_server.base}/v3/html/manifest.json")
    job = wait_for_job(response.json()["job"]["id"], timeout=120)
    assert job.status == Job.Status.FAILED
    client.force_login(users["viewer"])
    html = client.get(f"/documents/{response.json()['document']['id']}/").content.decode()
    assert 'id="import-error"' in html and "The IIIF import failed:" in html and "is not an image" in html
    russian = client.get(f"/ru/documents/{response.json()['document']['id']}/").content.decode()
    assert "Импорт из IIIF не удался:" in russian
