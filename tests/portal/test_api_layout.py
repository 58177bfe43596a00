"""Editing a page's layout through the API: a line's outline points and baseline, regions drawn with their type,
reading order by region; bad input is refused with a message and changes nothing."""

from __future__ import annotations

import pytest

from portal.archive.models import Line, Region, Transcription
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


def lines_of(page) -> list[Line]:
    return list(Line.objects.filter(page=page).order_by("order"))


def test_dragging_a_lines_points_saves_its_new_outline_and_keeps_its_text(editor, page):
    line = lines_of(page)[0]
    text = Transcription.objects.get(line=line).text
    moved = [[40, 50], [730, 55], [725, 125], [45, 120]]
    response = editor.patch(f"/api/lines/{line.pk}/shape/", {"polygon": moved}, format="json")
    assert response.status_code == 200
    assert response.json()["polygon"] == moved and response.json()["text"] == text
    line.refresh_from_db()
    assert line.polygon == moved and Transcription.objects.get(line=line).text == text
    page.refresh_from_db()
    assert page.segmentation_edited is not None  # its lines are now a segmentation model's truth


def test_a_baseline_drawn_again_replaces_the_old_one(editor, page):
    line = lines_of(page)[1]
    response = editor.patch(
        f"/api/lines/{line.pk}/shape/", {"baseline": [[60, 200], [400, 204], [700, 199]]}, format="json"
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.baseline == [[60, 200], [400, 204], [700, 199]]


def test_a_baseline_of_one_point_is_refused_and_the_old_one_kept(editor, page):
    line = lines_of(page)[1]
    before = line.baseline
    response = editor.patch(f"/api/lines/{line.pk}/shape/", {"baseline": [[60, 200]]}, format="json")
    assert response.status_code == 400 and "at least 2 points" in response.json()["error"]
    line.refresh_from_db()
    assert line.baseline == before


def test_a_viewer_may_not_move_a_lines_points(users, api_client_for, page):
    line = lines_of(page)[0]
    response = api_client_for(users["viewer"]).patch(
        f"/api/lines/{line.pk}/shape/", {"polygon": [[0, 0], [9, 0], [9, 9]]}, format="json"
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.polygon[0] == [50, 60]


def test_a_region_drawn_with_its_type_takes_the_lines_inside_it(editor, page):
    response = editor.post(
        "/api/regions/",
        {"page": page.pk, "kind": "marginalia", "polygon": [[30, 140], [760, 140], [760, 340], [30, 340]]},
        format="json",
    )
    assert response.status_code == 201
    region = Region.objects.get(pk=response.json()["id"])
    assert region.kind == "marginalia"
    first, second, third = lines_of(page)
    assert response.json()["lines"] == [second.pk, third.pk] and first.region_id is None


def test_a_regions_type_is_changed_and_an_unknown_type_refused(editor, page):
    region = editor.post(
        "/api/regions/", {"page": page.pk, "polygon": [[0, 0], [800, 0], [800, 100]]}, format="json"
    ).json()
    assert region["kind"] == "text"
    assert editor.patch(f"/api/regions/{region['id']}/", {"kind": "heading"}, format="json").json()["kind"] == "heading"
    refused = editor.patch(f"/api/regions/{region['id']}/", {"kind": "banana"}, format="json")
    assert refused.status_code == 400 and "unknown region type" in refused.json()["error"]
    assert Region.objects.get(pk=region["id"]).kind == "heading"


def test_reading_order_by_region_puts_each_regions_lines_together(editor, page):
    first, second, third = lines_of(page)
    top = editor.post(
        "/api/regions/", {"page": page.pk, "polygon": [[30, 240], [760, 240], [760, 330], [30, 330]]}, format="json"
    ).json()
    bottom = editor.post(
        "/api/regions/", {"page": page.pk, "polygon": [[30, 40], [760, 40], [760, 230], [30, 230]]}, format="json"
    ).json()
    assert top["lines"] == [third.pk] and bottom["lines"] == [first.pk, second.pk]
    response = editor.post(f"/api/pages/{page.pk}/order-by-regions/")
    assert response.status_code == 200 and response.json()["order"] == [third.pk, first.pk, second.pk]
    assert [line.pk for line in lines_of(page)] == [third.pk, first.pk, second.pk]


def test_a_region_deleted_leaves_its_lines_in_no_region(editor, page):
    region = editor.post(
        "/api/regions/", {"page": page.pk, "polygon": [[0, 0], [800, 0], [800, 400], [0, 400]]}, format="json"
    ).json()
    assert editor.delete(f"/api/regions/{region['id']}/").status_code == 204
    assert [line.region_id for line in lines_of(page)] == [None, None, None]


def test_a_line_is_put_in_a_region_of_its_page_only(editor, users, project, page):
    other = make_page_with_lines(make_document(project, title="Autre"), users["owner"], texts=("x",))
    foreign = Region.objects.create(page=other, polygon=[[0, 0], [9, 0], [9, 9]])
    line = lines_of(page)[0]
    response = editor.patch(f"/api/lines/{line.pk}/shape/", {"region": foreign.pk}, format="json")
    assert response.status_code == 400 and "is not on page" in response.json()["error"]
    line.refresh_from_db()
    assert line.region_id is None
