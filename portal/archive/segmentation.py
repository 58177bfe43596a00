"""A page's new segmentation written over its old lines without losing anyone's work, and reading order by position.

A line a person worked on (a revision by a person in any of its layers: a correction, imported text, a merge) keeps
its row, and with it its text in every layer and every revision: it takes the outline of the new line that overlaps
it most (each covering at least half of the other), or, when no new line does, stays where it was. The other old
lines make way for the new ones.
"""

from __future__ import annotations

from django.db import transaction
from shapely.geometry import Polygon

from htr.lines import Line as HtrLine
from htr.lines import Page as HtrPage
from portal.archive.models import Line, Page, Region, Revision, Transcription

OVERLAP = 0.5  # each of two lines covers at least this much of the other: the same line, found again


def _shape(points) -> Polygon | None:
    if len(points) < 3:
        return None
    shape = Polygon(points)
    shape = shape if shape.is_valid else shape.buffer(0)
    return shape if not shape.is_empty and shape.area > 0 else None


def lines_match(old: dict[int, list], new: list[list]) -> dict[int, int]:
    """{old line id: index of the new line that takes its place}, one to one, best overlap (IoU) first."""
    shapes = [_shape(points) for points in new]
    pairs = []
    for pk, points in old.items():
        a = _shape(points)
        if a is None:
            continue
        for j, b in enumerate(shapes):
            if b is None or not a.intersects(b):
                continue
            common = a.intersection(b).area
            if min(common / a.area, common / b.area) >= OVERLAP:
                pairs.append((common / (a.area + b.area - common), pk, j))
    match: dict[int, int] = {}
    taken: set[int] = set()
    for _, pk, j in sorted(pairs, reverse=True):
        if pk not in match and j not in taken:
            match[pk] = j
            taken.add(j)
    return match


def _bounds(points) -> tuple[float, float, float, float] | None:
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def position_in_order(polygon, ordered: list) -> int:
    """Where a line at `polygon` goes among lines in reading order (their polygons): right after the nearest line
    above it in its column (the lines overlapping it horizontally), else right before the nearest line below it
    there; with no line in its column, after the nearest line above it anywhere."""
    box = _bounds(polygon)
    if box is None:
        return len(ordered)
    x0, y0, x1, y1 = box
    middle = (y0 + y1) / 2
    middles = {}
    column = set()
    for i, b in enumerate(_bounds(points) for points in ordered):
        if b is None:
            continue
        middles[i] = (b[1] + b[3]) / 2
        if min(x1, b[2]) - max(x0, b[0]) > 0.3 * max(min(x1 - x0, b[2] - b[0]), 1):
            column.add(i)
    above = [i for i in column if middles[i] < middle]
    if above:
        return max(above, key=lambda i: (middles[i], i)) + 1
    if column:
        return min(column, key=lambda i: (middles[i], i))
    above = [i for i in middles if middles[i] < middle]
    return max(above, key=lambda i: (middles[i], i)) + 1 if above else 0


def regions_create(*, page: Page, found: HtrPage) -> dict[str, Region]:
    """The engine page's regions stored as the page's, by the engine's region id."""
    return {
        r.id: Region.objects.create(
            page=page, external_id=r.id[:100], kind=r.kind[:50], polygon=[list(p) for p in r.polygon], order=i
        )
        for i, r in enumerate(found.regions)
    }


def line_row(page: Page, hl: HtrLine, order: int, regions: dict[str, Region], pk: int | None = None) -> Line:
    """An engine line as a row of the page (not saved), in its region of `regions` (regions_create's)."""
    return Line(
        pk=pk,
        page=page,
        region=regions.get(hl.region) if hl.region else None,
        external_id=hl.id[:100],
        polygon=[list(p) for p in hl.polygon],
        baseline=[list(p) for p in hl.baseline],
        order=order,
    )


def person_line_ids(page: Page) -> set[int]:
    """The page's lines with a revision by a person, in any layer."""
    revisions = Revision.objects.filter(transcription__line__page=page, author__isnull=False)
    return set(revisions.values_list("transcription__line_id", flat=True))


def page_lines_replace(*, page: Page, found: HtrPage) -> dict:
    """Write a new segmentation of the page (see the module docstring); returns the counts for the job's result."""
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=page.pk).first()
        # A correction saved meanwhile is waited for and counted, not lost with its line.
        list(Transcription.objects.select_for_update().filter(line__page=page).values_list("pk", flat=True))
        worked = list(page.lines.filter(pk__in=person_line_ids(page)).order_by("order", "pk"))
        match = lines_match({line.pk: line.polygon for line in worked}, [hl.polygon for hl in found.lines])
        taking = {j: pk for pk, j in match.items()}
        page.lines.exclude(pk__in=[line.pk for line in worked]).delete()
        page.regions.all().delete()
        regions = regions_create(page=page, found=found)
        ordered = [line_row(page, hl, i, regions, pk=taking.get(i)) for i, hl in enumerate(found.lines)]
        carried = [line for line in ordered if line.pk is not None]
        Line.objects.bulk_update(carried, ["region", "external_id", "polygon", "baseline"])
        Line.objects.bulk_create([line for line in ordered if line.pk is None])
        kept = [line for line in worked if line.pk not in match]
        for line in kept:  # no new line took its place: it stays, in reading order by position
            ordered.insert(position_in_order(line.polygon, [other.polygon for other in ordered]), line)
        for i, line in enumerate(ordered):
            line.order = i
        Line.objects.bulk_update(ordered, ["order"])
    return {"lines": len(found.lines), "regions": len(found.regions), "carried": len(carried), "kept": len(kept)}
