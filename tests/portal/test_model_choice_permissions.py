"""One rule for who trains and chooses models (issue #11.8: owners and editors; viewers see the figures only),
permissions.can_train_and_choose_models, followed by the document page's buttons and by the API alike."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel
from portal.archive.permissions import can_train_and_choose_models
from tests.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_model(project, tmp_path) -> HtrModel:
    return HtrModel.objects.create(
        name="Genlis v1",
        kind="recognition",
        path=str(tmp_path),
        project=project,
        base=HtrModel.objects.get(name="recognition-latin", project=None),
        figures={"cer": 12.5, "base_cer": 23.0, "held_out_lines": 10},
    )


def document_page_as(client, user, project):
    """A new document of `project`, and its page as `user` gets it (the response and its HTML)."""
    document = make_document(project)
    client.force_login(user)
    response = client.get(f"/documents/{document.pk}/")
    return document, response, response.content.decode()


def test_owners_and_editors_train_and_choose_models_viewers_and_outsiders_do_not(users, project):
    allowed = {role: can_train_and_choose_models(project, user) for role, user in users.items()}
    assert allowed == {"owner": True, "editor": True, "viewer": False, "outsider": False}


def test_an_editor_gets_the_buttons_and_the_api_says_yes(users, project, own_model, client, api_client_for):
    document, response, html = document_page_as(client, users["editor"], project)
    assert response.context["page_config"]["training"]["canChooseModels"] is True
    assert 'class="use-model" data-scope="document"' in html and 'class="use-model" data-scope="project"' in html
    api = api_client_for(users["editor"])
    for_project = api.patch(f"/api/projects/{project.pk}/", {"recognition_model": own_model.pk}, format="json")
    assert for_project.status_code == 200 and for_project.json()["recognition_model"] == own_model.pk
    for_document = api.patch(f"/api/documents/{document.pk}/", {"recognition_model": own_model.pk}, format="json")
    assert for_document.status_code == 200
    assert api.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json").status_code == 400  # lines
    project_page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'class="use-model" data-scope="project"' in project_page and 'id="project-train-form"' in project_page


def test_a_viewer_sees_the_figures_but_no_button_and_the_api_says_no(users, project, own_model, client, api_client_for):
    document, response, html = document_page_as(client, users["viewer"], project)
    assert response.context["page_config"]["training"]["canChooseModels"] is False
    assert own_model.summary in html and 'class="use-model"' not in html
    api = api_client_for(users["viewer"])
    assert (
        api.patch(f"/api/projects/{project.pk}/", {"recognition_model": own_model.pk}, format="json").status_code == 403
    )
    assert (
        api.patch(f"/api/documents/{document.pk}/", {"recognition_model": own_model.pk}, format="json").status_code
        == 403
    )
    assert api.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json").status_code == 403
    project_page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'class="use-model"' not in project_page and 'id="project-train-form"' not in project_page
    document.refresh_from_db()
    assert document.recognition_model is None
