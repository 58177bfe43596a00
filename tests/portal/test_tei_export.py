"""The TEI P5 export: valid against the TEI schema, a surface per page and a zone per line linked from the text by
`<lb facs>`, the document's metadata in the teiHeader."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db

TEI_ALL = Path(__file__).parent / "schemas" / "tei_all.rng"  # TEI P5 4.3.0, see schemas/README.md
NS = {"tei": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@pytest.fixture(scope="module")
def tei_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(TEI_ALL)))  # about 15 s of CPU: once for the file


@pytest.fixture
def document(users, project):
    document = make_document(project, title="Journal & <notes>")
    document.description = "Lettres de 1790"
    document.source = "https://archive.example/iiif/genlis/manifest.json"
    document.metadata = [{"label": "Date of writing", "value": "1790"}, {"label": "Cote", "value": "MS 12"}]
    document.save()
    make_page_with_lines(document, users["owner"], texts=("Милостивый государь мой", "le temps passé"))
    make_page_with_lines(document, users["owner"], texts=("Fait à Caen le vingt trois Août",))
    return document


def _export(api_client_for, user, document) -> tuple[int, bytes]:
    response = api_client_for(user).get(f"/api/documents/{document.pk}/export/?format=tei")
    return response.status_code, response.content


def test_the_tei_export_validates_against_the_tei_p5_schema(api_client_for, users, document, tei_schema):
    status, data = _export(api_client_for, users["viewer"], document)
    assert status == 200
    tree = etree.fromstring(data)
    assert tei_schema.validate(tree), tei_schema.error_log


def test_the_schema_refuses_a_broken_tei_document(api_client_for, users, document, tei_schema):
    """The check above means something: the same export with a zone where only a surface may be is refused."""
    tree = etree.fromstring(_export(api_client_for, users["viewer"], document)[1])
    zone = tree.find(".//tei:zone", NS)
    tree.find(".//tei:text", NS).append(zone)
    assert not tei_schema.validate(tree)


def test_each_line_is_a_zone_on_its_pages_surface_linked_from_its_line_break(api_client_for, users, document):
    tree = etree.fromstring(_export(api_client_for, users["viewer"], document)[1])
    surfaces = tree.findall("tei:facsimile/tei:surface", NS)
    pages = list(document.pages.order_by("number"))
    assert len(surfaces) == 2
    for surface, page in zip(surfaces, pages, strict=True):
        assert (surface.get("lrx"), surface.get("lry")) == (str(page.width), str(page.height))
        graphic = surface.find("tei:graphic", NS)
        assert graphic.get("url").endswith(f"/iiif/pages/{page.pk}/full/max/0/default.jpg")
        zones = {zone.get(XML_ID): zone for zone in surface.findall("tei:zone", NS)}
        for line in page.lines.order_by("order"):
            zone = zones[f"line_{line.pk}"]
            assert zone.get("points") == " ".join(f"{x},{y}" for x, y in line.polygon)
    breaks = tree.findall(".//tei:body//tei:lb", NS)
    texts = [lb.tail.strip() for lb in breaks]
    assert texts == ["Милостивый государь мой", "le temps passé", "Fait à Caen le vingt trois Août"]
    zone_ids = {zone.get(XML_ID) for zone in tree.iterfind(".//tei:zone", NS)}
    assert all(lb.get("facs").removeprefix("#") in zone_ids for lb in breaks)
    page_breaks = tree.findall(".//tei:body//tei:pb", NS)
    assert [pb.get("facs") for pb in page_breaks] == [f"#{s.get(XML_ID)}" for s in surfaces]


def test_the_header_holds_the_documents_title_summary_source_and_metadata(api_client_for, users, document):
    tree = etree.fromstring(_export(api_client_for, users["viewer"], document)[1])
    header = tree.find("tei:teiHeader/tei:fileDesc", NS)
    assert header.findtext("tei:titleStmt/tei:title", namespaces=NS) == "Journal & <notes>"
    assert header.findtext("tei:notesStmt/tei:note", namespaces=NS) == "Lettres de 1790"
    bibl = header.find("tei:sourceDesc/tei:bibl", NS)
    assert bibl.findtext("tei:idno", namespaces=NS) == "https://archive.example/iiif/genlis/manifest.json"
    assert {(n.get("n"), n.text) for n in bibl.findall("tei:note", NS)} == {
        ("Date of writing", "1790"),
        ("Cote", "MS 12"),
    }


def test_a_private_documents_tei_answers_404_to_a_stranger(api_client_for, users, document):
    assert _export(api_client_for, users["outsider"], document)[0] == 404
    assert _export(api_client_for, None, document)[0] == 404
