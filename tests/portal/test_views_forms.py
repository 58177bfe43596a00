"""The HTML forms: projects, documents, members, document settings (the virtual keyboard's characters)."""

import pytest
from django.contrib.auth import get_user_model

from portal.archive.models import Document, Membership, Page, Project

pytestmark = pytest.mark.django_db


def make_user(name: str):
    return get_user_model().objects.create_user(name, password="pw-" + name + "-123")


def log_in_as_member(client, role: str):
    """The owner's project and a new member of it with `role` (named after the role), logged in on `client`."""
    owner, member = make_user("owner"), make_user(str(role))
    project = Project.objects.create(name="Fonds", owner=owner)
    Membership.objects.create(project=project, user=member, role=role)
    client.force_login(member)
    return project, member


def test_creating_a_project_makes_the_user_its_owner(client):
    user = make_user("anna")
    client.force_login(user)
    response = client.post("/projects/new/", {"name": "Fonds Genlis", "description": ""})
    project = Project.objects.get(name="Fonds Genlis")
    assert response["Location"] == f"/projects/{project.pk}/" and project.owner == user


def test_an_anonymous_visitor_cannot_create_a_project(client):
    response = client.post("/projects/new/", {"name": "Spam"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Project.objects.exists()


def test_a_viewer_cannot_create_a_document_in_the_project(client):
    project, _ = log_in_as_member(client, Membership.Role.VIEWER)
    assert client.post(f"/projects/{project.pk}/documents/new/", {"title": "X", "direction": "ltr"}).status_code == 404
    assert not Document.objects.exists()


def test_an_editor_creates_a_right_to_left_document(client):
    project, editor = log_in_as_member(client, Membership.Role.EDITOR)
    response = client.post(f"/projects/{project.pk}/documents/new/", {"title": "Divan", "direction": "rtl"})
    document = Document.objects.get(title="Divan")
    assert response["Location"] == f"/documents/{document.pk}/"
    assert document.direction == "rtl" and document.created_by == editor
    Page.objects.create(document=document, number=1, image="documents/x/pages/p.jpg")
    html = client.get(f"/documents/{document.pk}/pages/1/").content.decode()
    assert 'id="lines" class="lines" dir="rtl"' in html


def test_the_owner_adds_a_member_by_user_name(client):
    owner, anna = make_user("owner"), make_user("anna")
    project = Project.objects.create(name="Fonds", owner=owner)
    client.force_login(owner)
    client.post(f"/projects/{project.pk}/members/", {"username": "anna", "role": "editor"})
    assert project.role_of(anna) == "editor"
    assert "anna" in client.get(f"/projects/{project.pk}/").content.decode()


def test_adding_an_unknown_user_says_so(client):
    owner = make_user("owner")
    project = Project.objects.create(name="Fonds", owner=owner)
    client.force_login(owner)
    response = client.post(f"/projects/{project.pk}/members/", {"username": "nobody", "role": "editor"}, follow=True)
    assert "There is no user named “nobody”." in response.content.decode()
    assert not project.memberships.exists()


def test_the_keyboard_offers_the_documents_own_characters_after_the_old_letters(client):
    owner = make_user("owner")
    project = Project.objects.create(name="Fonds", owner=owner)
    document = Document.objects.create(project=project, title="Грамота", script="cyrillic")
    Page.objects.create(document=document, number=1, image="documents/x/pages/p.jpg")
    client.force_login(owner)
    client.post(
        f"/documents/{document.pk}/settings/",
        {"title": "Грамота", "description": "", "direction": "ltr", "keyboard": "ꙋ ѣ ꙋ ѡ"},
    )
    document.refresh_from_db()
    assert document.keyboard == "ꙋѣѡ"
    keyboard = client.get(f"/documents/{document.pk}/pages/1/").context["config"]["keyboard"]
    assert keyboard == list("ѣіъѳѵѧѫѯѱҁ") + ["ꙋ", "ѡ"]
