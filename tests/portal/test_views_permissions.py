"""Who sees which HTML page: outsiders never learn a private document exists; published ones are open to all."""

import pytest
from django.contrib.auth import get_user_model

from portal.archive.models import Document, Membership, Page, Project

pytestmark = pytest.mark.django_db


def make_user(name: str):
    return get_user_model().objects.create_user(name, password="pw-" + name)


def make_document(owner, *, public: bool = False, title: str = "Journal de Mme de Genlis") -> Document:
    project = Project.objects.create(name=f"Fonds {owner.username}", owner=owner)
    document = Document.objects.create(project=project, title=title, is_public=public, created_by=owner)
    Page.objects.create(
        document=document, number=1, image=f"documents/{document.pk}/pages/f15.jpg", width=1600, height=2400
    )
    return document


def log_in_as_member(client, document: Document, name: str, role: str):
    """A new user with `role` in the document's project, logged in on `client`."""
    user = make_user(name)
    Membership.objects.create(project=document.project, user=user, role=role)
    client.force_login(user)
    return user


def test_a_private_document_page_is_404_for_an_outsider(client):
    document = make_document(make_user("owner"))
    client.force_login(make_user("outsider"))
    assert client.get(f"/documents/{document.pk}/").status_code == 404


def test_a_private_editor_page_is_404_for_an_outsider(client):
    document = make_document(make_user("owner"))
    client.force_login(make_user("outsider"))
    assert client.get(f"/documents/{document.pk}/pages/1/").status_code == 404


def test_a_private_document_sends_an_anonymous_visitor_to_log_in(client):
    document = make_document(make_user("owner"))
    response = client.get(f"/documents/{document.pk}/pages/1/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_a_project_page_is_404_for_an_outsider(client):
    document = make_document(make_user("owner"))
    client.force_login(make_user("outsider"))
    assert client.get(f"/projects/{document.project_id}/").status_code == 404


def test_a_published_document_is_readable_without_login(client):
    document = make_document(make_user("owner"), public=True)
    page = client.get(f"/documents/{document.pk}/")
    editor = client.get(f"/documents/{document.pk}/pages/1/")
    assert page.status_code == 200 and document.title in page.content.decode()
    assert editor.status_code == 200
    html = editor.content.decode()
    assert 'id="line-add"' not in html and 'id="dropzone"' not in html
    assert editor.context["config"]["canEdit"] is False


def test_a_viewer_member_gets_the_editor_read_only(client):
    document = make_document(make_user("owner"))
    log_in_as_member(client, document, "reader", Membership.Role.VIEWER)
    response = client.get(f"/documents/{document.pk}/pages/1/")
    assert response.status_code == 200
    assert response.context["config"]["canEdit"] is False


def test_an_editor_member_gets_the_editing_tools_and_the_upload(client):
    document = make_document(make_user("owner"))
    log_in_as_member(client, document, "editor", Membership.Role.EDITOR)
    html = client.get(f"/documents/{document.pk}/pages/1/").content.decode()
    assert 'id="line-add"' in html and 'id="keyboard"' in html
    assert 'id="dropzone"' in client.get(f"/documents/{document.pk}/").content.decode()


def test_only_the_owner_may_publish_a_document(client):
    document = make_document(make_user("owner"))
    log_in_as_member(client, document, "editor", Membership.Role.EDITOR)
    assert client.post(f"/documents/{document.pk}/publish/", {"publish": "1"}).status_code == 404
    document.refresh_from_db()
    assert document.is_public is False


def test_publishing_opens_the_document_to_anonymous_readers(client):
    owner = make_user("owner")
    document = make_document(owner)
    client.force_login(owner)
    assert client.post(f"/documents/{document.pk}/publish/", {"publish": "1"}).status_code == 302
    client.logout()
    assert client.get(f"/documents/{document.pk}/pages/1/").status_code == 200
    assert document.title in client.get("/").content.decode()


def test_the_home_page_lists_public_documents_but_not_private_ones(client):
    owner = make_user("owner")
    make_document(owner, public=True, title="Le Sallon de 1767")
    make_document(owner, title="Lettres secrètes")
    html = client.get("/").content.decode()
    assert "Le Sallon de 1767" in html and "Lettres secrètes" not in html


def test_the_editor_focuses_the_line_named_in_the_address(client):
    document = make_document(make_user("owner"), public=True)
    response = client.get(f"/documents/{document.pk}/pages/1/?line=42")
    assert response.context["config"]["focusLine"] == 42


def test_a_missing_page_number_is_404(client):
    document = make_document(make_user("owner"), public=True)
    assert client.get(f"/documents/{document.pk}/pages/7/").status_code == 404


def test_an_anonymous_visitor_cannot_tell_a_private_document_from_a_missing_one(client):
    document = make_document(make_user("owner"))
    private = client.get(f"/documents/{document.pk}/")
    missing = client.get(f"/documents/{document.pk + 1000}/")
    assert private.status_code == missing.status_code == 302
    assert private["Location"].startswith("/accounts/login/") and missing["Location"].startswith("/accounts/login/")
