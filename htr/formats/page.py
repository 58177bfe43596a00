"""PAGE XML (2019-07-15 schema; any year on reading): TextRegion = Region, TextLine = Line.

PAGE keeps one confidence per TextEquiv, so the per-character confidences ride in the TextLine's `custom`
attribute, the Transkribus convention for extras (`charConfidences {values:0.98 0.5;}`); the TextEquiv's conf is
their mean, which is what other PAGE tools read. A region's kind that PAGE's type list lacks (eScriptorium's
"MainZone") goes in `custom` as `structure {type:MainZone;}`, as Transkribus does.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from htr.formats._xml import (
    XSI,
    FormatError,
    blocks_read,
    children,
    descendants,
    local,
    mean,
    parse_int,
    parse_points,
    region_blocks,
)
from htr.lines import Line, Page, Point

NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
_SCHEMA = f"{NS} {NS}/pagecontent.xsd"
_PAGE_TYPES = {
    "paragraph",
    "heading",
    "caption",
    "header",
    "footer",
    "page-number",
    "drop-capital",
    "credit",
    "floating",
    "signature-mark",
    "catch-word",
    "marginalia",
    "footnote",
    "footnote-continued",
    "endnote",
    "TOC-entry",
    "list-label",
    "other",
}
_CUSTOM = re.compile(r"(\w+)\s*\{([^}]*)\}")


def read_page_xml(root: etree._Element, name: str, image_name: str | None = None) -> Page:
    page_el = next(iter(descendants(root, "Page")), None)
    if page_el is None:
        raise FormatError(f"{name}: PAGE XML file without a Page element")
    page = Page(
        image=image_name or page_el.get("imageFilename", ""),
        width=parse_int(page_el.get("imageWidth")),
        height=parse_int(page_el.get("imageHeight")),
    )
    return blocks_read(
        page,
        descendants(page_el, "TextRegion"),
        id_attribute="id",
        kind_of=lambda region: (
            _custom(region.get("custom")).get("structure", {}).get("type") or region.get("type") or "text"
        ),
        shape_of=_coords,
        line_read=_line,
    )


def _line(el: etree._Element, default_id: str) -> Line:
    baseline = next((parse_points(b.get("points")) for b in children(el, "Baseline")), [])
    text, conf = _text_equiv(el)
    if text is None:  # no line-level transcription: the words', in order
        words = [_text_equiv(w)[0] for w in children(el, "Word")]
        text = " ".join(w for w in words if w)
    custom = _custom(el.get("custom")).get("charConfidences", {}).get("values", "")
    confidences = [float(v) for v in custom.split()]
    if len(confidences) != len(text):
        confidences = [conf] * len(text) if conf is not None else []
    return Line(
        id=el.get("id") or default_id,
        polygon=_coords(el),
        baseline=baseline,
        text=text,
        confidences=confidences,
    )


def _text_equiv(el: etree._Element) -> tuple[str | None, float | None]:
    """The element's own first transcription (lowest index) and its conf."""
    equivs = children(el, "TextEquiv")
    if not equivs:
        return None, None
    equiv = min(equivs, key=lambda e: parse_int(e.get("index") or "0"))
    unicode_el = next(iter(children(equiv, "Unicode")), None)
    conf = equiv.get("conf")
    return (unicode_el.text or "") if unicode_el is not None else "", float(conf) if conf else None


def _coords(el: etree._Element) -> list[Point]:
    coords = next(iter(children(el, "Coords")), None)
    if coords is None:
        return []
    if coords.get("points") is not None:
        return parse_points(coords.get("points"))
    # PAGE 2010 stored <Point x= y=/> children
    return [(parse_int(p.get("x")), parse_int(p.get("y"))) for p in coords if local(p.tag) == "Point"]


def _custom(value: str | None) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for key, body in _CUSTOM.findall(value or ""):
        items = (item.partition(":") for item in body.split(";"))
        out[key] = {k.strip(): v.strip() for k, _, v in items if k.strip()}
    return out


def write_page_xml(page: Page) -> bytes:
    def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)

    root = etree.Element(
        f"{{{NS}}}PcGts",
        {f"{{{XSI}}}schemaLocation": _SCHEMA},
        nsmap={None: NS, "xsi": XSI},
    )
    meta = sub(root, "Metadata")
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    sub(meta, "Creator").text = "Skoropis htr"
    sub(meta, "Created").text = now
    sub(meta, "LastChange").text = now
    page_el = sub(
        root,
        "Page",
        imageFilename=page.image,
        imageWidth=str(page.width),
        imageHeight=str(page.height),
    )
    for block_id, region, lines in region_blocks(page):
        attrs = {"id": block_id}
        kind = region.kind if region else "text"
        if kind in _PAGE_TYPES:
            attrs["type"] = kind
        elif kind != "text":
            attrs["custom"] = f"structure {{type:{kind};}}"
        region_el = sub(page_el, "TextRegion", **attrs)
        polygon = (region.polygon if region else []) or _hull(lines)
        sub(region_el, "Coords", points=_points(polygon))
        for line in lines:
            attrs = {"id": line.id}
            has_confidences = bool(line.confidences) and len(line.confidences) == len(line.text)
            if has_confidences:
                values = " ".join(f"{c:.4f}" for c in line.confidences)
                attrs["custom"] = f"charConfidences {{values:{values};}}"
            line_el = sub(region_el, "TextLine", **attrs)
            sub(line_el, "Coords", points=_points(line.polygon))
            if line.baseline:
                sub(line_el, "Baseline", points=_points(line.baseline))
            equiv = sub(
                line_el,
                "TextEquiv",
                **({"conf": f"{mean(line.confidences):.4f}"} if has_confidences else {}),
            )
            sub(equiv, "Unicode").text = line.text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _hull(lines: list[Line]) -> list[Point]:
    """PAGE requires Coords on a region: the lines' bounding box stands in where the region has no outline."""
    pts = [p for line in lines for p in line.polygon]
    if not pts:
        return []
    x0, y0 = min(p[0] for p in pts), min(p[1] for p in pts)
    x1, y1 = max(p[0] for p in pts), max(p[1] for p in pts)
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _points(points: list[Point]) -> str:
    return " ".join(f"{x},{y}" for x, y in points)
