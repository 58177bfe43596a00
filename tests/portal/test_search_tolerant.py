"""GET /api/search/ forgives misspellings (trigram similarity on words, accents and ligatures folded with unaccent),
says "did you mean", finds "exact phrases", and filters corrected against machine text."""

from __future__ import annotations

import pytest

from portal.archive import services
from portal.archive.models import Line
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db

WILL = (
    "Je soussigné Jean Marolles, notaire",
    "demeurant à Versailles, rue de la Paroisse",
    "ſouſſigné par devant nous",
    "léguons à mes enfants l'œuvre entière",
)


@pytest.fixture
def will(users, project):
    document = make_document(project, title="Testament Marolles")
    return make_page_with_lines(document, users["owner"], texts=WILL)


def search(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def texts(body) -> list[str]:
    return [r["text"] for r in body["results"]]


def test_a_misspelt_word_finds_the_word_as_written(users, api_client_for, will):
    body = search(api_client_for(users["viewer"]), q="sousigne")
    assert set(texts(body)) == {WILL[0], WILL[2]}
    hit = next(r for r in body["results"] if r["text"] == WILL[0])
    assert hit["snippet"] == "Je <mark>soussigné</mark> Jean Marolles, notaire"


def test_a_shortened_name_finds_the_name(users, api_client_for, will):
    assert texts(search(api_client_for(users["viewer"]), q="Marole")) == [WILL[0]]


def test_a_misspelt_word_suggests_the_spelling_of_the_archive(users, api_client_for, will):
    body = search(api_client_for(users["viewer"]), q="sousigne Marole")
    assert texts(body) == [WILL[0]]
    assert body["suggestion"] == "soussigné Marolles"


def test_words_found_as_written_suggest_nothing(users, api_client_for, will):
    assert search(api_client_for(users["viewer"]), q="Marolles")["suggestion"] is None


def test_exact_words_rank_above_misspelt_ones(users, api_client_for, will):
    results = search(api_client_for(users["viewer"]), q="soussigné")["results"]
    assert [r["text"] for r in results] == [WILL[0], WILL[2]]  # ſouſſigné folds to soussigne too: both exact
    assert results[0]["score"] == 1.0
    fuzzy = search(api_client_for(users["viewer"]), q="sousigne")["results"]
    assert all(r["score"] < 1.0 for r in fuzzy)


def test_an_unrelated_word_finds_nothing(users, api_client_for, will):
    body = search(api_client_for(users["viewer"]), q="chapelle")
    assert body["count"] == 0 and body["suggestion"] is None


def test_ligatures_long_s_and_accents_are_folded(users, api_client_for, will):
    client = api_client_for(users["viewer"])
    assert texts(search(client, q="oeuvre")) == [WILL[3]]
    assert (
        search(client, q="soussigne par")["results"][0]["snippet"]
        == "<mark>ſouſſigné</mark> <mark>par</mark> devant nous"
    )


def test_a_combining_accent_is_highlighted_with_its_letter(users, api_client_for, project):
    make_page_with_lines(make_document(project), users["owner"], texts=("le ne\u0301gociant",))
    [hit] = search(api_client_for(users["viewer"]), q="négociant")["results"]
    assert hit["snippet"] == "le <mark>ne\u0301gociant</mark>"


def test_a_quoted_phrase_is_found_as_written_in_that_order(users, api_client_for, will):
    client = api_client_for(users["viewer"])
    assert texts(search(client, q='"Jean Marolles"')) == [WILL[0]]
    assert search(client, q='"Marolles Jean"')["count"] == 0
    assert search(client, q='"Jean Marole"')["count"] == 0  # never fuzzy inside quotes


def test_a_phrase_and_words_are_found_together(users, api_client_for, will):
    body = search(api_client_for(users["viewer"]), q="«rue de la Paroisse» Versaille")
    assert texts(body) == [WILL[1]]
    assert body["results"][0]["snippet"] == "demeurant à <mark>Versaille</mark>s, <mark>rue de la Paroisse</mark>"


@pytest.fixture
def read_by_a_model(users, project, will):
    """A second page whose one line only a model read (no person wrote it)."""
    page = make_page_with_lines(will.document, users["owner"], texts=("placeholder",))
    line = Line.objects.create(page=page, order=5, polygon=[[50, 60], [720, 60], [720, 120], [50, 120]])
    layer = services.layer_for_model(document=will.document, model_name="recognition-latin v3")
    services.transcription_write(
        line=line, layer=layer, text="Jean Marolles lu par la machine", model_name="recognition-latin v3"
    )
    return line


def test_machine_text_alone_is_found_with_the_machine_filter(users, api_client_for, read_by_a_model):
    body = search(api_client_for(users["viewer"]), q="Marolles", text="machine")
    assert [(r["line"], r["corrected"]) for r in body["results"]] == [(read_by_a_model.pk, False)]


def test_corrected_text_alone_is_found_with_the_corrected_filter(users, api_client_for, read_by_a_model):
    body = search(api_client_for(users["viewer"]), q="Marolles", text="corrected")
    assert texts(body) == [WILL[0]] and body["results"][0]["corrected"] is True


def test_a_correction_moves_a_line_from_machine_to_corrected(users, api_client_for, read_by_a_model):
    editor = api_client_for(users["editor"])
    response = editor.patch(
        f"/api/lines/{read_by_a_model.pk}/text/", {"text": "Jean Marolles relu", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert search(editor, q="Marolles", text="machine")["count"] == 0
    assert read_by_a_model.pk in [r["line"] for r in search(editor, q="relu", text="corrected")["results"]]


def test_an_unknown_text_filter_answers_400(users, api_client_for, will):
    response = api_client_for(users["viewer"]).get("/api/search/", {"q": "Jean", "text": "handwritten"})
    assert response.status_code == 400
    assert response.json() == {"error": "text must be one of: corrected, machine"}


def test_the_schema_describes_the_search_filters_and_suggestion(api_client_for):
    schema = api_client_for(None).get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/search/"]["get"]["parameters"]}
    assert parameters["text"]["schema"]["enum"] == ["corrected", "machine"]
    assert {"project", "document", "q"} <= set(parameters)
    properties = schema["components"]["schemas"]["Search"]["properties"]
    assert "suggestion" in properties
    result = schema["components"]["schemas"]["SearchResult"]["properties"]
    assert {"image", "corrected", "score"} <= set(result)
