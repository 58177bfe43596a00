"""Queuing work on pages (POST .../process/) and following or cancelling it through /api/jobs/ (no worker needed:
the Job row is the truth the API reads)."""

import pytest
from django.db.models import F

from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(users, project):
    page = make_page_with_lines(make_document(project), users["owner"])
    Job.objects.filter(target=f"archive.page:{page.pk}").update(status=Job.Status.DONE, done=F("total"))  # prepared
    page.thumbnail = f"documents/{page.document_id}/pages/{page.pk}/thumbnail.jpg"
    page.save()
    return page


def test_processing_a_page_queues_one_job_with_the_steps_asked(users, api_client_for, page):
    client = api_client_for(users["editor"])
    response = client.post(f"/api/pages/{page.pk}/process/")
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "queued" and job["kind"] == "page_pipeline"
    assert job["params"]["steps"] == ["segmentation", "recognition"]
    stored = Job.objects.get(pk=job["id"])
    assert (stored.target, stored.group, stored.owner) == (
        f"archive.page:{page.pk}",
        f"document-{page.document_id}",
        users["editor"],
    )
    assert client.post(f"/api/pages/{page.pk}/process/").status_code == 409  # one job per page at a time


def test_recognition_alone_can_be_asked_for(users, api_client_for, page):
    response = api_client_for(users["owner"]).post(f"/api/pages/{page.pk}/process/?steps=recognition")
    assert response.json()["params"]["steps"] == ["recognition"]


def test_an_unknown_step_is_refused(users, api_client_for, page):
    response = api_client_for(users["owner"]).post(f"/api/pages/{page.pk}/process/?steps=translation")
    assert response.status_code == 400 and "translation" in str(response.json())


def test_recognition_of_a_page_without_lines_is_refused(users, api_client_for, page):
    page.lines.all().delete()
    response = api_client_for(users["owner"]).post(f"/api/pages/{page.pk}/process/?steps=recognition")
    assert response.status_code == 400 and "no lines" in str(response.json())


def test_processing_a_document_skips_pages_already_at_work(users, api_client_for, page):
    second = make_page_with_lines(page.document, users["owner"])  # its upload job is still queued
    response = api_client_for(users["editor"]).post(f"/api/documents/{page.document_id}/process/", {}, format="json")
    assert response.status_code == 202
    assert [j["target"] for j in response.json()["jobs"]] == [f"archive.page:{page.pk}"]
    assert Job.objects.filter(target=f"archive.page:{second.pk}").count() == 1


def test_a_job_is_read_by_whoever_reads_its_page(users, api_client_for, page):
    job = Job.objects.get(target=f"archive.page:{page.pk}")
    body = api_client_for(users["viewer"]).get(f"/api/jobs/{job.pk}/").json()
    assert body["status"] == "done" and body["percent"] == 100
    assert api_client_for(users["outsider"]).get(f"/api/jobs/{job.pk}/").status_code == 404


def test_cancelling_a_queued_job(users, api_client_for, page):
    job_id = api_client_for(users["editor"]).post(f"/api/pages/{page.pk}/process/").json()["id"]
    assert api_client_for(users["viewer"]).post(f"/api/jobs/{job_id}/cancel/").status_code == 403
    response = api_client_for(users["owner"]).post(f"/api/jobs/{job_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Job.objects.get(pk=job_id).finished is not None
    assert api_client_for(users["owner"]).post(f"/api/pages/{page.pk}/process/").status_code == 202  # free again
