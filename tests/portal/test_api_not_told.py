"""An object the user may not see is answered exactly like one that does not exist (404, or the same 400 for an id in
a body), so that no answer tells whether someone else's project, document, page or line exists."""

import pytest

from tests.factories import make_document, make_page_with_lines, make_project

pytestmark = pytest.mark.django_db
MISSING = 999_999


@pytest.fixture
def foreign(users, project):
    """The project of owner/editor/viewer, with a private document, a page and a line: not the outsider's."""
    page = make_page_with_lines(make_document(project), users["owner"])
    return {"project": project.pk, "document": page.document_id, "page": page.pk, "line": page.lines.first().pk}


def call(client, method: str, path: str, data: dict | None):
    return getattr(client, method)(path, data, format="json") if data is not None else getattr(client, method)(path)


def message(response, object_id: int) -> str:
    """The body with the id it names written as ID, to compare the answers about two ids."""
    return str(response.json()).replace(str(object_id), "ID")


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/projects/{project}/", None),
        ("get", "/api/projects/{project}/members/", None),
        ("delete", "/api/projects/{project}/", None),
        ("get", "/api/documents/{document}/", None),
        ("patch", "/api/documents/{document}/", {"title": "mine now"}),
        ("post", "/api/documents/{document}/process/", {}),
        ("get", "/api/pages/{page}/", None),
        ("get", "/api/pages/{page}/image/", None),
        ("delete", "/api/pages/{page}/", None),
        ("patch", "/api/lines/{line}/text/", {"text": "x", "version": 0}),
        ("get", "/api/lines/{line}/history/", None),
    ],
)
def test_an_object_in_the_url_answers_404_like_a_missing_one(users, api_client_for, foreign, method, path, data):
    client = api_client_for(users["outsider"])
    kind = path.split("{")[1].split("}")[0]
    hidden = call(client, method, path.format(**foreign), data)
    missing = call(client, method, path.format(**{kind: MISSING}), data)
    assert hidden.status_code == missing.status_code == 404


def test_a_document_in_someone_elses_project_is_refused_like_one_in_no_project(users, api_client_for, foreign):
    client = api_client_for(users["outsider"])
    hidden = client.post("/api/documents/", {"project": foreign["project"], "title": "x"}, format="json")
    missing = client.post("/api/documents/", {"project": MISSING, "title": "x"}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert message(hidden, foreign["project"]) == message(missing, MISSING)


def test_moving_a_document_into_someone_elses_project_is_refused_like_into_none(users, api_client_for, foreign):
    mine = make_document(make_project(users["outsider"], name="Mine"))
    client = api_client_for(users["outsider"])
    hidden = client.patch(f"/api/documents/{mine.pk}/", {"project": foreign["project"]}, format="json")
    missing = client.patch(f"/api/documents/{mine.pk}/", {"project": MISSING}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert message(hidden, foreign["project"]) == message(missing, MISSING)


def test_a_member_who_may_not_add_documents_is_still_told_why(users, api_client_for, foreign):
    response = api_client_for(users["viewer"]).post(
        "/api/documents/", {"project": foreign["project"], "title": "x"}, format="json"
    )
    assert response.status_code == 403


def test_an_assistant_conversation_about_someone_elses_page_is_refused_like_a_missing_page(
    users, api_client_for, foreign
):
    client = api_client_for(users["outsider"])
    hidden = client.post("/api/assistant/conversations/", {"page": foreign["page"]}, format="json")
    missing = client.post("/api/assistant/conversations/", {"page": MISSING}, format="json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"error": "No such page."}
