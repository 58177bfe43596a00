"""Doing things to the archive's text and lines: versioned saves, history, restore, segmentation edits.

Every text change is a new `Revision`; a save names the version it started from, and a stale version is a
conflict (nothing overwritten). People's corrections go into the document's manual layer, which is filled from the
page's current reading on the first correction, so the page keeps reading whole.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from shapely.geometry import LineString, Polygon, box
from shapely.ops import unary_union

from portal.archive import selectors
from portal.archive.models import Document, Layer, Line, Page, Region, Revision, Transcription
from portal.archive.segmentation import position_in_order

MANUAL_LAYER = "Manual"
IMPORTED_LAYER = "Imported"


class EditError(ValueError):
    """A request that cannot be carried out as asked (bad geometry, lines of two pages...)."""


@dataclass
class EditConflict(Exception):
    """The line changed since the client read it; `current` is what it holds now."""

    transcription: Transcription | None

    def current(self) -> dict:
        t = self.transcription
        author, model = selectors.transcription_author(t)
        return {
            "text": t.text if t else "",
            "version": t.version if t else 0,
            "author": author,
            "model": model,
            "updated": t.updated.isoformat() if t else None,
        }


# --- layers -------------------------------------------------------------------------------------------------------


def pages_lock(pages) -> None:
    """Lock these pages' rows until the transaction ends: a worker that writes rows pointing at their lines (entity
    mentions) locks its page first, so it waits for a deletion and then finds the page gone instead of racing it."""
    list(pages.select_for_update().values_list("pk", flat=True))


def layer_manual(*, document: Document) -> Layer:
    layer, _ = Layer.objects.get_or_create(document=document, name=MANUAL_LAYER, defaults={"kind": Layer.Kind.MANUAL})
    return layer


def layer_imported(*, document: Document) -> Layer:
    layer, _ = Layer.objects.get_or_create(
        document=document, name=IMPORTED_LAYER, defaults={"kind": Layer.Kind.GROUND_TRUTH}
    )
    return layer


def layer_for_model(*, document: Document, model_name: str) -> Layer:
    layer, _ = Layer.objects.get_or_create(
        document=document,
        name=f"Model: {model_name}"[:200],
        defaults={"kind": Layer.Kind.MODEL, "model_name": model_name},
    )
    return layer


# --- text ---------------------------------------------------------------------------------------------------------


def transcription_write(
    *,
    line: Line,
    layer: Layer,
    text: str,
    confidences: list[float] | None = None,
    author=None,
    model_name: str = "",
    locked: Transcription | None = None,
) -> Transcription:
    """Give the line a new version of its text in `layer` (no conflict check: callers hold the lock, or pass the
    row they locked as `locked`)."""
    confidences = [round(float(c), 4) for c in (confidences or [])]
    current = locked or Transcription.objects.select_for_update().filter(line=line, layer=layer).first()
    if current is None:
        current = Transcription.objects.create(line=line, layer=layer, text=text, confidences=confidences, version=1)
    elif current.text == text and current.confidences == confidences:
        return current
    else:
        current.text, current.confidences, current.version = text, confidences, current.version + 1
        current.save(update_fields=["text", "confidences", "version", "updated"])
    Revision.objects.create(
        transcription=current,
        version=current.version,
        text=text,
        confidences=confidences,
        author=author,
        model_name=model_name,
    )
    return current


def page_reading_refresh(*, page: Page, source: Layer, line_ids: list[int]) -> int:
    """After `source` (a model's layer) read these lines: if the page has manual text (someone corrected it), the
    lines no person wrote take the new reading there too, so the page shows the new reading with every correction
    on top. Returns how many lines took it."""
    manual = Layer.objects.filter(document_id=page.document_id, name=MANUAL_LAYER).first()
    if manual is None:
        return 0
    Page.objects.select_for_update(no_key=True).filter(pk=page.pk).first()  # as the first correction's seeding does
    rows = list(Transcription.objects.select_for_update().filter(layer=manual, line__page=page).order_by("pk"))
    if not rows:
        return 0
    current = {t.line_id: t for t in rows}
    by_person = set(
        Revision.objects.filter(transcription__in=rows, author__isnull=False).values_list(
            "transcription__line_id", flat=True
        )
    )
    taken = 0
    for t in Transcription.objects.filter(layer=source, line_id__in=line_ids).exclude(line_id__in=by_person):
        transcription_write(
            line=Line(pk=t.line_id, page_id=page.pk),
            layer=manual,
            text=t.text,
            confidences=t.confidences,
            model_name=source.model_name,
            locked=current.get(t.line_id),
        )
        taken += 1
    return taken


def _page_copy_to_manual(page: Page, source: Layer, manual: Layer) -> None:
    """Seed the manual layer with the page's current reading, keeping version numbers (so clients stay in step)."""
    have = set(Transcription.objects.filter(layer=manual, line__page=page).values_list("line_id", flat=True))
    for t in Transcription.objects.filter(layer=source, line__page=page).exclude(line_id__in=have):
        latest = t.revisions.order_by("-version").first()
        copy = Transcription.objects.create(
            line_id=t.line_id, layer=manual, text=t.text, confidences=t.confidences, version=t.version
        )
        revision = Revision.objects.create(
            transcription=copy,
            version=copy.version,
            text=t.text,
            confidences=t.confidences,
            author=latest.author if latest else None,
            model_name=(latest.model_name if latest else "") or source.model_name,
        )
        if latest is not None:  # the reading keeps the time it was made, not the time of this copy
            Revision.objects.filter(pk=revision.pk).update(created=latest.created)


def _manual_for_edit(line: Line, version: int | None, source: Layer | None) -> tuple[Layer, Transcription | None]:
    """Lock (or prepare) the line's manual transcription; raise EditConflict when `version` is stale."""
    current = (  # a line corrected before (most saves): its row and layer in one query, the row alone locked
        Transcription.objects.select_for_update(of=("self",))
        .select_related("layer")
        .filter(line=line, layer__document_id=line.page.document_id, layer__name=MANUAL_LAYER)
        .first()
    )
    if current is not None:
        current.line = line  # its receivers (entities) read the page from it
        if version is not None and version != current.version:
            raise EditConflict(current)
        return current.layer, current
    manual = layer_manual(document=line.page.document)
    current = Transcription.objects.select_for_update().filter(line=line, layer=manual).first()
    if current is None:
        Page.objects.select_for_update(no_key=True).filter(pk=line.page_id).first()  # one seeding at a time
        current = Transcription.objects.select_for_update().filter(line=line, layer=manual).first()
    if current is None:
        if source is None or source.pk == manual.pk:
            source = selectors.page_reading_layer(line.page)
        seen = None
        if source is not None and source.pk != manual.pk:
            seen = Transcription.objects.filter(line=line, layer=source).first()
        if version is not None and version != (seen.version if seen else 0):
            raise EditConflict(seen)
        if source is not None and source.pk != manual.pk:
            _page_copy_to_manual(line.page, source, manual)
        current = Transcription.objects.select_for_update().filter(line=line, layer=manual).first()
    elif version is not None and version != current.version:
        raise EditConflict(current)
    return manual, current


_SAVE_AT_ONCE = f"""
WITH saved AS (
    UPDATE {Transcription._meta.db_table} AS t
    SET text = %(text)s, confidences = '[]'::jsonb, version = t.version + 1, updated = %(now)s
    FROM {Layer._meta.db_table} AS l
    WHERE t.line_id = %(line)s AND t.version = %(version)s AND l.id = t.layer_id
        AND l.document_id = %(document)s AND l.name = %(manual)s
        AND NOT (t.text = %(text)s AND t.confidences = '[]'::jsonb)
    RETURNING t.id, t.layer_id, t.version
), revision AS (
    INSERT INTO {Revision._meta.db_table} (transcription_id, version, text, confidences, author_id, model_name, created)
    SELECT id, version, %(text)s, '[]'::jsonb, %(author)s, '', %(now)s FROM saved
)
SELECT id, layer_id, version FROM saved
"""


def _line_text_save_at_once(*, line: Line, text: str, version: int, user) -> Transcription | None:
    """The usual save (a line corrected before, from its current version, to a new text) as one statement: the new
    version and its revision, or nothing at all. None when it is not that case (first correction, a stale version, the
    same text) or not PostgreSQL: the caller takes the general path, which tells them apart. A concurrent save of the
    same line waits for the row and then finds the version changed, so it falls through to the conflict."""
    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    params = {
        "text": text,
        "now": now,
        "line": line.pk,
        "version": version,
        "document": line.page.document_id,
        "manual": MANUAL_LAYER,
        "author": user.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_AT_ONCE, params)
        row = cursor.fetchone()
    if row is None:
        return None
    saved = Transcription.from_db(
        connection.alias,
        ["id", "line_id", "layer_id", "text", "confidences", "version", "updated"],
        [row[0], line.pk, row[1], text, [], row[2], now],
    )
    saved.line = line
    fields = frozenset({"text", "confidences", "version", "updated"})
    post_save.send(
        Transcription, instance=saved, created=False, update_fields=fields, raw=False, using=connection.alias
    )
    return saved


def line_text_save(*, line: Line, text: str, version: int, user, layer: Layer | None = None) -> Transcription:
    """Save a correction into the manual layer; `version` is what the client read (in `layer`, default reading)."""
    if "\n" in text or "\r" in text:
        raise EditError("a line's text cannot contain a line break")
    saved = _line_text_save_at_once(line=line, text=text, version=version, user=user)
    if saved is not None:
        return saved
    with transaction.atomic():
        manual, current = _manual_for_edit(line, version, layer)
        return transcription_write(line=line, layer=manual, text=text, author=user, locked=current)


def line_restore(*, line: Line, revision: Revision, user) -> Transcription:
    """Bring back an earlier text of the line (from any layer) as a new manual version."""
    if revision.transcription.line_id != line.pk:
        raise EditError(f"revision {revision.pk} is not a revision of line {line.pk}")
    with transaction.atomic():
        manual, _ = _manual_for_edit(line, None, revision.transcription.layer)
        return transcription_write(line=line, layer=manual, text=revision.text, author=user)


def text_diff(before: str, after: str) -> list[dict]:
    """Character-level edit operations turning `before` into `after`."""
    ops = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        ops.append({"op": tag, "old": before[i1:i2], "new": after[j1:j2]})
    return ops


def line_history(*, line: Line, layer: Layer | None = None) -> list[dict]:
    """Revisions of the line in `layer` (default: the page's reading layer), oldest first, each with its diff."""
    layer = layer or selectors.page_reading_layer(line.page)
    if layer is None:
        return []
    revisions = Revision.objects.filter(transcription__line=line, transcription__layer=layer).select_related("author")
    history, previous = [], ""
    for r in revisions.order_by("version"):
        history.append(
            {
                "id": r.pk,
                "version": r.version,
                "layer": layer.pk,
                "text": r.text,
                "author": r.author.get_username() if r.author else None,
                "model": r.model_name,
                "created": r.created,
                "diff": text_diff(previous, r.text),
            }
        )
        previous = r.text
    return history


# --- segmentation editing -----------------------------------------------------------------------------------------


def _points(value, name: str, minimum: int, page: Page) -> list[list[int]]:
    try:
        points = [[int(round(float(p[0]))), int(round(float(p[1])))] for p in value]
    except (TypeError, ValueError, IndexError):
        raise EditError(f"{name} must be a list of [x, y] points") from None
    if len(points) < minimum:
        raise EditError(f"{name} needs at least {minimum} points, got {len(points)}")
    if page.width and page.height:
        points = [[min(max(x, 0), page.width), min(max(y, 0), page.height)] for x, y in points]
    return points


def _segmentation_edited(page_id: int) -> None:
    """A person changed the page's lines: they are a segmentation model's truth now (training_segmentation.py)."""
    Page.objects.filter(pk=page_id).update(segmentation_edited=timezone.now())


def _renumber(page: Page, ordered: list[int]) -> None:
    for i, pk in enumerate(ordered):
        Line.objects.filter(pk=pk).update(order=i)


def line_create(*, page: Page, polygon, baseline=None, after: int | None = None, region: int | None = None) -> Line:
    """Draw a new line; it goes right after line `after`, or where its position puts it in reading order."""
    polygon = _points(polygon, "polygon", 3, page)
    baseline = _points(baseline or [], "baseline", 0, page)
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=page.pk).first()
        ids = list(page.lines.order_by("order", "pk").values_list("pk", flat=True))
        if after is not None and after not in ids:
            raise EditError(f"line {after} is not on page {page.pk}")
        if region is not None and not Region.objects.filter(pk=region, page=page).exists():
            raise EditError(f"region {region} is not on page {page.pk}")
        line = Line.objects.create(page=page, polygon=polygon, baseline=baseline, region_id=region, order=len(ids))
        if after is not None:
            position = ids.index(after) + 1
        else:
            outlines = dict(page.lines.filter(pk__in=ids).values_list("pk", "polygon"))
            position = position_in_order(polygon, [outlines[pk] for pk in ids])
        _renumber(page, ids[:position] + [line.pk] + ids[position:])
        _segmentation_edited(page.pk)
        line.refresh_from_db()
        return line


def line_delete(*, line: Line) -> None:
    with transaction.atomic():
        # The page's row first, as the entity extraction locks it before linking mentions to the page's lines: one
        # waits for the other, and no mention is linked to this line while it goes (a foreign-key error at commit).
        pages_lock(Page.objects.filter(pk=line.page_id))
        page = line.page
        line.delete()
        _renumber(page, list(page.lines.order_by("order", "pk").values_list("pk", flat=True)))
        _segmentation_edited(page.pk)


def page_reorder(*, page: Page, order: list[int]) -> None:
    ids = set(page.lines.values_list("pk", flat=True))
    if len(order) != len(set(order)) or set(order) != ids:
        raise EditError(f"order must list each of the page's {len(ids)} line ids exactly once")
    with transaction.atomic():
        _renumber(page, list(order))


def _geometry(points) -> Polygon:
    poly = Polygon(points)
    return poly if poly.is_valid else poly.buffer(0)


def _outline(geom) -> list[list[int]]:
    if geom.geom_type != "Polygon":
        geom = geom.convex_hull
    return [[int(round(x)), int(round(y))] for x, y in list(geom.exterior.coords)[:-1]]


def lines_merge(*, lines: list[Line], user) -> Line:
    """Join lines of one page into the first in reading order; texts are joined with a space in every layer."""
    if len(lines) < 2:
        raise EditError("merging needs at least two line ids")
    if len({line.page_id for line in lines}) != 1:
        raise EditError("lines of different pages cannot be merged")
    lines = sorted(lines, key=lambda line: (line.order, line.pk))
    keep, rest = lines[0], lines[1:]
    with transaction.atomic():
        pages_lock(Page.objects.filter(pk=keep.page_id))  # the lines that go: as line_delete
        merged = unary_union([_geometry(line.polygon) for line in lines if len(line.polygon) >= 3])
        keep.polygon = _outline(merged) if not merged.is_empty else keep.polygon
        keep.baseline = sorted([p for line in lines for p in line.baseline], key=lambda p: p[0])
        keep.save(update_fields=["polygon", "baseline"])
        layers = Layer.objects.filter(transcriptions__line__in=lines).distinct()
        for layer in layers:
            parts = {t.line_id: t for t in Transcription.objects.filter(layer=layer, line__in=lines)}
            texts = [parts[line.pk].text for line in lines if line.pk in parts and parts[line.pk].text]
            confs: list[float] = []
            for line in lines:
                t = parts.get(line.pk)
                if t and t.text:
                    confs += ([1.0] if confs else []) + (t.confidences if len(t.confidences) == len(t.text) else [])
            text = " ".join(texts)
            transcription_write(
                line=keep, layer=layer, text=text, confidences=confs if len(confs) == len(text) else [], author=user
            )
        for line in rest:
            line.delete()
        _renumber(keep.page, list(keep.page.lines.order_by("order", "pk").values_list("pk", flat=True)))
        _segmentation_edited(keep.page_id)
        keep.refresh_from_db()
        return keep


def _split_text(text: str, fraction: float) -> int:
    """Where to cut `text` for a cut at `fraction` of the line's width: the nearest space, else that character."""
    if not text:
        return 0
    target = round(fraction * len(text))
    spaces = [i for i, c in enumerate(text) if c == " "]
    return min(spaces, key=lambda i: abs(i - target)) if spaces else max(0, min(len(text), target))


def line_split(*, line: Line, x: int, user) -> tuple[Line, Line]:
    """Cut a line in two at page x; its text in every layer is cut at the nearest word boundary."""
    poly = _geometry(line.polygon)
    x0, y0, x1, y1 = poly.bounds
    if not x0 < x < x1:
        raise EditError(f"x={x} is outside the line (it spans x={int(x0)}..{int(x1)})")
    left, right = poly.intersection(box(x0 - 1, y0 - 1, x, y1 + 1)), poly.intersection(box(x, y0 - 1, x1 + 1, y1 + 1))
    if left.is_empty or right.is_empty:
        raise EditError(f"x={x} does not cut the line's outline in two")
    base_left, base_right = [p for p in line.baseline if p[0] < x], [p for p in line.baseline if p[0] >= x]
    if len(line.baseline) >= 2:
        base = LineString(line.baseline)
        cut = base.intersection(LineString([(x, y0 - 10_000), (x, y1 + 10_000)]))
        if not cut.is_empty and cut.geom_type == "Point":
            point = [int(round(cut.x)), int(round(cut.y))]
            base_left, base_right = base_left + [point], [point] + base_right
    fraction = (x - x0) / (x1 - x0)
    with transaction.atomic():
        page = line.page
        ids = list(page.lines.order_by("order", "pk").values_list("pk", flat=True))
        new = Line.objects.create(
            page=page, region=line.region, polygon=_outline(right), baseline=base_right, order=line.order + 1
        )
        line.polygon, line.baseline = _outline(left), base_left
        line.save(update_fields=["polygon", "baseline"])
        for t in Transcription.objects.filter(line=line).select_related("layer"):
            cut = _split_text(t.text, fraction)
            conf = t.confidences if len(t.confidences) == len(t.text) else []
            left_text, right_text = t.text[:cut].rstrip(), t.text[cut:].lstrip()
            left_conf = conf[: len(left_text)] if conf else []
            right_conf = conf[len(t.text) - len(right_text) :] if conf else []
            transcription_write(line=line, layer=t.layer, text=left_text, confidences=left_conf, author=user)
            transcription_write(line=new, layer=t.layer, text=right_text, confidences=right_conf, author=user)
        position = ids.index(line.pk) + 1
        _renumber(page, ids[:position] + [new.pk] + ids[position:])
        _segmentation_edited(page.pk)
        line.refresh_from_db()
        new.refresh_from_db()
        return line, new
