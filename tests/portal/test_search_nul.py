"""A NUL character in a search (PostgreSQL refuses it in text) answers 400 with a message, not 500."""

import pytest

from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("q", ["\x00", "госуд\x00арь"])
def test_a_nul_character_in_the_query_answers_400_with_a_message(users, project, api_client_for, q):
    make_page_with_lines(make_document(project), users["owner"], texts=("Милостивый государь мой",))
    response = api_client_for(users["viewer"]).get("/api/search/", {"q": q})
    assert response.status_code == 400
    assert response.json() == {"error": "q must not contain a NUL character (%00)"}


def test_the_same_query_without_it_still_finds_the_line(users, project, api_client_for):
    make_page_with_lines(make_document(project), users["owner"], texts=("Милостивый государь мой",))
    response = api_client_for(users["viewer"]).get("/api/search/", {"q": "государь"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_the_search_page_shows_such_a_query_without_failing(client):
    assert client.get("/search/?q=%00").status_code == 200
