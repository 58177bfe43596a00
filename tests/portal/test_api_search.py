"""GET /api/search/ on PostgreSQL: whole words, partial words, pre-reform spellings, near misses, only readable
documents, the current (corrected) text, highlighted snippets."""

from __future__ import annotations

import pytest
from django.db import connection

from portal.archive.search_text import fold, fold_map, snippet
from tests.factories import make_document, make_page_with_lines, make_project

pytestmark = pytest.mark.django_db

LETTER = ("Милостивый государь мой", "Ѳеодоръ Матвѣевичъ", "le temps passé à Versailles")


@pytest.fixture
def archive(users, project):
    private = make_document(project, title="Письма")
    page = make_page_with_lines(private, users["owner"], texts=LETTER)
    elsewhere = make_project(users["outsider"], name="Autre fonds")
    hidden = make_document(elsewhere, title="Секретное")
    make_page_with_lines(hidden, users["outsider"], texts=("государь секретный",))
    public = make_document(elsewhere, title="Открытое", public=True)
    make_page_with_lines(public, users["outsider"], texts=("всемилостивѣйшій государь",))
    return {"private": private, "page": page, "hidden": hidden, "public": public}


def search(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200
    return response.json()


def test_search_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_a_whole_word_is_found_and_highlighted(users, api_client_for, archive):
    body = search(api_client_for(users["viewer"]), q="государь")
    by_document = {r["document"]: r for r in body["results"]}
    assert set(by_document) == {archive["private"].pk, archive["public"].pk}
    hit = by_document[archive["private"].pk]
    assert hit["snippet"] == "Милостивый <mark>государь</mark> мой"
    assert hit["page"] == archive["page"].pk and hit["line"] == archive["page"].lines.get(order=0).pk
    assert hit["document_title"] == "Письма"


def test_a_partial_word_is_found(users, api_client_for, archive):
    [hit] = search(api_client_for(users["viewer"]), q="Versail")["results"]
    assert hit["snippet"] == "le temps passé à <mark>Versail</mark>les"


def test_modern_spelling_finds_pre_reform_text(users, api_client_for, archive):
    [hit] = search(api_client_for(users["viewer"]), q="Матвеевич")["results"]
    assert hit["text"] == "Ѳеодоръ Матвѣевичъ"
    assert hit["snippet"] == "Ѳеодоръ <mark>Матвѣевич</mark>ъ"
    [hit] = search(api_client_for(users["viewer"]), q="феодор")["results"]
    assert hit["text"] == "Ѳеодоръ Матвѣевичъ"


def test_accents_and_case_are_folded(users, api_client_for, archive):
    [hit] = search(api_client_for(users["viewer"]), q="TEMPS PASSE")["results"]
    assert "<mark>temps</mark> <mark>passé</mark>" in hit["snippet"]


def test_a_near_miss_is_found_by_trigram_similarity(users, api_client_for, archive):
    results = search(api_client_for(users["viewer"]), q="Versailes")["results"]
    assert [r["text"] for r in results] == ["le temps passé à Versailles"]


def test_only_readable_documents_are_searched(users, api_client_for, archive):
    anonymous = search(api_client_for(None), q="государь")["results"]
    assert {r["document"] for r in anonymous} == {archive["public"].pk}
    outsider = search(api_client_for(users["outsider"]), q="государь")["results"]
    assert {r["document"] for r in outsider} == {archive["hidden"].pk, archive["public"].pk}


def test_filters_by_project_and_document(users, api_client_for, archive):
    client = api_client_for(users["outsider"])
    only = search(client, q="государь", document=archive["hidden"].pk)["results"]
    assert [r["document"] for r in only] == [archive["hidden"].pk]
    by_project = search(client, q="государь", project=archive["hidden"].project_id)["results"]
    assert {r["document"] for r in by_project} == {archive["hidden"].pk, archive["public"].pk}
    assert client.get("/api/search/", {"q": "x", "project": "abc"}).status_code == 400


def test_a_corrected_line_is_found_by_its_new_text_only(users, api_client_for, archive):
    editor = api_client_for(users["editor"])
    line = archive["page"].lines.get(order=0)
    assert (
        editor.patch(f"/api/lines/{line.pk}/text/", {"text": "Сударыня моя", "version": 1}, format="json").status_code
        == 200
    )
    assert search(editor, q="сударыня")["results"][0]["line"] == line.pk
    assert search(editor, q="Милостивый", document=archive["private"].pk)["results"] == []


def test_an_empty_query_finds_nothing(users, api_client_for, archive):
    body = search(api_client_for(users["viewer"]), q="   ")
    assert (body["count"], body["results"], body["suggestion"]) == (0, [], None)


def test_snippets_escape_html_and_folding_keeps_positions():
    folded, where = fold_map("<b>Ѣ</b> ѣсть")
    assert (
        snippet("<b>Ѣ</b> ѣсть", [(folded.index("есть", 5), len(folded))], where)
        == "&lt;b&gt;Ѣ&lt;/b&gt; <mark>ѣсть</mark>"
    )
    assert fold("ѢІѲѴЁ Été") == "еифие ete"
    assert len(fold("Ѳеодоръ Матвѣевичъ")) == len("Ѳеодоръ Матвѣевичъ")
