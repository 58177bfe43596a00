"""Correcting text (versions, conflicts, history, restore) and editing the segmentation through the API."""

from __future__ import annotations

import pytest

from portal.archive.models import Layer, Revision, Transcription
from portal.archive.services import layer_for_model, transcription_write
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


def lines_of(client, page, layer=None):
    url = f"/api/pages/{page.pk}/" + (f"?layer={layer}" if layer else "")
    return client.get(url).json()["lines"]


def test_a_correction_goes_into_the_manual_layer_seeded_from_the_current_reading(editor, page):
    first, second, _ = lines_of(editor, page)
    assert first["version"] == 1
    response = editor.patch(
        f"/api/lines/{first['id']}/text/", {"text": "Милостивый Государь", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2 and response.json()["author"] == "editor"
    manual = Layer.objects.get(document=page.document, kind=Layer.Kind.MANUAL)
    shown = editor.get(f"/api/pages/{page.pk}/").json()
    assert shown["layer"]["id"] == manual.pk  # the page now reads in the manual layer...
    texts = [line["text"] for line in shown["lines"]]
    assert texts == ["Милостивый Государь", "Ѳеодоръ Матвѣевичъ", "le temps passé"]  # ...and still reads whole
    imported = Layer.objects.get(document=page.document, kind=Layer.Kind.GROUND_TRUTH)
    assert Transcription.objects.get(layer=imported, line_id=first["id"]).text == "Милостивый государь мой"


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(users, api_client_for, page):
    alice, bob = api_client_for(users["owner"]), api_client_for(users["editor"])
    line = lines_of(alice, page)[1]
    assert (
        alice.patch(
            f"/api/lines/{line['id']}/text/", {"text": "Ѳеодоръ Матвѣевичъ!", "version": 1}, format="json"
        ).status_code
        == 200
    )
    response = bob.patch(f"/api/lines/{line['id']}/text/", {"text": "Федор Матвеевич", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert body["current"]["text"] == "Ѳеодоръ Матвѣевичъ!"
    assert body["current"]["version"] == 2 and body["current"]["author"] == "owner"
    assert body["current"]["updated"]
    assert lines_of(bob, page)[1]["text"] == "Ѳеодоръ Матвѣевичъ!"
    retry = bob.patch(f"/api/lines/{line['id']}/text/", {"text": "Федор Матвеевич", "version": 2}, format="json")
    assert retry.status_code == 200 and retry.json()["version"] == 3


def test_a_stale_version_against_the_model_reading_is_a_conflict_too(editor, users, page):
    line = page.lines.order_by("order").first()
    layer = layer_for_model(document=page.document, model_name="recognition-latin")
    transcription_write(
        line=line, layer=layer, text="Milostivyi", confidences=[0.9] * 10, model_name="recognition-latin"
    )
    transcription_write(
        line=line, layer=layer, text="Milostivyj", confidences=[0.9] * 10, model_name="recognition-latin"
    )
    # no manual text yet: the page reads in the model layer, where this line is at version 2
    response = editor.patch(
        f"/api/lines/{line.pk}/text/", {"text": "x", "version": 1, "layer": layer.pk}, format="json"
    )
    assert response.status_code == 409 and response.json()["current"]["version"] == 2
    assert not Layer.objects.filter(kind=Layer.Kind.MANUAL).exists()
    ok = editor.patch(
        f"/api/lines/{line.pk}/text/", {"text": "Милостивый", "version": 2, "layer": layer.pk}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 3


def test_a_line_break_in_a_line_is_refused(editor, page):
    line = lines_of(editor, page)[0]
    response = editor.patch(f"/api/lines/{line['id']}/text/", {"text": "a\nb", "version": 1}, format="json")
    assert response.status_code == 400 and "line break" in response.json()["error"]


def test_history_lists_every_version_with_author_model_and_diff(editor, users, page):
    line = page.lines.order_by("order").first()
    layer = layer_for_model(document=page.document, model_name="recognition-latin")
    transcription_write(
        line=line, layer=layer, text="Milostivyj", confidences=[0.5] * 10, model_name="recognition-latin"
    )
    editor.patch(f"/api/lines/{line.pk}/text/", {"text": "Milostivyj gosudar", "version": 1}, format="json")
    editor.patch(f"/api/lines/{line.pk}/text/", {"text": "Milostivij gosudar", "version": 2}, format="json")
    history = editor.get(f"/api/lines/{line.pk}/history/").json()
    assert [(h["version"], h["author"], h["model"]) for h in history] == [
        (1, None, "recognition-latin"),
        (2, "editor", ""),
        (3, "editor", ""),
    ]
    assert history[1]["diff"] == [
        {"op": "equal", "old": "Milostivyj", "new": "Milostivyj"},
        {"op": "insert", "old": "", "new": " gosudar"},
    ]
    assert {"op": "replace", "old": "y", "new": "i"} in history[2]["diff"]
    assert history[0]["created"]


def test_restore_brings_back_an_old_text_as_a_new_version(editor, page):
    line = page.lines.order_by("order").first()
    editor.patch(f"/api/lines/{line.pk}/text/", {"text": "faux", "version": 1}, format="json")
    original = Revision.objects.get(transcription__layer__kind=Layer.Kind.GROUND_TRUTH, transcription__line=line)
    response = editor.post(f"/api/lines/{line.pk}/restore/", {"revision": original.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["text"] == "Милостивый государь мой" and response.json()["version"] == 3
    other = page.lines.order_by("order").last()
    foreign = Revision.objects.filter(transcription__line=other).first()
    assert editor.post(f"/api/lines/{line.pk}/restore/", {"revision": foreign.pk}, format="json").status_code == 400


def test_drawing_a_line_after_another_puts_it_in_reading_order(editor, page):
    first = lines_of(editor, page)[0]
    response = editor.post(
        f"/api/pages/{page.pk}/lines/",
        {
            "polygon": [[50, 120], [700, 120], [700, 150], [50, 150]],
            "baseline": [[55, 145], [690, 145]],
            "after": first["id"],
        },
        format="json",
    )
    assert response.status_code == 201
    new = response.json()
    assert new["order"] == 1 and new["text"] == "" and new["version"] == 0
    assert [line["order"] for line in lines_of(editor, page)] == [0, 1, 2, 3]
    assert lines_of(editor, page)[1]["id"] == new["id"]
    saved = editor.patch(f"/api/lines/{new['id']}/text/", {"text": "новая строка", "version": 0}, format="json")
    assert saved.status_code == 200 and saved.json()["version"] == 1


def test_a_degenerate_polygon_is_refused(editor, page):
    response = editor.post(f"/api/pages/{page.pk}/lines/", {"polygon": [[1, 1], [2, 2]]}, format="json")
    assert response.status_code == 400


def test_deleting_a_line_renumbers_the_rest(editor, page):
    first, second, third = lines_of(editor, page)
    assert editor.delete(f"/api/lines/{second['id']}/").status_code == 204
    assert [(line["id"], line["order"]) for line in lines_of(editor, page)] == [(first["id"], 0), (third["id"], 1)]


def test_merging_two_lines_joins_polygons_and_texts(editor, page):
    first, second, third = lines_of(editor, page)
    response = editor.post("/api/lines/merge/", {"ids": [second["id"], first["id"]]}, format="json")
    assert response.status_code == 200
    merged = response.json()
    assert merged["id"] == first["id"]
    assert merged["text"] == "Милостивый государь мой Ѳеодоръ Матвѣевичъ"
    xs = [p[1] for p in merged["polygon"]]
    assert min(xs) <= 60 and max(xs) >= 220  # spans both lines
    assert [line["id"] for line in lines_of(editor, page)] == [first["id"], third["id"]]


def test_merging_lines_of_two_pages_is_refused(editor, users, page):
    other = make_page_with_lines(page.document, users["owner"])
    ids = [page.lines.first().pk, other.lines.first().pk]
    response = editor.post("/api/lines/merge/", {"ids": ids}, format="json")
    assert response.status_code == 400 and "different pages" in response.json()["error"]


def test_splitting_a_line_cuts_polygon_baseline_and_text_at_a_word_boundary(editor, page):
    line = lines_of(editor, page)[2]  # "le temps passé", x 50..720
    response = editor.post(f"/api/lines/{line['id']}/split/", {"x": 400}, format="json")
    assert response.status_code == 200
    left, right = response.json()["lines"]
    assert (left["text"], right["text"]) == ("le temps", "passé")
    assert max(p[0] for p in left["polygon"]) == 400 and min(p[0] for p in right["polygon"]) == 400
    assert left["baseline"][-1][0] == 400 and right["baseline"][0][0] == 400
    assert right["order"] == left["order"] + 1
    outside = editor.post(f"/api/lines/{line['id']}/split/", {"x": 5000}, format="json")
    assert outside.status_code == 400 and "outside the line" in outside.json()["error"]


def test_reordering_sets_the_reading_order_and_checks_the_ids(editor, page):
    ids = [line["id"] for line in lines_of(editor, page)]
    response = editor.post(f"/api/pages/{page.pk}/reorder/", {"order": ids[::-1]}, format="json")
    assert response.status_code == 200 and response.json()["order"] == ids[::-1]
    assert [line["id"] for line in lines_of(editor, page)] == ids[::-1]
    bad = editor.post(f"/api/pages/{page.pk}/reorder/", {"order": ids[:2]}, format="json")
    assert bad.status_code == 400 and "exactly once" in bad.json()["error"]


def test_review_lists_lines_worst_first(editor, page):
    lines = list(page.lines.order_by("order"))
    layer = layer_for_model(document=page.document, model_name="m")
    for line, confidences in zip(lines, ([0.9, 0.8], [0.95, 0.2], [0.99, 0.6])):
        transcription_write(line=line, layer=layer, text="ab", confidences=confidences, model_name="m")
    review = editor.get(f"/api/pages/{page.pk}/review/?layer={layer.pk}").json()
    assert [r["id"] for r in review] == [lines[1].pk, lines[2].pk, lines[0].pk]
    assert review[0]["min_confidence"] == 0.2 and review[0]["weak"] == [1]


def test_a_page_reads_in_the_requested_layer_and_refuses_a_foreign_one(editor, users, project, page):
    imported = Layer.objects.get(document=page.document, kind=Layer.Kind.GROUND_TRUTH)
    assert lines_of(editor, page, imported.pk)[0]["text"] == "Милостивый государь мой"
    foreign = make_page_with_lines(make_document(project, title="Autre"), users["owner"])
    foreign_layer = Layer.objects.get(document=foreign.document)
    assert editor.get(f"/api/pages/{page.pk}/?layer={foreign_layer.pk}").status_code == 400


def test_the_openapi_schema_is_complete_and_valid(editor):
    response = editor.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/documents/{id}/upload/",
        "/api/lines/{id}/text/",
        "/api/lines/merge/",
        "/api/search/",
        "/api/pages/{id}/dzi/",
        "/api/jobs/{id}/cancel/",
        "/api/projects/{id}/members/",
    ]:
        assert path in paths, path
    conflict = paths["/api/lines/{id}/text/"]["patch"]["responses"]["409"]
    assert conflict["content"]["application/json"]["schema"]["$ref"].endswith("/Conflict")
