"""A published document shows its project's name only to the project's members: the project itself stays private."""

import pytest

from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db
SECRET = "Тайный фонд Шереметевых"


@pytest.fixture
def published(users, project):
    project.name = SECRET
    project.save()
    document = make_document(project, title="Письма к графу", public=True)
    make_page_with_lines(document, users["owner"])
    return document


def page_text(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("visitor", [None, "outsider"])
def test_the_home_page_lists_the_published_document_without_its_private_project(client, users, published, visitor):
    if visitor:
        client.force_login(users[visitor])
    html = page_text(client, "/")
    assert "Письма к графу" in html and SECRET not in html


@pytest.mark.parametrize("visitor", [None, "outsider"])
def test_the_published_documents_page_does_not_name_its_private_project(client, users, published, visitor):
    if visitor:
        client.force_login(users[visitor])
    html = page_text(client, f"/documents/{published.pk}/")
    assert "Письма к графу" in html and SECRET not in html


def test_a_member_still_sees_the_project_name_on_both_pages(client, users, published):
    client.force_login(users["viewer"])
    assert SECRET in page_text(client, "/")
    assert SECRET in page_text(client, f"/documents/{published.pk}/")
