"""A document's IIIF Presentation 3 manifest (lines as `supplementing` annotations) and its pages through the IIIF
Image API level 1, with the document's permissions."""

from __future__ import annotations

import io
import re
from pathlib import Path

import jsonschema
import pytest
from PIL import Image, ImageChops, ImageStat

from portal.archive import images
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db

LANGUAGE_MAP = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
SERVICE = {"type": "object", "required": ["id", "type"], "properties": {"type": {"const": "ImageService3"}}}
SELECTOR = {
    "oneOf": [
        {
            "type": "object",
            "required": ["type", "value"],
            "properties": {"type": {"const": "FragmentSelector"}, "value": {"pattern": r"^xywh=\d+,\d+,\d+,\d+$"}},
        },
        {
            "type": "object",
            "required": ["type", "value"],
            "properties": {
                "type": {"const": "SvgSelector"},
                "value": {"pattern": r"^<svg .*<polygon points=.*</svg>$"},
            },
        },
    ]
}


def annotation_page(motivation: str, body: dict, target: dict | None = None) -> dict:
    """An AnnotationPage whose annotations have this motivation, body and (if given) target."""
    annotation = {"type": {"const": "Annotation"}, "motivation": {"const": motivation}, "body": body}
    return {
        "type": "object",
        "required": ["id", "type", "items"],
        "properties": {
            "type": {"const": "AnnotationPage"},
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "type", "motivation", "body", "target"],
                    "properties": {**annotation, **({"target": target} if target else {})},
                },
            },
        },
    }


# The Presentation 3 spec's "must" properties of what the manifest uses (https://iiif.io/api/presentation/3.0/).
MANIFEST_SCHEMA = {
    "type": "object",
    "required": ["@context", "id", "type", "label", "items"],
    "properties": {
        "@context": {"const": "http://iiif.io/api/presentation/3/context.json"},
        "id": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "type": {"const": "Manifest"},
        "label": LANGUAGE_MAP,
        "summary": LANGUAGE_MAP,
        "metadata": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["label", "value"],
                "properties": {"label": LANGUAGE_MAP, "value": LANGUAGE_MAP},
            },
        },
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "type", "width", "height", "items"],
                "properties": {
                    "type": {"const": "Canvas"},
                    "width": {"type": "integer", "minimum": 1},
                    "height": {"type": "integer", "minimum": 1},
                    "label": LANGUAGE_MAP,
                    "items": {
                        "type": "array",
                        "minItems": 1,
                        "items": annotation_page(
                            "painting",
                            {
                                "type": "object",
                                "required": ["id", "type", "format"],
                                "properties": {
                                    "type": {"const": "Image"},
                                    "service": {"type": "array", "items": SERVICE},
                                },
                            },
                        ),
                    },
                    "annotations": {
                        "type": "array",
                        "items": annotation_page(
                            "supplementing",
                            {
                                "type": "object",
                                "required": ["type", "value"],
                                "properties": {"type": {"const": "TextualBody"}},
                            },
                            {
                                "type": "object",
                                "required": ["type", "source", "selector"],
                                "properties": {
                                    "type": {"const": "SpecificResource"},
                                    "selector": {"type": "array", "minItems": 1, "items": SELECTOR},
                                },
                            },
                        ),
                    },
                },
            },
        },
    },
}


@pytest.fixture
def document(users, project):
    document = make_document(project, title="Journal de Mme de Genlis")
    document.metadata = [{"label": "Date", "value": "1790"}]
    document.save()
    make_page_with_lines(document, users["owner"], texts=("Милостивый государь мой", "le temps passé"))
    return document


def test_the_manifest_has_the_shape_the_presentation_3_spec_requires(api_client_for, users, document):
    response = api_client_for(users["viewer"]).get(f"/iiif/documents/{document.pk}/manifest.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    manifest = response.json()
    jsonschema.validate(manifest, MANIFEST_SCHEMA)
    assert manifest["id"] == f"http://testserver/iiif/documents/{document.pk}/manifest.json"
    assert manifest["label"] == {"none": ["Journal de Mme de Genlis"]}
    assert {"label": {"none": ["Date"]}, "value": {"none": ["1790"]}} in manifest["metadata"]


def test_each_line_is_a_supplementing_annotation_with_its_text_box_and_polygon(api_client_for, users, document):
    manifest = api_client_for(users["owner"]).get(f"/iiif/documents/{document.pk}/manifest.json").json()
    page = document.pages.get()
    [canvas] = manifest["items"]
    assert (canvas["width"], canvas["height"]) == (page.width, page.height)
    annotations = canvas["annotations"][0]["items"]
    lines = list(page.lines.order_by("order"))
    assert [a["body"]["value"] for a in annotations] == ["Милостивый государь мой", "le temps passé"]
    for annotation, line in zip(annotations, lines, strict=True):
        assert annotation["target"]["source"]["id"] == canvas["id"]
        fragment, svg = annotation["target"]["selector"]
        xs, ys = [p[0] for p in line.polygon], [p[1] for p in line.polygon]
        assert fragment["value"] == f"xywh={min(xs)},{min(ys)},{max(xs) - min(xs)},{max(ys) - min(ys)}"
        points = re.search(r'points="([^"]+)"', svg["value"])[1]
        assert [[int(v) for v in p.split(",")] for p in points.split()] == line.polygon


def test_the_painted_image_comes_from_our_image_service(api_client_for, users, document):
    client = api_client_for(users["viewer"])
    canvas = client.get(f"/iiif/documents/{document.pk}/manifest.json").json()["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    service = body["service"][0]["id"].removeprefix("http://testserver")
    info = client.get(f"{service}/info.json").json()
    assert info["type"] == "ImageService3" and info["profile"] == "level1"
    assert (info["width"], info["height"]) == (canvas["width"], canvas["height"])
    image = client.get(body["id"].removeprefix("http://testserver"))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(image.content)).size == (canvas["width"], canvas["height"])


def test_a_public_documents_manifest_and_images_are_public(api_client_for, document):
    document.is_public = True
    document.save()
    anonymous = api_client_for(None)
    page = document.pages.get()
    assert anonymous.get(f"/iiif/documents/{document.pk}/manifest.json").status_code == 200
    assert anonymous.get(f"/iiif/pages/{page.pk}/info.json").status_code == 200
    response = anonymous.get(f"/iiif/pages/{page.pk}/full/200,/0/default.jpg")
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")


@pytest.mark.parametrize("who", ["outsider", None])
def test_a_private_documents_manifest_and_images_answer_404_to_strangers(api_client_for, users, document, who):
    client = api_client_for(users[who] if who else None)
    page = document.pages.get()
    for url in (
        f"/iiif/documents/{document.pk}/manifest.json",
        f"/iiif/pages/{page.pk}/info.json",
        f"/iiif/pages/{page.pk}/full/max/0/default.jpg",
        f"/iiif/pages/{page.pk}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_image_service_base_redirects_to_its_info(api_client_for, users, document):
    page = document.pages.get()
    response = api_client_for(users["viewer"]).get(f"/iiif/pages/{page.pk}")
    assert response.status_code == 303 and response["Location"].endswith(f"/iiif/pages/{page.pk}/info.json")


def _difference(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean)


@pytest.mark.parametrize("tiles", [False, True], ids=["from the scan", "from the tiles"])
@pytest.mark.parametrize(
    ("region", "size", "box", "out"),
    [
        ("full", "max", None, None),
        ("50,60,400,100", "max", (50, 60, 450, 160), (400, 100)),
        ("50,60,400,100", "200,", (50, 60, 450, 160), (200, 50)),
        ("pct:10,10,50,50", "!100,100", (80, 32, 480, 192), (100, 40)),
        ("square", ",90", None, (90, 90)),
    ],
)
def test_a_region_at_a_size_is_the_scans_pixels_cut_and_scaled(
    api_client_for, users, document, tiles, region, size, box, out
):
    page = document.pages.get()
    if tiles:
        images.tiles_make(page)
    with Image.open(page.image.path) as scan:
        scan = scan.convert("RGB")
        if region == "square":
            side = min(scan.size)
            box = (
                (scan.width - side) // 2,
                (scan.height - side) // 2,
                (scan.width + side) // 2,
                (scan.height + side) // 2,
            )
        expected = scan.crop(box) if box else scan
        expected = expected.resize(out, Image.Resampling.LANCZOS) if out else expected
    if tiles:  # the answer is cut from the tiles alone
        Path(page.image.path).rename(Path(page.image.path).with_suffix(".away"))
    response = api_client_for(users["viewer"]).get(f"/iiif/pages/{page.pk}/{region}/{size}/0/default.jpg")
    assert response.status_code == 200, response.content
    got = Image.open(io.BytesIO(response.content))
    assert got.size == expected.size
    assert _difference(got, expected) < 6  # JPEG twice (tiles, answer): a few levels of 255 on average


def test_png_is_served_too(api_client_for, users, document):
    page = document.pages.get()
    response = api_client_for(users["viewer"]).get(f"/iiif/pages/{page.pk}/0,0,10,10/max/0/default.png")
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (10, 10)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("10,10/max/0/default.jpg", 400),  # a region needs four numbers
        ("0,0,100,100/200,/0/default.jpg", 400),  # larger than the region
        ("full/^1000,/0/default.jpg", 501),  # upscaling: not at level 1
        ("full/max/90/default.jpg", 501),  # rotation: only 0
        ("full/max/0/gray.jpg", 501),
        ("full/max/0/default.webp", 501),
        ("99999,0,10,10/max/0/default.jpg", 400),  # outside the image
    ],
)
def test_requests_beyond_level_1_or_malformed_are_refused_with_a_reason(api_client_for, users, document, path, status):
    page = document.pages.get()
    response = api_client_for(users["viewer"]).get(f"/iiif/pages/{page.pk}/{path}")
    assert response.status_code == status
    assert response.json()["error"]


def test_the_document_page_links_its_manifest_and_tei_and_shows_its_metadata(client, users, document):
    document.source = "https://archive.example/manifest.json"
    document.save()
    client.force_login(users["viewer"])
    html = client.get(f"/documents/{document.pk}/").content.decode()
    assert f'href="/iiif/documents/{document.pk}/manifest.json"' in html and ">IIIF manifest<" in html
    assert f'href="/api/documents/{document.pk}/export/?format=tei"' in html
    assert "<dt>Date</dt><dd>1790</dd>" in html
    assert '<a href="https://archive.example/manifest.json" rel="noopener noreferrer">' in html
    russian = client.get(f"/ru/documents/{document.pk}/").content.decode()
    assert ">Манифест IIIF<" in russian and "<dt>Источник</dt>" in russian
