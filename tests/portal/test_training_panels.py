"""What the document and project pages offer about training (portal/archive/training_panels.py): the edited pages a
segmentation training would learn from, the corrected lines of a whole project, the bases, and who gets a form."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


def test_the_document_page_offers_a_segmentation_training_on_the_pages_people_edited(
    users, project, api_client_for, client
):
    document = make_document(project)
    edited, untouched = make_page_with_lines(document, users["owner"]), make_page_with_lines(document, users["owner"])
    assert api_client_for(users["editor"]).delete(f"/api/lines/{edited.lines.first().pk}/").status_code == 204
    client.force_login(users["editor"])
    response = client.get(f"/documents/{document.pk}/")
    panel = response.context["training"]["segmentation"]
    assert panel["pages"] == [edited] and panel["min_pages"] == 2
    assert panel["reading"] == HtrModel.objects.get(name="segmentation", project=None)
    html = response.content.decode()
    assert 'id="seg-train-form"' in html and f'value="{edited.pk}"' in html
    assert f'value="{untouched.pk}" data-lines="1"' not in html


def test_a_running_segmentation_training_is_on_the_document_page_for_members_only(users, project, client):
    document = make_document(project)
    job = Job.objects.create(
        kind="segmentation_training", target=f"archive.document:{document.pk}", status=Job.Status.RUNNING, total=100
    )
    client.force_login(users["viewer"])
    response = client.get(f"/documents/{document.pk}/")
    assert response.context["page_config"]["training"]["latestSegmentation"]["id"] == job.pk
    html = response.content.decode()
    assert 'id="seg-training"' in html and 'id="seg-train-form"' not in html  # a viewer watches, never trains
    client.force_login(users["outsider"])
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_the_project_page_counts_the_corrected_lines_of_all_its_documents(users, project, client):
    for title in ("Journal", "Letters"):
        make_page_with_lines(make_document(project, title=title), users["owner"])
    client.force_login(users["editor"])
    response = client.get(f"/projects/{project.pk}/")
    panel = response.context["training"]
    assert panel["lines"] == 6 and panel["documents"] == 2 and panel["min_lines"] == 20
    assert (
        all(model.kind == HtrModel.Kind.RECOGNITION for model in panel["bases"]) and panel["reading"] in panel["bases"]
    )
    assert 'id="project-train-form"' in response.content.decode()
    client.force_login(users["viewer"])
    assert 'id="project-train-form"' not in client.get(f"/projects/{project.pk}/").content.decode()


def test_the_project_page_speaks_russian(users, project, client):
    make_page_with_lines(make_document(project), users["owner"])
    client.force_login(users["editor"])
    html = client.get(f"/ru/projects/{project.pk}/").content.decode()
    assert "Обучить модель на исправлениях всех документов проекта" in html
    assert "3 исправленные строки в документах: 1" in html
