"""Training from the project: one model from the corrected lines of all its documents, through the REAL worker
(queue `training`); owners and editors start and cancel it, a viewer may not, an outsider does not see it."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel, Page
from portal.jobs.models import Job
from tests.factories import make_document, make_user
from tests.portal.test_training_from_corrections import upload
from tests.processes import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_refuses_a_viewer_and_too_few_corrected_lines_across_the_documents(fonds, api_client_for):
    project, clients = fonds
    assert clients["viewer"].post(f"/api/projects/{project.pk}/train/", {}, format="json").status_code == 403
    outsider = api_client_for(make_user("outsider"))
    assert outsider.post(f"/api/projects/{project.pk}/train/", {}, format="json").status_code == 404
    make_document(project, title="Empty")
    response = clients["editor"].post(f"/api/projects/{project.pk}/train/", {"epochs": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Training needs at least 20 corrected lines; the documents of this project "
        "have 0. Correct 20 more lines and try again."
    )


@pytest.mark.timeout(900)
def test_a_project_model_learns_from_the_corrected_pages_of_all_its_documents(celery_worker, fonds, api_client_for):
    project, clients = fonds
    first, second = make_document(project, title="Journal I"), make_document(project, title="Journal II")
    pages = [upload(clients["owner"], first, "f15"), upload(clients["owner"], second, "f38")]  # 22 + 25 lines

    response = clients["editor"].post(f"/api/projects/{project.pk}/train/", {"epochs": 1}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["target"] == f"archive.project:{project.pk}" and body["params"]["pages"] == sorted(pages)
    assert body["params"]["documents"] == 2
    again = clients["owner"].post(f"/api/projects/{project.pk}/train/", {"epochs": 1}, format="json")
    assert again.status_code == 409
    outsider = api_client_for(make_user("outsider"))
    assert outsider.get(f"/api/jobs/{body['id']}/").status_code == 404
    assert clients["viewer"].get(f"/api/jobs/{body['id']}/").status_code == 200

    job = wait_for_job(body["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    model = HtrModel.objects.get(pk=job.result["model"])
    print(
        f"\nbase {job.result['base_cer']} -> new {job.result['cer']} CER on {job.result['held_out_lines']} "
        f"held-out lines of 2 documents"
    )
    assert model.project == project and model.name == "Genlis v1" and model.trained_by.username == "editor"
    assert model.trained_lines + model.figures["held_out_lines"] == 47  # every corrected line of both documents
    assert model.figures["base_cer"] == job.result["base_cer"] and model.figures["cer"] == job.result["cer"]
    assert job.result["uncorrected_pages"] == []
    assert set(Page.objects.filter(pk__in=pages).values_list("document_id", flat=True)) == {first.pk, second.pk}

    assert (
        clients["owner"]
        .patch(f"/api/projects/{project.pk}/", {"recognition_model": model.pk}, format="json")
        .status_code
        == 200
    )


def test_an_editor_may_cancel_the_projects_training_and_a_viewer_may_not(fonds):
    project, clients = fonds
    job = Job.objects.create(
        kind="model_training",
        status=Job.Status.RUNNING,
        target=f"archive.project:{project.pk}",
        group=f"project-{project.pk}",
        owner=project.owner,
    )
    assert clients["viewer"].post(f"/api/jobs/{job.pk}/cancel/").status_code == 403
    response = clients["editor"].post(f"/api/jobs/{job.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
