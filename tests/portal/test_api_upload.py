"""POST /api/documents/{id}/upload/: what is accepted, what is refused with which message, and that a refusal
leaves nothing behind (no row, no file)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from portal.archive.models import Layer, Line, Page, Revision, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import make_document
from tests.portal.pdf_helpers import build_pdf

pytestmark = pytest.mark.django_db


def png(size=(120, 80), color=(250, 240, 230)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def tiff(frames: int, size=(100, 60)) -> bytes:
    buf = io.BytesIO()
    images = [Image.new("RGB", size, (255 - 20 * i, 255, 255)) for i in range(frames)]
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:])
    return buf.getvalue()


def pdf(pages: int) -> bytes:
    import pypdfium2 as pdfium

    if pages == 0:  # PDFium cannot write one: the smallest valid page-less PDF by hand
        return build_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(595, 842)
    buf = io.BytesIO()
    doc.save(buf)
    doc.close()
    return buf.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF whose standard security handler wants a user password (the empty one does not open it)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>",
    ]
    trailer = b"/Encrypt 4 0 R /ID [<" + b"ab" * 16 + b"> <" + b"ab" * 16 + b">]"
    return build_pdf(objects, trailer)


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def upload(client, document, files: dict[str, bytes]):
    payload = {"files": [_named(name, data) for name, data in files.items()]}
    return client.post(f"/api/documents/{document.pk}/upload/", payload, format="multipart")


def _named(name: str, data: bytes):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.fixture
def document(project):
    return make_document(project)


def assert_nothing_stored(document):
    assert not Page.objects.filter(document=document).exists()
    assert not Line.objects.exists() and not Transcription.objects.exists() and not Revision.objects.exists()
    assert not Job.objects.exists()
    folder = Path(settings.MEDIA_ROOT) / "documents" / str(document.pk)
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def refused(response, document, *fragments: str) -> None:
    assert response.status_code == 400, response.content
    message = response.json()["error"]
    for fragment in fragments:
        assert fragment in message, message
    assert_nothing_stored(document)


# --- refusals ------------------------------------------------------------------------------------------------------


def test_it_rejects_a_file_that_is_not_an_image_whatever_its_name(editor, document):
    refused(
        upload(editor, document, {"scan.jpg": b"MZ\x90\x00\x03" + bytes(range(256)) * 4}),
        document,
        "scan.jpg",
        "not a supported file type",
    )


def test_it_rejects_a_truncated_jpeg(editor, document):
    image, _ = cremma_page()
    data = image.read_bytes()
    refused(upload(editor, document, {"f15.jpg": data[: len(data) // 2]}), document, "f15.jpg", "truncated")


def test_it_rejects_a_truncated_png(editor, document):
    data = png((400, 300), (10, 200, 30))
    refused(upload(editor, document, {"leaf.png": data[: len(data) - 40]}), document, "leaf.png", "truncated")


def test_it_rejects_a_decompression_bomb(editor, document, settings):
    settings.UPLOAD_MAX_PIXELS = 10_000
    refused(
        upload(editor, document, {"bomb.png": png((200, 200))}), document, "bomb.png", "too large", "decompression bomb"
    )


def test_it_rejects_an_empty_pdf(editor, document):
    refused(upload(editor, document, {"book.pdf": pdf(0)}), document, "book.pdf", "no pages")


def test_it_rejects_an_encrypted_pdf(editor, document):
    refused(upload(editor, document, {"secret.pdf": encrypted_pdf()}), document, "secret.pdf", "encrypted")


def test_it_rejects_a_corrupt_pdf(editor, document):
    refused(
        upload(editor, document, {"broken.pdf": b"%PDF-1.7\n1 0 obj << /Type /Cat"}),
        document,
        "broken.pdf",
        "damaged PDF",
    )


def test_it_rejects_a_file_over_the_size_limit(editor, document, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    image, _ = cremma_page()
    refused(upload(editor, document, {"f15.jpg": image.read_bytes()}), document, "f15.jpg", "more than the limit")


def test_it_rejects_an_empty_file(editor, document):
    refused(upload(editor, document, {"nothing.png": b""}), document, "nothing.png", "empty")


def test_it_rejects_no_files_at_all(editor, document):
    response = editor.post(f"/api/documents/{document.pk}/upload/", {}, format="multipart")
    refused(response, document, "no files")


def test_it_rejects_a_zip_with_nothing_usable(editor, document):
    refused(
        upload(editor, document, {"notes.zip": zipped({"readme.txt": b"hello", "data.bin": b"\x00\x01\x02"})}),
        document,
        "notes.zip",
        "no page images",
        "readme.txt",
    )


def test_it_rejects_a_zip_bomb(editor, document):
    refused(
        upload(editor, document, {"bomb.zip": zipped({"a.png": b"\x00" * (8 * 1024 * 1024)})}),
        document,
        "bomb.zip",
        "zip bomb",
    )


def test_it_rejects_a_zip_that_unpacks_beyond_the_size_limit(editor, document, settings):
    import random

    settings.UPLOAD_MAX_BYTES = 500_000
    rng = random.Random(7)
    members = {f"p{i}.xml": "".join(rng.choice("acgt") for _ in range(40_000)).encode() for i in range(30)}
    refused(upload(editor, document, {"many.zip": zipped(members)}), document, "many.zip", "unpacks to")


def test_it_rejects_too_many_pages(editor, document, settings):
    settings.UPLOAD_MAX_PAGES = 2
    refused(upload(editor, document, {"stack.tif": tiff(3)}), document, "stack.tif", "more than 2 pages")


def test_it_rejects_a_zip_with_path_traversal(editor, document):
    refused(
        upload(editor, document, {"evil.zip": zipped({"../../etc/cron.d/x.png": png()})}),
        document,
        "evil.zip",
        "unsafe path",
    )


def test_it_rejects_a_zip_inside_a_zip(editor, document):
    inner = zipped({"a.png": png()})
    refused(
        upload(editor, document, {"outer.zip": zipped({"inner.zip": inner})}), document, "inner.zip", "ZIP inside a ZIP"
    )


def test_it_rejects_xml_that_is_neither_alto_nor_page(editor, document):
    files = {"leaf.png": png(), "leaf.xml": b"<?xml version='1.0'?><html><body>hi</body></html>"}
    refused(upload(editor, document, files), document, "leaf.xml", "expected ALTO or PAGE XML")


def test_it_rejects_malformed_xml(editor, document):
    files = {"leaf.png": png(), "leaf.xml": b"<alto xmlns='http://www.loc.gov/standards/alto/ns-v4#'><Layout>"}
    refused(upload(editor, document, files), document, "leaf.xml", "not well-formed XML")


def test_it_rejects_an_alto_file_without_its_image(editor, document):
    _, alto = cremma_page()
    refused(upload(editor, document, {"f15.xml": alto.read_bytes()}), document, "f15.xml", "no image")


def test_it_rejects_an_alto_file_describing_a_page_of_another_shape(editor, document):
    _, alto = cremma_page()
    refused(
        upload(editor, document, {"f15.xml": alto.read_bytes(), "f15.png": png((2000, 300))}),
        document,
        "f15.xml",
        "different shape",
    )


def test_it_rejects_a_peter_text_without_its_line_image(editor, document):
    files = {
        "lines.zip": zipped(
            {"images/a1.png": png(), "words/a1.txt": "Милостивый".encode(), "words/a2.txt": "государь".encode()}
        )
    }
    refused(upload(editor, document, files), document, "words/a2.txt", "no line image")


def test_it_rejects_a_peter_line_image_without_its_text(editor, document):
    files = {"lines.zip": zipped({"images/a1.png": png(), "images/a2.png": png(), "words/a1.txt": "Ѳеодоръ".encode()})}
    refused(upload(editor, document, files), document, "images/a2.png", "without its transcription")


def test_it_rejects_a_peter_text_that_is_not_utf8(editor, document):
    files = {"lines.zip": zipped({"images/a1.png": png(), "words/a1.txt": "Милостивый государь".encode("cp1251")})}
    refused(upload(editor, document, files), document, "words/a1.txt", "UTF-8")


def test_it_rejects_a_plain_text_file(editor, document):
    refused(upload(editor, document, {"notes.txt": b"some text"}), document, "notes.txt", "plain text")


def test_one_bad_file_refuses_the_whole_upload(editor, document):
    image, _ = cremma_page()
    files = {"f15.jpg": image.read_bytes(), "bad.png": png()[:60]}
    refused(upload(editor, document, files), document, "bad.png")


def test_a_failure_while_storing_removes_the_files_already_written(editor, document, monkeypatch):
    from portal.archive import pipeline

    real, calls = pipeline.page_pipeline_start, []

    def failing_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(pipeline, "page_pipeline_start", failing_on_second)
    with pytest.raises(RuntimeError):
        upload(editor, document, {"a.png": png(), "b.png": png()})
    assert len(calls) == 2
    assert_nothing_stored(document)


# --- acceptances ---------------------------------------------------------------------------------------------------


def test_a_jpeg_becomes_a_page_with_a_pipeline_job(editor, document):
    image, _ = cremma_page()
    response = upload(editor, document, {"f15.jpg": image.read_bytes()})
    assert response.status_code == 201
    body = response.json()
    [page] = body["pages"]
    [job] = body["jobs"]
    assert (page["number"], page["original_name"], page["state"]) == (1, "f15.jpg", "uploaded")
    assert page["width"] > 1000 and page["height"] > 1000
    assert job["kind"] == "page_pipeline" and job["target"] == f"archive.page:{page['id']}"
    assert job["params"]["steps"] == ["prepare", "segmentation", "recognition"]
    stored = Page.objects.get(pk=page["id"])
    assert Path(stored.image.path).read_bytes() == image.read_bytes()
    assert Job.objects.get(pk=job["id"]).group == f"document-{document.pk}"


def test_a_multi_page_tiff_and_a_png_become_four_pages_in_order(editor, document):
    response = upload(editor, document, {"stack.tif": tiff(3), "last.png": png()})
    assert response.status_code == 201
    names = [p["original_name"] for p in response.json()["pages"]]
    assert names == ["stack.tif#1", "stack.tif#2", "stack.tif#3", "last.png"]
    assert [p.number for p in document.pages.all()] == [1, 2, 3, 4]


def test_a_pdf_is_stored_for_a_worker_to_draw_not_drawn_in_the_request(editor, document):
    data = pdf(2)
    response = upload(editor, document, {"book.pdf": data, "last.png": png()})
    assert response.status_code == 201
    body = response.json()
    assert [p["original_name"] for p in body["pages"]] == ["last.png"]  # the PDF's pages come with its job
    pdf_job = Job.objects.get(kind="pdf_render")
    assert [j["id"] for j in body["jobs"]][-1] == pdf_job.pk
    assert (pdf_job.target, pdf_job.total, pdf_job.status) == (f"archive.document:{document.pk}", 2, "queued")
    assert pdf_job.params["files"] == ["book.pdf"]
    stored = Path(settings.MEDIA_ROOT) / "documents" / str(document.pk) / "uploads" / str(pdf_job.pk) / "1.pdf"
    assert stored.read_bytes() == data


def test_a_zip_of_images_becomes_pages(editor, document):
    image, _ = cremma_page()
    members = {"p10.png": png(), "f15.jpg": image.read_bytes(), "p2.png": png(), "__MACOSX/._x": b"junk"}
    response = upload(editor, document, {"scans.zip": zipped(members)})
    assert response.status_code == 201
    assert [p["original_name"] for p in response.json()["pages"]] == ["f15.jpg", "p2.png", "p10.png"]


def test_an_alto_file_beside_its_image_is_imported_as_ground_truth(editor, document):
    import htr.formats

    image, alto = cremma_page()
    expected = htr.formats.read_page(alto)
    response = upload(editor, document, {"f15.jpg": image.read_bytes(), "f15.xml": alto.read_bytes()})
    assert response.status_code == 201
    [job] = response.json()["jobs"]
    assert job["params"]["steps"] == ["prepare"]  # the lines are given: only thumbnails and tiles to make
    page = document.pages.get()
    layer = Layer.objects.get(document=document, kind=Layer.Kind.GROUND_TRUTH)
    assert layer.name == "Imported"
    lines = list(page.lines.order_by("order"))
    assert len(lines) == len(expected.lines) == 22
    texts = dict(Transcription.objects.filter(layer=layer).values_list("line_id", "text"))
    assert [texts.get(line.pk, "") for line in lines] == [hl.text for hl in expected.lines]
    assert lines[0].polygon == [list(p) for p in expected.lines[0].polygon]
    assert lines[0].baseline == [list(p) for p in expected.lines[0].baseline]


def test_page_xml_in_a_zip_is_imported(editor, document):
    import htr.formats

    image, alto = cremma_page()
    page_xml = htr.formats.page_to_bytes(htr.formats.read_page(alto), "page")
    files = {"gt.zip": zipped({"pages/f15.jpg": image.read_bytes(), "xml/f15.xml": page_xml})}
    response = upload(editor, document, files)
    assert response.status_code == 201
    assert document.pages.get().lines.count() == 22


def test_digital_peter_pairs_become_one_page_per_line(editor, document):
    files = {
        "peter.zip": zipped(
            {
                "images/1_1_0.png": png((600, 60)),
                "words/1_1_0.txt": "Милостивый государь".encode(),
                "images/1_1_1.png": png((500, 50)),
                "words/1_1_1.txt": "  Ѳеодоръ Матвѣевичъ\n".encode(),
            }
        )
    }
    response = upload(editor, document, files)
    assert response.status_code == 201
    pages = list(document.pages.order_by("number"))
    assert len(pages) == 2
    line = pages[1].lines.get()
    assert line.polygon == [[0, 0], [500, 0], [500, 50], [0, 50]]
    assert Transcription.objects.get(line=line).text == "Ѳеодоръ Матвѣевичъ"


def test_pages_are_numbered_after_the_existing_ones(editor, document):
    upload(editor, document, {"a.png": png()})
    response = upload(editor, document, {"b.png": png()})
    assert response.json()["pages"][0]["number"] == 2


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("outsider", 404), (None, 401)])
def test_only_editors_and_owners_may_upload(users, api_client_for, document, role, status):
    client = api_client_for(users[role] if role else None)
    assert upload(client, document, {"a.png": png()}).status_code == status
    assert_nothing_stored(document)
