"""Export (text, ALTO v4, PAGE XML; one page or a ZIP per document) and the import → export → import round trip."""

from __future__ import annotations

import io
import zipfile

import pytest

import htr.formats
from portal.archive.models import Layer, Transcription
from tests.datasets import cremma_page
from tests.factories import make_document, upload_files

pytestmark = pytest.mark.django_db


def page_state(page) -> list[tuple]:
    layer = Layer.objects.get(document=page.document, kind=Layer.Kind.GROUND_TRUTH)
    texts = dict(Transcription.objects.filter(layer=layer, line__page=page).values_list("line_id", "text"))
    return [(line.polygon, line.baseline, texts.get(line.pk, "")) for line in page.lines.order_by("order")]


@pytest.mark.parametrize("fmt", ["alto", "page"])
def test_import_export_import_keeps_polygons_baselines_order_and_text(users, project, api_client_for, fmt):
    image, alto = cremma_page()
    first_doc = make_document(project, title="Genlis")
    [page], _ = upload_files(first_doc, users["owner"], [image, alto])
    client = api_client_for(users["viewer"])
    response = client.get(f"/api/pages/{page.pk}/export/?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="f15.xml"'
    exported = response.content
    assert htr.formats.read_page(exported).image == "f15.jpg"

    second_doc = make_document(project, title="Genlis again")
    editor = api_client_for(users["editor"])
    files = [io.BytesIO(image.read_bytes()), io.BytesIO(exported)]
    files[0].name, files[1].name = "f15.jpg", "f15.xml"
    assert (
        editor.post(f"/api/documents/{second_doc.pk}/upload/", {"files": files}, format="multipart").status_code == 201
    )
    again = second_doc.pages.get()
    assert page_state(again) == page_state(page)
    assert len(page_state(page)) == 22


def test_a_document_export_is_a_zip_of_page_files_that_imports_back(users, project, api_client_for):
    image, alto = cremma_page()
    document = make_document(project)
    upload_files(document, users["owner"], [image, alto])
    response = api_client_for(users["owner"]).get(f"/api/documents/{document.pk}/export/?format=alto")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["0001_f15.xml"]

    # the exported file names its image: zipped beside the scan, it matches by that name
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w") as z:
        z.writestr("0001_f15.xml", archive.read("0001_f15.xml"))
        z.writestr("f15.jpg", image.read_bytes())
    repacked.seek(0)
    repacked.name = "back.zip"
    target = make_document(project, title="Back")
    client = api_client_for(users["editor"])
    assert (
        client.post(f"/api/documents/{target.pk}/upload/", {"files": [repacked]}, format="multipart").status_code == 201
    )
    assert page_state(target.pages.get()) == page_state(document.pages.get())


def test_text_export_has_one_line_per_line_in_reading_order(users, project, api_client_for):
    image, alto = cremma_page()
    document = make_document(project)
    [page], _ = upload_files(document, users["owner"], [image, alto])
    text = api_client_for(users["owner"]).get(f"/api/pages/{page.pk}/export/?format=text").content.decode()
    expected = [line.text for line in htr.formats.read_page(alto).lines]
    assert text.rstrip("\n").split("\n") == expected


def test_an_unknown_export_format_is_refused_with_the_choices(users, project, api_client_for):
    image, alto = cremma_page()
    document = make_document(project)
    [page], _ = upload_files(document, users["owner"], [image, alto])
    response = api_client_for(users["owner"]).get(f"/api/pages/{page.pk}/export/?format=docx")
    assert response.status_code == 400
    assert "docx" in response.json()["error"] and "alto" in response.json()["error"]
