"""Pages out as plain text, ALTO v4 or PAGE XML (through the engine's writers), one file or a ZIP per document.

The exported file names the page's original image, so that uploading the image with its exported file brings the
same lines back (polygons, baselines, order, text).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

import htr.formats
from htr.lines import Line as HtrLine
from htr.lines import Page as HtrPage
from htr.lines import Region as HtrRegion
from portal.archive import selectors
from portal.archive.models import Document, Layer, Page

FORMATS = {
    "text": (".txt", "text/plain; charset=utf-8"),
    "alto": (".xml", "application/xml"),
    "page": (".xml", "application/xml"),
}


class ExportError(ValueError):
    pass


def page_stem(page: Page) -> str:
    stem = PurePosixPath(page.original_name).stem if page.original_name else ""
    return re.sub(r"[^\w.-]+", "-", stem).strip("-.") or f"page-{page.number}"


def page_as_htr(page: Page, layer: Layer | None = None) -> HtrPage:
    """The page in the engine's vocabulary, with the text of `layer` (default: the page's reading layer)."""
    layer = layer if layer is not None else selectors.page_reading_layer(page)
    regions = [
        HtrRegion(id=f"region_{r.pk}", polygon=[tuple(p) for p in r.polygon], kind=r.kind)
        for r in page.regions.order_by("order", "pk")
    ]
    lines = []
    for line, t in selectors.page_lines_read(page, layer):
        text = t.text if t else ""
        lines.append(
            HtrLine(
                id=f"line_{line.pk}",
                polygon=[tuple(p) for p in line.polygon],
                baseline=[tuple(p) for p in line.baseline],
                text=text,
                confidences=t.confidences if t and len(t.confidences) == len(text) else [],
                region=f"region_{line.region_id}" if line.region_id else None,
            )
        )
    name = page.original_name or f"{page_stem(page)}.jpg"
    return HtrPage(image=name, width=page.width, height=page.height, lines=lines, regions=regions)


def page_export(page: Page, fmt: str, layer: Layer | None = None) -> tuple[str, bytes, str]:
    """(file name, content, content type) of one page."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    suffix, content_type = FORMATS[fmt]
    hpage = page_as_htr(page, layer)
    if fmt == "text":
        data = (hpage.text + "\n").encode("utf-8") if hpage.lines else b""
    else:
        data = htr.formats.page_to_bytes(hpage, fmt)
    return f"{page_stem(page)}{suffix}", data, content_type


def document_export(document: Document, fmt: str) -> bytes:
    """A ZIP with one file per page, named `<number>_<image stem>`, in page order."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for page in document.pages.order_by("number"):
            name, data, _ = page_export(page, fmt)
            archive.writestr(f"{page.number:04d}_{name}", data)
    return buf.getvalue()
