"""The model page and the document page's models panel: members see a project's model with its figures in words
("base … → new … CER on N held-out corrected lines"); editors also get the training form; a viewer only the figures;
anyone outside the project does not see the model at all."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.archive.models import HtrModel
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db

SUMMARY = "base 35.0 → new 23.0 CER on 12 held-out corrected lines"


@pytest.fixture
def trained(project, users):
    document = make_document(project)
    make_page_with_lines(document, users["owner"])
    base = HtrModel.objects.get(name="recognition-latin", project=None)
    model = HtrModel.objects.create(
        name="Journal v1",
        kind=HtrModel.Kind.RECOGNITION,
        base=base,
        project=project,
        path="/nowhere",
        trained_lines=80,
        trained_pages=4,
        trained_by=users["editor"],
        figures={
            "cer": 23.0,
            "base_cer": 35.0,
            "held_out_lines": 12,
            "curve": [{"step": 5, "epoch": 1, "minutes": 0.1, "cer": 30.0, "f1": None, "loss": 2.0}],
        },
    )
    return document, model


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_model_page_says_base_and_new_cer_to_members(trained, users):
    _, model = trained
    page = client_for(users["viewer"]).get(f"/models/{model.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SUMMARY in html and 'id="model-curve"' in html and "recognition-latin" in html
    assert client_for(users["viewer"]).get(f"/api/models/{model.pk}/").json()["summary"] == SUMMARY


def test_someone_outside_the_project_does_not_see_its_model(trained, users):
    _, model = trained
    assert client_for(users["outsider"]).get(f"/models/{model.pk}/").status_code == 404
    assert Client().get(f"/models/{model.pk}/").status_code == 302  # to the login page


def test_editors_get_the_training_form_and_viewers_the_figures_only(trained, users):
    document, model = trained
    editor = client_for(users["editor"]).get(f"/documents/{document.pk}/").content.decode()
    assert 'id="train-form"' in editor and SUMMARY in editor and "Use for this document" in editor
    assert "leaf1.png: 3 corrected lines" in editor  # pages named by their file
    viewer = client_for(users["viewer"]).get(f"/documents/{document.pk}/").content.decode()
    assert SUMMARY in viewer and 'id="train-form"' not in viewer and "Use for this document" not in viewer


def test_the_project_page_lists_its_models_and_what_each_document_could_train_on(trained, users):
    document, model = trained
    html = client_for(users["editor"]).get(f"/projects/{document.project_id}/").content.decode()
    assert SUMMARY in html and f'href="/models/{model.pk}/"' in html
    assert f'href="/documents/{document.pk}/#models-card"' in html and "3 corrected lines" in html
