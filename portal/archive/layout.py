"""Editing a page's layout by hand: a line's outline and baseline, the page's regions and their type, and reading
order by region. (Lines added, merged, split, deleted: services.py.)"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from shapely.geometry import Point, Polygon

from portal.archive.models import Line, Page, Region
from portal.archive.services import EditError, _points, _renumber, _segmentation_edited

# The region types PAGE XML names (TextRegion @type), which ALTO and PAGE exports keep; the editor offers them.
REGION_KINDS = {
    "text": _("Text"),
    "paragraph": _("Paragraph"),
    "heading": _("Heading"),
    "marginalia": _("Margin note"),
    "header": _("Running header"),
    "footer": _("Footer"),
    "page-number": _("Page number"),
    "caption": _("Caption"),
    "footnote": _("Footnote"),
    "signature-mark": _("Signature"),
    "catch-word": _("Catchword"),
    "drop-capital": _("Initial"),
    "other": _("Other"),
}


def _kind(value: str) -> str:
    if value not in REGION_KINDS:
        raise EditError(f"unknown region type {value!r}; choose one of {', '.join(REGION_KINDS)}")
    return value


def line_reshape(*, line: Line, polygon=None, baseline=None, region: int | None | str = "keep") -> Line:
    """Give a line a new outline and/or baseline (dragged points, a baseline drawn again) and/or move it into a
    region (None: out of any); its text and history stay as they are."""
    fields = []
    if polygon is not None:
        line.polygon = _points(polygon, "polygon", 3, line.page)
        fields.append("polygon")
    if baseline is not None:
        line.baseline = _points(baseline, "baseline", 2, line.page) if baseline else []
        fields.append("baseline")
    if region != "keep":
        if region is not None and not Region.objects.filter(pk=region, page_id=line.page_id).exists():
            raise EditError(f"region {region} is not on page {line.page_id}")
        line.region_id = region
        fields.append("region")
    if not fields:
        raise EditError("nothing to change: send polygon, baseline or region")
    with transaction.atomic():
        line.save(update_fields=fields)
        if "polygon" in fields or "baseline" in fields:
            _segmentation_edited(line.page_id)  # a person's outline: a segmentation model's truth
    return line


def region_create(*, page: Page, polygon, kind: str = "text") -> Region:
    """Draw a region; the lines whose middle lies inside it (and in no other region) join it."""
    polygon = _points(polygon, "polygon", 3, page)
    with transaction.atomic():
        order = page.regions.count()
        region = Region.objects.create(page=page, polygon=polygon, kind=_kind(kind), order=order)
        _adopt_lines(region)
        return region


def region_update(*, region: Region, polygon=None, kind: str | None = None) -> Region:
    fields = []
    if kind is not None:
        region.kind = _kind(kind)
        fields.append("kind")
    if polygon is not None:
        region.polygon = _points(polygon, "polygon", 3, region.page)
        fields.append("polygon")
    if not fields:
        raise EditError("nothing to change: send kind or polygon")
    with transaction.atomic():
        region.save(update_fields=fields)
        if "polygon" in fields:
            _adopt_lines(region)
    return region


def region_delete(*, region: Region) -> None:
    """Remove a region; its lines stay, in no region."""
    with transaction.atomic():
        page = region.page
        region.delete()
        for i, pk in enumerate(page.regions.order_by("order", "pk").values_list("pk", flat=True)):
            Region.objects.filter(pk=pk).update(order=i)


def _middle(points) -> Point | None:
    if len(points) < 3:
        return None
    shape = Polygon(points)
    return (shape if shape.is_valid else shape.buffer(0)).representative_point()


def _adopt_lines(region: Region) -> None:
    shape = Polygon(region.polygon)
    shape = shape if shape.is_valid else shape.buffer(0)
    for line in region.page.lines.filter(region__isnull=True):
        middle = _middle(line.polygon)
        if middle is not None and shape.contains(middle):
            Line.objects.filter(pk=line.pk).update(region=region)


def page_order_by_regions(*, page: Page) -> list[int]:
    """Reading order region by region (in the regions' order), each region's lines in their present order; lines in
    no region come last. Returns the new order of line ids."""
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=page.pk).first()
        regions = {pk: i for i, pk in enumerate(page.regions.order_by("order", "pk").values_list("pk", flat=True))}
        lines = list(page.lines.order_by("order", "pk").values_list("pk", "region_id"))
        ordered = [
            pk
            for pk, region in sorted(
                lines, key=lambda item: regions.get(item[1], len(regions)) if item[1] is not None else len(regions)
            )
        ]
        _renumber(page, ordered)
        return ordered
