"""Which model reads a document, through the REAL worker: a Cyrillic document reads with the shipped Cyrillic model;
a model chosen on the document (PATCH) or for one run (process with `model`) reads it; each reading goes into its
model's layer and the page shows the latest one."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel, Layer, Transcription
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


def shipped(name: str) -> HtrModel:
    return HtrModel.objects.get(name=name, project=None)


@pytest.fixture
def archivist(transactional_db, api_client_for):
    user = make_user("archivist")
    return user, api_client_for(user)


def prepared_page(document, user):
    """A drawn page with three imported lines, once the worker has prepared its images."""
    page = make_page_with_lines(document, user)
    for job in Job.objects.filter(target=f"archive.page:{page.pk}"):
        assert wait_for_job(job.pk).status == Job.Status.DONE
    return page


def read(client, document, body: dict) -> Job:
    response = client.post(f"/api/documents/{document.pk}/process/", body, format="json")
    assert response.status_code == 202, response.content
    (job,) = response.json()["jobs"]
    job = wait_for_job(job["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    return job


def test_a_cyrillic_document_is_read_by_the_cyrillic_model(celery_worker, archivist):
    user, client = archivist
    project = make_project(user, name="Письма")
    created = client.post(
        "/api/documents/", {"project": project.pk, "title": "Письмо", "script": "cyrillic"}, format="json"
    )
    assert created.status_code == 201, created.content
    document = project.documents.get()
    assert document.script == "cyrillic" and document.recognition_model is None
    page = prepared_page(document, user)

    job = read(client, document, {"steps": ["recognition"]})
    assert job.result["recognition"]["model"] == "recognition-cyrillic"
    assert job.result["recognition"]["model_id"] == shipped("recognition-cyrillic").pk
    layer = Layer.objects.get(document=document, kind=Layer.Kind.MODEL)
    assert layer.model_name == "recognition-cyrillic"
    assert Transcription.objects.filter(layer=layer, line__page=page).count() == 3


def test_the_model_chosen_on_the_document_or_for_one_run_reads_it(celery_worker, archivist):
    user, client = archivist
    document = make_document(make_project(user, name="Fonds"), title="Journal")
    page = prepared_page(document, user)
    latin, cyrillic = shipped("recognition-latin"), shipped("recognition-cyrillic")

    assert read(client, document, {"steps": ["recognition"]}).result["recognition"]["model"] == "recognition-latin"

    response = client.patch(f"/api/documents/{document.pk}/", {"recognition_model": cyrillic.pk}, format="json")
    assert response.status_code == 200 and response.json()["recognition_model"] == cyrillic.pk
    job = read(client, document, {"steps": ["recognition"]})
    assert job.result["recognition"]["model"] == "recognition-cyrillic"
    shown = client.get(f"/api/pages/{page.pk}/").json()
    assert shown["layer"]["model_name"] == "recognition-cyrillic"

    job = read(client, document, {"steps": ["recognition"], "model": latin.pk})  # this run only
    assert job.params["recognition_model"] == latin.pk
    assert job.result["recognition"]["model"] == "recognition-latin"
    document.refresh_from_db()
    assert document.recognition_model == cyrillic  # the document keeps its choice
    shown = client.get(f"/api/pages/{page.pk}/").json()
    assert shown["layer"]["model_name"] == "recognition-latin"  # the latest reading, though its layer is older
    by_layer = {
        layer.model_name: {t.line_id: t.text for t in Transcription.objects.filter(layer=layer)}
        for layer in Layer.objects.filter(document=document, kind=Layer.Kind.MODEL)
    }
    assert set(by_layer) == {"recognition-latin", "recognition-cyrillic"}
    assert all(len(texts) == 3 for texts in by_layer.values())
