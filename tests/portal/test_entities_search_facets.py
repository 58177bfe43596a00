"""Search facets and filters by people, places and dates (GET /api/search/)."""

import pytest

from tests.factories import make_document, make_page_with_entities


@pytest.fixture
def two_letters(project, users):
    pages = []
    for title, texts in (
        ("Lettre de Caen", ("Mon cher ami, je suis à Caen", "Caen, le 3 mai 1790")),
        ("Lettre de Rouen", ("Mon cher ami, je suis à Rouen", "Rouen, le 9 juin 1855")),
    ):
        pages.append(make_page_with_entities(make_document(project, title=title), users["owner"], texts=texts))
    return pages


def test_search_results_carry_facets_of_places_and_dates(api_client_for, users, two_letters):
    data = api_client_for(users["viewer"]).get("/api/search/", {"q": "cher ami"}).json()
    assert {f["name"] for f in data["facets"]["place"]} >= {"Caen", "Rouen"}
    assert {f["key"] for f in data["facets"]["date"]} == {"1790-05-03", "1855-06-09"}


def test_a_date_range_keeps_the_pages_with_a_date_inside_it(api_client_for, users, two_letters):
    data = api_client_for(users["viewer"]).get("/api/search/", {"q": "cher ami", "date_to": "1800"}).json()
    assert [r["document_title"] for r in data["results"]] == ["Lettre de Caen"]


def test_a_place_facet_keeps_the_pages_that_name_it(api_client_for, users, two_letters):
    data = api_client_for(users["viewer"]).get("/api/search/", {"q": "cher ami", "place": "rouen"}).json()
    assert [r["document_title"] for r in data["results"]] == ["Lettre de Rouen"]


def test_a_malformed_date_is_refused(api_client_for, users, two_letters):
    response = api_client_for(users["viewer"]).get("/api/search/", {"q": "ami", "date_from": "1790-13-45"})
    assert response.status_code == 400
    assert (
        "date_from" in response.json()["detail"] if "detail" in response.json() else "date_from" in str(response.json())
    )


def test_a_stranger_gets_no_facets_of_a_private_document(api_client_for, users, two_letters):
    data = api_client_for(users["outsider"]).get("/api/search/", {"q": "cher ami"}).json()
    assert data["count"] == 0 and all(not values for values in data["facets"].values())
