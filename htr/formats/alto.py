"""ALTO v4 (as eScriptorium and kraken write it): TextBlock = Region, TextLine = Line, one String per line.

Per-character confidences go in the String's CC attribute, which ALTO defines as "a list of numbers, one number
between 0 (sure) and 9 (unsure) for each character": we write that scale with four decimals, so a read-back is
exact to 1e-4 while any ALTO reader still sees sure/unsure the standard way. WC holds the line's mean confidence.
Reading also takes single-digit CC strings ("0019") and kraken's per-Glyph GC values.
"""

from __future__ import annotations

import re

from lxml import etree

from htr.formats._xml import (
    XSI,
    FormatError,
    blocks_read,
    child,
    children,
    descendants,
    local,
    mean,
    parse_int,
    parse_points,
    region_blocks,
)
from htr.lines import Line, Page, Point

NS = "http://www.loc.gov/standards/alto/ns-v4#"
_SCHEMA = f"{NS} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
_TAGS = ("LayoutTag", "StructureTag", "RoleTag", "NamedEntityTag", "OtherTag")
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


# Reading ---------------------------------------------------------------------------------------------------------


def read_alto(root: etree._Element, name: str, image_name: str | None = None) -> Page:
    pages = descendants(root, "Page")
    if not pages:
        raise FormatError(f"{name}: ALTO file without a Page element")
    page_el = pages[0]
    file_name = next((el.text or "" for el in descendants(root, "fileName")), "").strip()
    page = Page(
        image=image_name or file_name,
        width=parse_int(page_el.get("WIDTH")),
        height=parse_int(page_el.get("HEIGHT")),
    )
    labels = {t.get("ID"): t.get("LABEL", "") for t in root.iter() if local(t.tag) in _TAGS}
    return blocks_read(
        page,
        descendants(page_el, "TextBlock"),
        id_attribute="ID",
        kind_of=lambda block: next((labels[r] for r in block.get("TAGREFS", "").split() if labels.get(r)), "text"),
        shape_of=_shape,
        line_read=_line,
    )


def _line(el: etree._Element, default_id: str) -> Line:
    baseline = parse_points(el.get("BASELINE"))
    base_el = child(el, "Baseline")  # ALTO 4.3+ may carry it as an element
    if not baseline and base_el is not None:
        baseline = parse_points(base_el.get("POINTS") or base_el.get("points"))
    strings = children(el, "String")
    text = " ".join(s.get("CONTENT", "") for s in strings)
    return Line(
        id=el.get("ID") or default_id,
        polygon=_shape(el),
        baseline=baseline,
        text=text,
        confidences=_line_confidences(strings, text),
    )


def _shape(el: etree._Element) -> list[Point]:
    shape = child(el, "Shape")
    polygon = child(shape, "Polygon") if shape is not None else None
    if polygon is not None:
        return parse_points(polygon.get("POINTS"))
    if el.get("HPOS") is None or el.get("WIDTH") is None:
        return []
    x, y, w, h = (parse_int(el.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def _line_confidences(strings: list[etree._Element], text: str) -> list[float]:
    per_string = [_string_confidences(s) for s in strings]
    if not strings or any(not c for c in per_string):
        return []
    out: list[float] = []
    for i, conf in enumerate(per_string):
        if i:  # the space between two Strings: as sure as its less sure neighbour
            out.append(min(out[-1], conf[0]))
        out.extend(conf)
    return out if len(out) == len(text) else []


def _string_confidences(el: etree._Element) -> list[float]:
    content = el.get("CONTENT", "")
    if not content:
        return []
    cc = (el.get("CC") or "").strip()
    if cc:
        spaced = any(c.isspace() for c in cc) or "." in cc
        values = cc.split() if spaced else list(cc)
        try:
            confs = [round(1.0 - float(v) / 9.0, 4) for v in values]
        except ValueError:
            confs = []
        if len(confs) == len(content):
            return [min(1.0, max(0.0, c)) for c in confs]
    glyphs = children(el, "Glyph")
    if glyphs and len(glyphs) == len(content) and all(g.get("GC") for g in glyphs):
        return [float(g.get("GC", "0")) for g in glyphs]
    if el.get("WC"):
        return [float(el.get("WC", "0"))] * len(content)
    return []


# Writing ---------------------------------------------------------------------------------------------------------


def write_alto(page: Page) -> bytes:
    E = _Maker()
    root = E("alto", {f"{{{XSI}}}schemaLocation": _SCHEMA})
    desc = E.sub(root, "Description")
    E.sub(desc, "MeasurementUnit").text = "pixel"
    E.sub(E.sub(desc, "sourceImageInformation"), "fileName").text = page.image
    kinds = sorted({r.kind for r in page.regions if r.kind and r.kind != "text"})
    tag_ids = {kind: f"BT{i + 1}" for i, kind in enumerate(kinds)}
    if kinds:
        tags = E.sub(root, "Tags")
        for kind in kinds:
            E.sub(
                tags,
                "OtherTag",
                ID=tag_ids[kind],
                LABEL=kind,
                DESCRIPTION=f"block type {kind}",
            )
    page_el = E.sub(
        E.sub(root, "Layout"),
        "Page",
        WIDTH=str(page.width),
        HEIGHT=str(page.height),
        PHYSICAL_IMG_NR="1",
        ID="page_1",
    )
    space = E.sub(
        page_el,
        "PrintSpace",
        HPOS="0",
        VPOS="0",
        WIDTH=str(page.width),
        HEIGHT=str(page.height),
    )
    for block_id, region, lines in region_blocks(page):
        attrs = {"ID": _xml_id(block_id)}
        polygon = region.polygon if region else []
        if region and region.kind in tag_ids:
            attrs["TAGREFS"] = tag_ids[region.kind]
        block = E.sub(space, "TextBlock", **attrs, **_box(polygon))
        if polygon:
            E.sub(E.sub(block, "Shape"), "Polygon", POINTS=_points(polygon))
        for line in lines:
            attrs = {"ID": _xml_id(line.id)}
            if line.baseline:
                attrs["BASELINE"] = _points(line.baseline)
            line_el = E.sub(block, "TextLine", **attrs, **_box(line.polygon))
            if line.polygon:
                E.sub(E.sub(line_el, "Shape"), "Polygon", POINTS=_points(line.polygon))
            string = {"CONTENT": line.text, **_box(line.polygon)}
            if line.confidences and len(line.confidences) == len(line.text):
                string["WC"] = f"{mean(line.confidences):.4f}"
                string["CC"] = " ".join(_cc(c) for c in line.confidences)
            E.sub(line_el, "String", **string)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cc(confidence: float) -> str:
    return f"{9.0 * (1.0 - min(1.0, max(0.0, confidence))):.4f}".rstrip("0").rstrip(".")


def _points(points: list[Point]) -> str:
    return " ".join(f"{x} {y}" for x, y in points)


def _box(polygon: list[Point]) -> dict[str, str]:
    if not polygon:
        return {}
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return {
        "HPOS": str(min(xs)),
        "VPOS": str(min(ys)),
        "WIDTH": str(max(xs) - min(xs)),
        "HEIGHT": str(max(ys) - min(ys)),
    }


def _xml_id(value: str) -> str:
    """ALTO IDs are xsd:ID (an XML name); prefix the few that are not, so validators accept the file."""
    return value if _NCNAME.match(value) else "id_" + re.sub(r"[^\w.-]", "_", value)


class _Maker:
    def __call__(self, tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
        return etree.Element(f"{{{NS}}}{tag}", attrs or {}, nsmap={None: NS, "xsi": XSI})

    def sub(self, parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
