"""The search page's filters as the server renders them: chips for the filters in use, each with a link that
drops only it; a malformed or reversed date range said in the reader's language, with nothing asked of the API."""

from django.utils import translation


def _page(client, user, **params):
    client.force_login(user)
    return client.get("/search/", {"q": "ami", **params})


def test_each_filter_in_use_is_a_chip_that_drops_only_itself(client, users):
    html = _page(client, users["viewer"], person="Jean Dupont", date_from="1790").content.decode()
    assert 'data-filter="person">Person: Jean Dupont' in html
    assert 'href="?q=ami&amp;date_from=1790"' in html
    assert 'href="?q=ami&amp;person=Jean+Dupont"' in html
    assert '<input type="hidden" name="person" value="Jean Dupont">' in html


def test_a_malformed_date_is_said_and_nothing_is_searched(client, users):
    html = _page(client, users["viewer"], date_from="1790-13-45").content.decode()
    assert 'id="date-error"' in html and "1914, 1914-08, 1914-08-23" in html
    assert 'data-invalid="1"' in html and 'aria-invalid="true"' in html


def test_a_reversed_date_range_is_said_in_russian(client, users):
    with translation.override("ru"):
        client.force_login(users["viewer"])
        response = client.get("/ru/search/", {"q": "ami", "date_from": "1900", "date_to": "1800"})
    assert "Первая дата не может быть позже второй." in response.content.decode()


def test_a_page_without_filters_has_no_chips(client, users):
    html = _page(client, users["viewer"]).content.decode()
    assert "filter-chips" not in html and 'id="date-error"' not in html
