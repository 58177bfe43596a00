"""Pages as one TEI P5 document: a `facsimile` with a `surface` per page and a `zone` per line (its polygon as
`points`, its box as ulx/uly/lrx/lry), and the text with a `pb` per page and an `lb` per line pointing at its zone
(`facs="#zone id"`), so that an edition can show each line on its scan. The document's title, summary, source and
metadata go into the `teiHeader`.

Valid against the TEI P5 `tei_all` RELAX NG schema (checked in the tests). Only writing: TEI editions are too varied
to be read back into lines without knowing their encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from htr.lines import Line, Page

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_NOT_NAME = re.compile(r"[^\w.-]", re.ASCII)


@dataclass
class Surface:
    """One page of the document: the page, its image's URL and the label of the page in the text (`pb/@n`)."""

    page: Page
    image_url: str
    label: str
    id: str = ""


def _tei(tag: str) -> str:
    return f"{{{TEI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, _tei(tag), {k: v for k, v in attributes.items() if v != ""})
    if text:
        element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    """XML 1.0 has no place for most control characters."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)


def _xml_id(raw: str, taken: set[str]) -> str:
    """A unique NCName made from `raw`."""
    name = _NOT_NAME.sub("_", raw) or "id"
    if not (name[0].isalpha() or name[0] == "_"):
        name = f"z{name}"
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _number(value: float) -> str:
    return str(round(value))


def _zone(surface_el: etree._Element, line: Line, zone_id: str) -> None:
    points = line.polygon or line.baseline
    attributes = {XML_ID: zone_id}
    if points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        attributes |= {
            "ulx": _number(min(xs)),
            "uly": _number(min(ys)),
            "lrx": _number(max(xs)),
            "lry": _number(max(ys)),
        }
    if len(line.polygon) >= 3:
        attributes["points"] = " ".join(f"{_number(x)},{_number(y)}" for x, y in line.polygon)
    etree.SubElement(surface_el, _tei("zone"), attributes)


def _header(
    root: etree._Element,
    *,
    title: str,
    summary: str,
    source: str,
    metadata: Iterable[tuple[str, str]],
    publisher: str,
    date: str,
) -> None:
    file_desc = _sub(_sub(root, "teiHeader"), "fileDesc")
    _sub(_sub(file_desc, "titleStmt"), "title", title or "Untitled")
    publication = _sub(file_desc, "publicationStmt")
    _sub(publication, "publisher", publisher or "Unknown")
    if date:
        _sub(publication, "date", date, when=date)
    if summary:
        _sub(_sub(file_desc, "notesStmt"), "note", summary, type="summary")
    bibl = _sub(_sub(file_desc, "sourceDesc"), "bibl")
    _sub(bibl, "title", title or "Untitled")
    if source:
        _sub(bibl, "idno", source, type="URI")
    for label, value in metadata:
        if value:
            _sub(bibl, "note", value, n=_clean(label))


def document_to_tei(
    surfaces: Sequence[Surface],
    *,
    title: str,
    summary: str = "",
    source: str = "",
    metadata: Iterable[tuple[str, str]] = (),
    publisher: str = "",
    date: str = "",
    language: str = "",
) -> bytes:
    """The TEI document, UTF-8 with an XML declaration. `date`: ISO (YYYY-MM-DD) date of the export."""
    root = etree.Element(_tei("TEI"), nsmap={None: TEI_NS})
    _header(root, title=title, summary=summary, source=source, metadata=metadata, publisher=publisher, date=date)
    taken: set[str] = set()
    facsimile = _sub(root, "facsimile") if surfaces else None
    body_div = _sub(
        _sub(
            _sub(root, "text", **({"{http://www.w3.org/XML/1998/namespace}lang": language} if language else {})), "body"
        ),
        "div",
    )
    for number, surface in enumerate(surfaces, start=1):
        page = surface.page
        surface_id = _xml_id(surface.id or f"page_{number}", taken)
        surface_el = _sub(
            facsimile,
            "surface",
            **{XML_ID: surface_id, "ulx": "0", "uly": "0", "lrx": str(page.width), "lry": str(page.height)},
        )
        _sub(surface_el, "graphic", url=surface.image_url, width=f"{page.width}px", height=f"{page.height}px")
        _sub(body_div, "pb", n=surface.label or str(number), facs=f"#{surface_id}")
        block = _sub(body_div, "ab")
        for n, line in enumerate(page.lines, start=1):
            zone_id = _xml_id(f"{surface_id}_{line.id}" if not line.id.startswith("line_") else line.id, taken)
            _zone(surface_el, line, zone_id)
            lb = _sub(block, "lb", n=str(n), facs=f"#{zone_id}")
            lb.tail = _clean(line.text or "") + "\n"
    if not surfaces:
        _sub(body_div, "p")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
