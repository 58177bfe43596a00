"""Deleting a document while its tiles are being made leaves no file behind: the tiling never recreates the deleted
page's folder, and stops."""

import io
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.signals import post_delete
from PIL import Image

from portal.archive import images
from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job


def document_folder(page: Page) -> Path:
    return Path(settings.MEDIA_ROOT) / "documents" / str(page.document_id)


@pytest.mark.django_db
def test_a_document_deleted_between_two_levels_of_tiles_leaves_no_folder(
    users, project, api_client_for, django_capture_on_commit_callbacks
):
    page = make_page_with_lines(make_document(project), users["owner"])
    folder = document_folder(page)
    assert folder.is_dir()

    def delete_the_document(done: int, total: int) -> None:
        if done == 1:  # the top level is written, the others are still to come
            with django_capture_on_commit_callbacks(execute=True):
                response = api_client_for(users["owner"]).delete(f"/api/documents/{page.document_id}/")
            assert response.status_code == 204 and not folder.exists()

    with pytest.raises(images.PageGone):
        images.tiles_make(page, on_level=delete_the_document)
    assert not folder.exists()


@pytest.mark.django_db
def test_a_thumbnail_of_a_page_deleted_before_it_is_made_leaves_no_folder(
    users, project, api_client_for, django_capture_on_commit_callbacks
):
    page = make_page_with_lines(make_document(project), users["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client_for(users["owner"]).delete(f"/api/pages/{page.pk}/").status_code == 204
    with pytest.raises(images.PageGone):
        images.thumbnail_make(page)  # the worker still holds the page it loaded
    with pytest.raises(images.PageGone):
        images.tiles_make(page)
    assert not images.page_dir(page).exists()


@pytest.mark.django_db
def test_the_tiling_of_a_page_still_there_is_unchanged(users, project):
    page = make_page_with_lines(make_document(project), users["owner"])
    count = images.tiles_make(page)
    assert count == len(list(images.tiles_dir(page).rglob("*.jpg"))) > 0
    assert not (images.page_dir(page) / "tiles.tmp").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", ["document", "project"])
def test_the_rows_are_deleted_before_the_files(what, api_client_for):
    """Else a worker could find the page still there after its folder went, and write into a new one."""
    owner = make_user("keeper")
    page = make_page_with_lines(make_document(make_project(owner)), owner)
    folder, seen = document_folder(page), []

    def page_deleted(sender, instance, **kwargs):
        seen.append(folder.exists())

    post_delete.connect(page_deleted, sender=Page)
    try:
        target = (
            f"/api/documents/{page.document_id}/"
            if what == "document"
            else f"/api/projects/{page.document.project_id}/"
        )
        assert api_client_for(owner).delete(target).status_code == 204
    finally:
        post_delete.disconnect(page_deleted, sender=Page)
    assert seen == [True]  # the files were still there when the page's row went
    assert not folder.exists()


def big_scan() -> bytes:
    """A scan large enough that its pyramid takes a few seconds: the deletion lands in the middle of it."""
    image = Image.effect_noise((6000, 6000), 60).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(600)
def test_deleting_a_document_while_the_worker_makes_its_tiles_leaves_no_file(celery_worker, api_client_for):
    owner = make_user("tiler")
    document = make_document(make_project(owner))
    client = api_client_for(owner)
    uploaded = client.post(
        f"/api/documents/{document.pk}/upload/",
        {"files": [SimpleUploadedFile("big.jpg", big_scan())]},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    page = Page.objects.get(pk=uploaded.json()["pages"][0]["id"])
    job_id = uploaded.json()["jobs"][0]["id"]
    tiles_tmp = images.page_dir(page) / "tiles.tmp"
    deadline = time.monotonic() + 300
    while not (tiles_tmp.is_dir() and any(tiles_tmp.iterdir())):  # the worker is writing the pyramid
        assert time.monotonic() < deadline, Job.objects.get(pk=job_id).message
        time.sleep(0.05)
    assert client.delete(f"/api/documents/{document.pk}/").status_code == 204
    job = wait_for_job(job_id, timeout=300)
    time.sleep(1)
    assert not document_folder(page).exists()
    assert job.status == "failed" and "was deleted while its images were being made" in job.error
