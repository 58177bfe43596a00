"""The index of people, places and dates speaks Russian under /ru/: its title, kinds, filters and counts."""

import pytest

from tests.factories import make_document, make_page_with_entities

WILL = ("Je soussigné Jean Dupont, demeurant à Caen,", "Fait à Caen le vingt trois Août mil neuf cent quatorze")


@pytest.fixture
def will(project, users):
    return make_page_with_entities(make_document(project, title="Testament"), users["owner"], texts=WILL)


def test_the_index_in_russian_names_its_kinds_filters_and_counts_in_russian(client, users, will):
    client.force_login(users["owner"])
    html = client.get("/ru/entities/").content.decode()
    for russian in ("Люди, места и даты", "Человек", "Место", "Дата", "Даты с", "Показать", "Вид", "Все"):
        assert russian in html, russian
    assert "упоминани" in html and "стр. 1" in html
    assert "People, places and dates" not in html and "Person" not in html


def test_the_index_in_russian_says_so_when_it_has_nothing_to_show(client, users):
    client.force_login(users["outsider"])
    html = client.get("/ru/entities/").content.decode()
    assert "В доступных вам документах не найдено ни людей, ни мест, ни дат." in html


def test_a_malformed_date_bound_is_refused_in_russian(client, users, will):
    client.force_login(users["owner"])
    response = client.get("/ru/entities/", {"date_from": "soon"})
    assert response.status_code == 400
    assert "Укажите год, год и месяц или полную дату" in response.content.decode()
