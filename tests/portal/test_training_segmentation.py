"""Training a segmentation model from the pages whose lines people drew, deleted, merged or split (issue #11.6):
which pages count, the refusals, and through the REAL worker a one-step fine-tune on real CREMMA pages, registered
with the base's and its own line F1 on the held-out page, then chosen for the document and segmenting a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.archive.models import HtrModel, Page
from portal.archive.training_segmentation import edited_pages, held_out_pages
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job


def box(x0, y0, x1, y1):
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


@pytest.mark.django_db
def test_a_page_counts_once_a_person_drew_deleted_merged_or_split_its_lines(users, project, api_client_for):
    document = make_document(project)
    pages = [make_page_with_lines(document, users["owner"]) for _ in range(5)]
    client = api_client_for(users["editor"])
    assert edited_pages(document) == []  # imported lines are not a person's segmentation
    first, second, third, fourth, _ = pages
    assert (
        client.post(f"/api/pages/{first.pk}/lines/", {"polygon": box(50, 125, 720, 155)}, format="json").status_code
        == 201
    )
    assert client.delete(f"/api/lines/{second.lines.first().pk}/").status_code == 204
    merged = list(third.lines.values_list("pk", flat=True)[:2])
    assert client.post("/api/lines/merge/", {"ids": merged}, format="json").status_code == 200
    assert client.post(f"/api/lines/{fourth.lines.first().pk}/split/", {"x": 300}, format="json").status_code == 200
    assert [p.pk for p in edited_pages(document)] == [first.pk, second.pk, third.pk, fourth.pk]
    assert [p.pk for p in edited_pages(document, [second.pk, pages[4].pk])] == [second.pk]


def test_about_a_fifth_of_the_pages_are_held_back_at_least_one_never_all():
    assert [len(part) for part in held_out_pages(list(range(2)))] == [1, 1]
    assert [len(part) for part in held_out_pages(list(range(4)))] == [3, 1]
    train, held = held_out_pages(list(range(10)))
    assert len(held) == 2 and held[0] < 5 <= held[1] and sorted(train + held) == list(range(10))


@pytest.mark.django_db
def test_it_refuses_fewer_than_two_edited_pages_saying_how_many_are_needed(users, project, api_client_for):
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"])
    client = api_client_for(users["editor"])
    client.delete(f"/api/lines/{page.lines.first().pk}/")
    response = client.post(f"/api/documents/{document.pk}/train/", {"kind": "segmentation", "epochs": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Training a segmentation model needs at least 2 pages whose lines a person edited (drew, deleted, merged "
        "or split); this document has 1. Edit the lines of 1 more page and try again."
    )
    viewer = api_client_for(users["viewer"]).post(
        f"/api/documents/{document.pk}/train/", {"kind": "segmentation"}, format="json"
    )
    assert viewer.status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(900)
def test_a_segmentation_model_trained_on_edited_pages_is_registered_and_segments_the_document(
    celery_worker, api_client_for
):
    user = make_user("archivist")
    client = api_client_for(user)
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    page_ids = []
    for stem in ("f15", "f38"):
        body = api_upload(client, document, list(cremma_page(stem=stem))).json()
        assert wait_for_job(body["jobs"][0]["id"]).status == Job.Status.DONE
        page_ids.append(body["pages"][0]["id"])
    for pk in page_ids:  # a person's edit: the last line of each page goes (a false line, say)
        assert client.delete(f"/api/lines/{Page.objects.get(pk=pk).lines.last().pk}/").status_code == 204

    response = client.post(f"/api/documents/{document.pk}/train/", {"kind": "segmentation", "epochs": 1}, format="json")
    assert response.status_code == 202, response.content
    second = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")
    assert second.status_code == 409  # one training of a document at a time, of either kind
    job = wait_for_job(response.json()["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    model = HtrModel.objects.get(pk=result["model"])
    print(f"\nbase {result['base_f1']} -> new {result['f1']} line F1 on {result['held_out_pages']} held-out page")
    assert model.kind == HtrModel.Kind.SEGMENTATION and model.project == document.project
    assert model.base == HtrModel.objects.get(name="segmentation", project=None) and model.trained_by == user
    assert (Path(model.directory) / "model.safetensors").is_file()
    assert model.trained_pages == 1 and model.figures["held_out_pages"] == 1
    assert 0 <= model.figures["f1"] <= 100 and 0 < model.figures["base_f1"] <= 100
    assert model.figures["f1"] == result["f1"] and model.figures["base_f1"] == result["base_f1"]
    assert (
        job.message
        == model.summary
        == (f"base {result['base_f1']:.1f} → new {result['f1']:.1f} line F1 on 1 held-out page")
    )
    assert client.get(f"/api/models/{model.pk}/").json()["figures"]["base_f1"] == result["base_f1"]

    assert (
        client.patch(f"/api/documents/{document.pk}/", {"segmentation_model": model.pk}, format="json").status_code
        == 200
    )
    segmented = client.post(f"/api/pages/{page_ids[0]}/process/?steps=segmentation")
    done = wait_for_job(segmented.json()["id"], timeout=600)
    assert done.status == Job.Status.DONE, done.error
    page = Page.objects.get(pk=page_ids[0])
    assert page.segmentation_edited is None and page.lines.exists()  # its lines are the new model's now
