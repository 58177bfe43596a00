"""The characters of a project's editor keyboard: its manager (owner) sets them on the project page or through the
API; every document's editor offers its script's letters, then the project's characters, then its own."""

from __future__ import annotations

import pytest

from portal.archive.models import Document, Page, Project
from tests.factories import make_document

pytestmark = pytest.mark.django_db


def editor_keys(client, document) -> list[str]:
    return client.get(f"/documents/{document.pk}/pages/1/").context["config"]["keyboard"]


@pytest.fixture
def document(project):
    document = make_document(project)
    Document.objects.filter(pk=document.pk).update(script="cyrillic", keyboard="ꙋѣ")
    Page.objects.create(document=document, number=1, image="documents/x/pages/p.jpg")
    return document


def test_the_editor_offers_the_projects_characters_after_the_scripts_letters(client, users, project, document):
    client.force_login(users["owner"])
    response = client.post(
        f"/projects/{project.pk}/settings/",
        {
            "name": project.name,
            "description": "",
            "script": "cyrillic",
            "keyboard": "ꙗ ꙗ ѿ ѣ",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).keyboard == "ꙗѿѣ"  # spaces and repeats dropped
    client.force_login(users["editor"])
    assert editor_keys(client, document) == list("ѣіъѳѵѧѫѯѱҁ") + ["ꙗ", "ѿ", "ꙋ"]


def test_only_the_projects_manager_may_set_its_keyboard(client, users, project):
    client.force_login(users["editor"])
    response = client.post(f"/projects/{project.pk}/settings/", {"name": "Renamed", "keyboard": "ꙗ"})
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).keyboard == "" and Project.objects.get(pk=project.pk).name == "Fonds"
    assert 'id="project-settings"' not in client.get(f"/projects/{project.pk}/").content.decode()
    client.force_login(users["owner"])
    assert 'id="project-settings"' in client.get(f"/projects/{project.pk}/").content.decode()


def test_the_api_sets_the_projects_keyboard_for_its_owner_only(api_client_for, users, project):
    owner = api_client_for(users["owner"])
    response = owner.patch(f"/api/projects/{project.pk}/", {"keyboard": "ꝑ ꝓ ꝑ"}, format="json")
    assert response.status_code == 200 and response.json()["keyboard"] == "ꝑꝓ"
    editor = api_client_for(users["editor"])
    assert editor.patch(f"/api/projects/{project.pk}/", {"keyboard": "x"}, format="json").status_code == 403
    assert Project.objects.get(pk=project.pk).keyboard == "ꝑꝓ"


def test_a_keyboard_too_long_is_refused_with_a_message_and_keeps_the_old_one(client, users, project):
    Project.objects.filter(pk=project.pk).update(keyboard="ꙗ")
    client.force_login(users["owner"])
    response = client.post(
        f"/projects/{project.pk}/settings/", {"name": project.name, "keyboard": "ж" * 201}, follow=True
    )
    assert "not saved" in response.content.decode()
    assert Project.objects.get(pk=project.pk).keyboard == "ꙗ"
