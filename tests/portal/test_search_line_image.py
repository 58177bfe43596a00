"""GET /api/lines/{id}/image/: the line cut from the scan, beside each search hit; a private document's line images
are served to its project's members only."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(users, project):
    page = make_page_with_lines(
        make_document(project, title="Privé"), users["owner"], texts=("Je soussigné", "Marolles")
    )
    return page.lines.get(order=1)


def image_of(response) -> Image.Image:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/jpeg"
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_a_member_gets_the_line_cut_from_the_scan(users, api_client_for, line):
    image = image_of(api_client_for(users["viewer"]).get(f"/api/lines/{line.pk}/image/"))
    # polygon x 50..720, y 160..220 (tests/conftest.py) and a 6-pixel margin
    assert image.size == (720 - 50 + 13, 220 - 160 + 13)


def test_a_search_hit_links_to_its_line_image(users, api_client_for, line):
    client = api_client_for(users["viewer"])
    [hit] = client.get("/api/search/", {"q": "Marole"}).json()["results"]
    assert hit["image"] == f"/api/lines/{line.pk}/image/"
    image_of(client.get(hit["image"]))


def test_a_stranger_does_not_get_a_private_line_image(users, api_client_for, line):
    assert api_client_for(users["outsider"]).get(f"/api/lines/{line.pk}/image/").status_code == 404


def test_an_anonymous_visitor_does_not_get_a_private_line_image(api_client_for, line):
    assert api_client_for(None).get(f"/api/lines/{line.pk}/image/").status_code in (401, 403, 404)


def test_anyone_gets_a_published_line_image(api_client_for, line):
    line.page.document.is_public = True
    line.page.document.save()
    image_of(api_client_for(None).get(f"/api/lines/{line.pk}/image/"))


def test_a_tall_line_is_sent_at_most_80_pixels_high(users, api_client_for, line):
    line.polygon = [[100, 10], [300, 10], [300, 310], [100, 310]]
    line.save()
    assert image_of(api_client_for(users["viewer"]).get(f"/api/lines/{line.pk}/image/")).height == 80


def test_a_reshaped_line_gets_a_new_image(users, api_client_for, line):
    client = api_client_for(users["editor"])
    before = image_of(client.get(f"/api/lines/{line.pk}/image/")).size
    line.polygon = [[50, 160], [300, 160], [300, 220], [50, 220]]
    line.save()
    assert image_of(client.get(f"/api/lines/{line.pk}/image/")).size != before


def test_a_line_without_a_shape_answers_404_with_a_message(users, api_client_for, line):
    line.polygon, line.baseline = [], []
    line.save()
    response = api_client_for(users["viewer"]).get(f"/api/lines/{line.pk}/image/")
    assert response.status_code == 404
    assert "no shape" in response.json()["detail"]
