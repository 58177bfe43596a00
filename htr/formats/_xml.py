"""What the ALTO and PAGE modules share: safe parsing, point lists, regions as containers of lines."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lxml import etree

from htr.lines import Line, Page, Point, Region

XSI = "http://www.w3.org/2001/XMLSchema-instance"  # the namespace of the root's xsi:schemaLocation
# eScriptorium's block for lines that belong to no region; ALTO and PAGE have no other place for them.
NO_REGION = "eSc_dummyblock_"
# A region whose lines are interleaved with another's in reading order is written as several blocks.
_CONTINUED = re.compile(r"^(?P<id>.+)_cont\d+$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")

# Uploaded files are untrusted: no entity expansion, no network, no DTD.
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=True,
    remove_comments=True,
)


class FormatError(ValueError):
    """A page file that cannot be read as ALTO, PAGE XML or our JSON."""


def parse_xml(data: bytes, name: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise FormatError(f"{name}: not well-formed XML ({exc})") from exc


def local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def parse_points(text: str | None) -> list[Point]:
    """Read "x y x y ..." and "x,y x,y ..." alike (ALTO writers use both), rounding to whole pixels."""
    nums = [float(v) for v in _NUMBER.findall(text or "")]
    return [(round(nums[i]), round(nums[i + 1])) for i in range(0, len(nums) - 1, 2)]


def parse_int(value: str | None) -> int:
    """A whole number of pixels from an attribute that may be missing, fractional or garbage (0 then)."""
    try:
        return round(float(value or 0))
    except ValueError:
        return 0


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: etree._Element, name: str) -> etree._Element | None:
    found = children(el, name)
    return found[0] if found else None


def descendants(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if local(c.tag) == name]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def region_of(block_id: str, seen: dict[str, Region]) -> str | None:
    """The region a block (TextBlock, TextRegion) of this id stands for, None for the no-region block."""
    if not block_id or block_id.startswith(NO_REGION):
        return None
    cont = _CONTINUED.match(block_id)
    if cont and cont["id"] in seen:
        return cont["id"]
    return block_id


def blocks_read(
    page: Page,
    blocks: list[etree._Element],
    *,
    id_attribute: str,
    kind_of: Callable[[etree._Element], str],
    shape_of: Callable[[etree._Element], list[Point]],
    line_read: Callable[[etree._Element, str], Line],
) -> Page:
    """The regions and lines of `page` from its blocks (ALTO TextBlock, PAGE TextRegion) in document order; what
    differs between the formats is how a block names its id, kind and shape, and how a line is read."""
    regions: dict[str, Region] = {}
    for block in blocks:
        region_id = region_of(block.get(id_attribute, ""), regions)
        if region_id is not None and region_id not in regions:
            regions[region_id] = Region(id=region_id, polygon=shape_of(block), kind=kind_of(block))
            page.regions.append(regions[region_id])
        for line_el in children(block, "TextLine"):
            line = line_read(line_el, f"line_{len(page.lines) + 1}")
            line.region = region_id
            page.lines.append(line)
    return page


def region_blocks(page: Page) -> Iterator[tuple[str, Region | None, list[Line]]]:
    """Blocks in reading order: one per run of consecutive lines of one region, empty regions in their place."""
    regions = {r.id: r for r in page.regions}
    runs: list[tuple[str | None, list[Line]]] = []
    for line in page.lines:
        if runs and runs[-1][0] == line.region:
            runs[-1][1].append(line)
        else:
            runs.append((line.region, [line]))
    with_lines = {rid for rid, _ in runs}
    pending = [r for r in page.regions if r.id not in with_lines]  # regions without lines
    order = {r.id: i for i, r in enumerate(page.regions)}
    emitted: dict[str | None, int] = {}
    for rid, lines in runs:
        while pending and rid in order and order[pending[0].id] < order[rid]:
            empty = pending.pop(0)
            yield empty.id, empty, []
        n = emitted[rid] = emitted.get(rid, 0) + 1
        if rid is None:
            block_id = NO_REGION if n == 1 else f"{NO_REGION}{n}"
        else:
            block_id = rid if n == 1 else f"{rid}_cont{n}"
        region = regions.get(rid) if rid is not None else None
        if rid is not None and region is None:  # a region the page does not list: keep the name
            region = Region(id=rid, polygon=[])
        yield block_id, region, lines
    for empty in pending:
        yield empty.id, empty, []
