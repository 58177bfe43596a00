"""A document's script (Latin by default, else its project's) is chosen when it is created; it picks the editor's
virtual keyboard: French letters and combining accents for Latin, the pre-reform letters for Cyrillic."""

from __future__ import annotations

import pytest

from portal.archive.models import Document, Page
from tests.factories import make_document, make_project, make_user

pytestmark = pytest.mark.django_db


def test_a_new_document_takes_its_projects_script_unless_it_names_one(api_client_for, client):
    user = make_user("archivist")
    project = make_project(user, name="Письма")
    api = api_client_for(user)
    assert api.post("/api/documents/", {"project": project.pk, "title": "Journal"}).json()["script"] == "latin"
    assert api.patch(f"/api/projects/{project.pk}/", {"script": "cyrillic"}, format="json").status_code == 200
    assert api.post("/api/documents/", {"project": project.pk, "title": "Письмо"}).json()["script"] == "cyrillic"
    named = api.post("/api/documents/", {"project": project.pk, "title": "Lettre", "script": "latin"}).json()
    assert named["script"] == "latin"

    client.force_login(user)
    client.post(f"/projects/{project.pk}/documents/new/", {"title": "Грамота", "direction": "ltr"})
    assert Document.objects.get(title="Грамота").script == "cyrillic"
    client.post(f"/projects/{project.pk}/documents/new/", {"title": "Billet", "direction": "ltr", "script": "latin"})
    assert Document.objects.get(title="Billet").script == "latin"
    client.post("/projects/new/", {"name": "Архив", "description": "", "script": "cyrillic"})
    assert user.owned_projects.get(name="Архив").script == "cyrillic"


@pytest.mark.parametrize(
    ("script", "letters"),
    [
        ("latin", ["œ", "æ", "ç", "ſ", "\u0301", "\u0300", "\u0302", "\u0308", "\u0303"]),
        ("cyrillic", list("ѣіъѳѵѧѫѯѱҁ")),
    ],
)
def test_the_editors_keyboard_follows_the_documents_script(client, script, letters):
    user = make_user("archivist")
    document = make_document(make_project(user), title="Journal")
    Document.objects.filter(pk=document.pk).update(script=script, keyboard="ꙋœ")
    Page.objects.create(document=document, number=1, image="documents/x/pages/p.jpg")
    client.force_login(user)
    keyboard = client.get(f"/documents/{document.pk}/pages/1/").context["config"]["keyboard"]
    assert keyboard == letters + [c for c in "ꙋœ" if c not in letters]
