"""Training a segmentation model from the project page: the pages whose lines people edited in all its documents,
with the document training's refusals (too few pages, one training of the project at a time, viewers), and through
the REAL worker a one-epoch fine-tune on real CREMMA pages of two documents, registered as the project's model."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.archive.models import HtrModel, Page
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_user
from tests.portal.test_training_from_corrections import upload
from tests.processes import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_refuses_a_viewer_too_few_edited_pages_and_a_second_training_of_the_project(fonds, api_client_for):
    project, clients = fonds
    body = {"kind": "segmentation", "epochs": 1}
    assert clients["viewer"].post(f"/api/projects/{project.pk}/train/", body, format="json").status_code == 403
    outsider = api_client_for(make_user("outsider"))
    assert outsider.post(f"/api/projects/{project.pk}/train/", body, format="json").status_code == 404
    page = make_page_with_lines(make_document(project, title="Journal"), project.owner)
    make_page_with_lines(make_document(project, title="Letters"), project.owner)  # imported lines: no edit
    assert clients["editor"].delete(f"/api/lines/{page.lines.first().pk}/").status_code == 204
    response = clients["editor"].post(f"/api/projects/{project.pk}/train/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Training a segmentation model needs at least 2 pages whose lines a person edited (drew, deleted, merged "
        "or split); the documents of this project have 1. Edit the lines of 1 more page and try again."
    )
    Job.objects.create(
        kind="model_training", status=Job.Status.RUNNING, target=f"archive.project:{project.pk}", owner=project.owner
    )
    other = make_page_with_lines(make_document(project, title="Accounts"), project.owner)
    assert clients["owner"].delete(f"/api/lines/{other.lines.first().pk}/").status_code == 204
    busy = clients["owner"].post(f"/api/projects/{project.pk}/train/", body, format="json")
    assert busy.status_code == 409 and "already running" in busy.json()["error"]


@pytest.mark.timeout(900)
def test_a_project_segmentation_model_learns_from_the_edited_pages_of_all_its_documents(celery_worker, fonds):
    project, clients = fonds
    first, second = make_document(project, title="Journal I"), make_document(project, title="Journal II")
    pages = [upload(clients["owner"], first, "f15"), upload(clients["owner"], second, "f38")]
    for pk in pages:  # a person's edit: the last line of each page goes
        last = Page.objects.get(pk=pk).lines.last()
        assert clients["editor"].delete(f"/api/lines/{last.pk}/").status_code == 204

    response = clients["editor"].post(
        f"/api/projects/{project.pk}/train/", {"kind": "segmentation", "epochs": 1}, format="json"
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "segmentation_training" and body["target"] == f"archive.project:{project.pk}"
    assert body["params"]["pages"] == pages and body["params"]["documents"] == 2
    again = clients["owner"].post(f"/api/projects/{project.pk}/train/", {"epochs": 1}, format="json")
    assert again.status_code == 409  # one training of a project at a time, of either kind

    job = wait_for_job(body["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    print(f"\nbase {result['base_f1']} -> new {result['f1']} line F1 on {result['held_out_pages']} held-out page")
    model = HtrModel.objects.get(pk=result["model"])
    assert model.kind == HtrModel.Kind.SEGMENTATION and model.project == project and model.name == "Genlis v1"
    assert model.base == HtrModel.objects.get(name="segmentation", project=None)
    assert model.trained_by.username == "editor" and (Path(model.directory) / "model.safetensors").is_file()
    assert model.trained_pages == 1 and model.figures["held_out_pages"] == 1  # one page of each document
    assert model.figures["f1"] == result["f1"] and model.figures["base_f1"] == result["base_f1"]
    assert job.message == model.summary

    chosen = clients["editor"].patch(f"/api/projects/{project.pk}/", {"segmentation_model": model.pk}, format="json")
    assert chosen.status_code == 200
    project.refresh_from_db()
    assert project.segmentation_model == model
