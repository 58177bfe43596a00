"""The rules of re-running a page and of moving a document live in services (pipeline.page_rerun,
permissions.document_change_check); the API answers their refusals with the service's own message."""

from __future__ import annotations

import pytest

from portal.archive import pipeline
from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(users, project) -> Page:
    page = make_page_with_lines(make_document(project), users["owner"])
    Job.objects.filter(target=f"archive.page:{page.pk}").update(status=Job.Status.DONE)
    return page


def test_reading_a_page_without_lines_is_refused_with_a_reason(page, users, api_client_for):
    page.lines.all().delete()
    response = api_client_for(users["editor"]).post(f"/api/pages/{page.pk}/process/?steps=recognition")
    assert response.status_code == 400
    assert response.json() == {"error": f"page {page.number} has no lines to read; run segmentation first"}
    assert not Job.objects.filter(target=f"archive.page:{page.pk}", status=Job.Status.QUEUED).exists()


def test_a_page_never_prepared_is_prepared_before_the_steps_asked_for(page, users):
    assert not page.thumbnail
    job = pipeline.page_rerun(page=page, steps=["segmentation"], user=users["editor"])
    assert job.params["steps"] == ["prepare", "segmentation"]


def test_a_busy_page_is_left_to_its_job(page, users):
    first = pipeline.page_rerun(page=page, steps=["recognition"], user=users["editor"])
    with pytest.raises(pipeline.PageBusy, match=f"already being processed \\(job {first.pk}\\)"):
        pipeline.page_rerun(page=page, steps=["recognition"], user=users["editor"])


def test_document_process_skips_the_pages_it_may_not_rerun(page, users, api_client_for):
    busy = pipeline.page_rerun(page=page, steps=["recognition"], user=users["editor"])
    idle = make_page_with_lines(page.document, users["owner"])
    Job.objects.filter(target=f"archive.page:{idle.pk}").update(status=Job.Status.DONE)
    response = api_client_for(users["editor"]).post(f"/api/documents/{page.document_id}/process/", {}, format="json")
    assert response.status_code == 202
    assert [job["target"] for job in response.json()["jobs"]] == [f"archive.page:{idle.pk}"]
    assert Job.objects.get(pk=busy.pk).status == Job.Status.QUEUED


def test_moving_a_document_needs_ownership_of_both_projects(page, users, api_client_for):
    other = make_project(users["outsider"], name="Autre fonds", members={users["owner"]: "editor"})
    response = api_client_for(users["owner"]).patch(
        f"/api/documents/{page.document_id}/", {"project": other.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "moving a document needs ownership of both projects"}
    page.document.refresh_from_db()
    assert page.document.project_id != other.pk
