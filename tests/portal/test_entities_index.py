"""The index of people, places and dates: only what the visitor may read, each entry linking to its lines."""

import pytest
from django.urls import reverse

from tests.factories import make_document, make_page_with_entities

WILL = ("Je soussigné Jean Dupont, demeurant à Caen,", "Fait à Caen le vingt trois Août mil neuf cent quatorze")


@pytest.fixture
def private_will(project, users):
    document = make_document(project, title="Testament privé")
    return make_page_with_entities(document, users["owner"], texts=WILL)


def test_a_member_sees_the_entities_of_a_private_document(client, users, private_will):
    client.force_login(users["viewer"])
    html = client.get(reverse("entity-index")).content.decode()
    assert "Jean Dupont" in html and "Caen" in html and "1914-08-23" in html


def test_a_stranger_never_sees_the_entities_of_a_private_document(client, users, private_will):
    for visitor in (users["outsider"], None):
        client.logout()
        if visitor is not None:
            client.force_login(visitor)
        html = client.get(reverse("entity-index")).content.decode()
        assert "Jean Dupont" not in html and "Caen" not in html and "1914" not in html


def test_each_entry_links_to_its_line_in_the_editor(client, users, private_will):
    client.force_login(users["owner"])
    date_line = private_will.lines.order_by("order")[1]
    editor = reverse("page-editor", args=[private_will.document_id, private_will.number])
    assert f'{editor}?line={date_line.pk}"' in client.get(reverse("entity-index"), {"kind": "date"}).content.decode()


def test_the_date_range_keeps_only_dates_inside_it(client, users, private_will):
    client.force_login(users["owner"])
    inside = client.get(reverse("entity-index"), {"date_from": "1900", "date_to": "1920"}).content.decode()
    outside = client.get(reverse("entity-index"), {"date_from": "1700", "date_to": "1799"}).content.decode()
    assert "1914-08-23" in inside and "1914-08-23" not in outside


def test_a_malformed_date_bound_is_refused_with_a_message(client, users, private_will):
    client.force_login(users["owner"])
    response = client.get(reverse("entity-index"), {"date_from": "soon"})
    assert response.status_code == 400
    assert "1914-08-23" in response.content.decode()  # the message gives the forms it takes
