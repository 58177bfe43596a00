"""Starting a training from corrections: what it refuses, and how it holds lines back (no worker needed: a started
training is only queued once the request's transaction commits, which these tests never do)."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel, Line
from portal.archive.training import KIND, corrected_lines, held_out_split
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project

pytestmark = pytest.mark.django_db

TEXTS = tuple(f"ligne numero {i} du journal" for i in range(21))


@pytest.fixture
def document(project, users):
    document = make_document(project)
    make_page_with_lines(document, users["owner"], texts=TEXTS)
    return document


def test_it_refuses_too_few_corrected_lines_saying_how_many_are_needed(project, users, api_client_for):
    document = make_document(project)
    make_page_with_lines(document, users["owner"])  # 3 lines
    response = api_client_for(users["editor"]).post(
        f"/api/documents/{document.pk}/train/", {"minutes": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == (
        "Training needs at least 20 corrected lines; this document has 3. Correct 17 more lines and try again."
    )
    assert not Job.objects.filter(kind=KIND).exists()


def test_a_second_training_of_the_same_document_while_one_runs_is_409(document, users, api_client_for):
    client = api_client_for(users["owner"])
    first = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")
    assert first.status_code == 202, first.content
    job = first.json()
    assert job["kind"] == KIND and job["status"] == "queued" and job["target"] == f"archive.document:{document.pk}"
    assert job["params"]["base"] == HtrModel.objects.get(name="recognition-latin", project=None).pk
    second = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")
    assert second.status_code == 409
    assert f"already running (job {job['id']})" in second.json()["error"]


def test_a_viewer_may_not_train_and_an_outsider_does_not_see_the_document(document, users, api_client_for):
    assert api_client_for(users["viewer"]).post(f"/api/documents/{document.pk}/train/", {}).status_code == 403
    assert api_client_for(users["outsider"]).post(f"/api/documents/{document.pk}/train/", {}).status_code == 404
    assert not Job.objects.filter(kind=KIND).exists()


def test_it_refuses_a_budget_out_of_range_and_a_base_of_another_project(document, users, api_client_for):
    client = api_client_for(users["owner"])
    assert client.post(f"/api/documents/{document.pk}/train/", {"minutes": 0}, format="json").status_code == 400
    assert client.post(f"/api/documents/{document.pk}/train/", {"minutes": 10_000}, format="json").status_code == 400
    other = HtrModel.objects.create(
        name="theirs",
        kind=HtrModel.Kind.RECOGNITION,
        path="/nowhere",
        project=make_project(users["outsider"], name="Other"),
    )
    response = client.post(f"/api/documents/{document.pk}/train/", {"base": other.pk}, format="json")
    assert response.status_code == 400 and "no recognition model" in response.json()["error"]


def test_the_held_out_lines_are_lines_of_a_page_or_whole_pages_from_three_pages_on(document, users):
    lines = corrected_lines(document)
    assert sum(len(v) for v in lines.values()) == 21
    split = held_out_split(lines)
    assert not split.by_page and 2 <= split.held_out_lines <= 4 and split.train_lines + split.held_out_lines == 21
    for _ in range(3):
        make_page_with_lines(document, users["owner"], texts=TEXTS[:10])
    split = held_out_split(corrected_lines(document))
    assert split.by_page and not set(split.held_out) & set(split.train)
    assert 0.1 <= split.held_out_lines / (split.train_lines + split.held_out_lines) <= 0.3


def test_a_line_counts_as_corrected_once_a_person_wrote_its_text(project, users):
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"])
    Line.objects.create(page=page, polygon=[[0, 0], [10, 0], [10, 10]], order=9)  # no text: not corrected
    assert [text for _, text in corrected_lines(document)[page.pk]] == [
        "Милостивый государь мой",
        "Ѳеодоръ Матвѣевичъ",
        "le temps passé",
    ]


def test_an_editor_may_cancel_someone_elses_training_and_a_viewer_may_not(document, users, api_client_for):
    job = (
        api_client_for(users["owner"]).post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json").json()
    )
    assert api_client_for(users["viewer"]).post(f"/api/jobs/{job['id']}/cancel/").status_code == 403
    response = api_client_for(users["editor"]).post(f"/api/jobs/{job['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Job.objects.get(pk=job["id"]).status == Job.Status.CANCELLED
