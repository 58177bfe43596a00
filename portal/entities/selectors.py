"""Fetching entities: only ever of the documents a user may read (the archive's one rule, `documents_readable_by`)."""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from portal.archive.selectors import documents_readable_by
from portal.entities.models import Mention

INDEX_MAX_MENTIONS = 5000  # an index page reads at most this many mentions (the newest pages' last)
PLACES_PER_ENTITY = 50  # the links shown under one entity


class FilterError(ValueError):
    """A filter value the index or the search cannot use; the message says which."""


def parse_day(value: str | None, name: str, *, end: bool = False) -> date | None:
    """ "1914", "1914-08" or "1914-08-23" (an empty value: no bound). `end`: an upper bound, so a year or a month
    stands for its last day ("to 1914" takes in 23 August 1914)."""
    value = (value or "").strip()
    if not value:
        return None
    parts = value.split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) > 3 or not 1 <= numbers[0] <= 9999:
            raise ValueError
        if end and len(numbers) == 1:
            return date(numbers[0], 12, 31)
        if end and len(numbers) == 2:
            return date(numbers[0], numbers[1], calendar.monthrange(numbers[0], numbers[1])[1])
        return date(numbers[0], numbers[1] if len(numbers) > 1 else 1, numbers[2] if len(numbers) > 2 else 1)
    except (ValueError, IndexError):
        raise FilterError(f"{name} must be a year, a year-month or a date (1914, 1914-08, 1914-08-23)") from None


def day_span(date_from: date | None, date_to: date | None) -> Q:
    """Dates whose span of days meets [date_from, date_to]."""
    q = Q(kind=Mention.Kind.DATE, date_earliest__isnull=False)
    if date_from is not None:
        q &= Q(date_latest__gte=date_from)
    if date_to is not None:
        q &= Q(date_earliest__lte=date_to)
    return q


def mentions_readable_by(user) -> QuerySet[Mention]:
    return Mention.objects.filter(page__document__in=documents_readable_by(user).values("pk"))


@dataclass
class Place:
    """Where an entity is written: a page and its lines (the editor opens on the first)."""

    document: int
    document_title: str
    page_number: int
    lines: list[int]
    text: str


@dataclass
class IndexEntry:
    kind: str
    key: str
    name: str
    count: int = 0
    places: list[Place] = field(default_factory=list)
    earliest: date | None = None
    old_style: bool = False


def entity_index(
    *, user, kind: str | None = None, q: str = "", date_from: date | None = None, date_to: date | None = None
) -> list[IndexEntry]:
    """People, places, organisations and dates of what `user` may read, each with the lines it is on; dates in
    the order of time (those without a year last), the others by name."""
    from portal.entities.extraction import name_key

    mentions = mentions_readable_by(user)
    if kind:
        mentions = mentions.filter(kind=kind)
    if q.strip():
        mentions = mentions.filter(key__contains=name_key(q))
    if date_from is not None or date_to is not None:
        mentions = mentions.filter(day_span(date_from, date_to))
    mentions = mentions.select_related("page__document").prefetch_related("lines").order_by("-page_id", "order")
    entries: dict[tuple[str, str], IndexEntry] = {}
    names: dict[tuple[str, str], Counter] = {}
    for m in mentions[:INDEX_MAX_MENTIONS]:
        entry = entries.setdefault((m.kind, m.key), IndexEntry(kind=m.kind, key=m.key, name=m.name))
        names.setdefault((m.kind, m.key), Counter())[m.name] += 1
        entry.count += 1
        entry.earliest = entry.earliest or m.date_earliest
        entry.old_style = entry.old_style or m.old_style
        if len(entry.places) < PLACES_PER_ENTITY:
            page = m.page
            entry.places.append(
                Place(
                    document=page.document_id,
                    document_title=page.document.title,
                    page_number=page.number,
                    lines=sorted(line.pk for line in m.lines.all()),
                    text=m.text,
                )
            )
    for key, entry in entries.items():
        entry.name = names[key].most_common(1)[0][0]
        entry.places.sort(key=lambda p: (p.document_title, p.document, p.page_number))
    return sorted(
        entries.values(),
        key=lambda e: (
            (e.kind, e.earliest is None, e.earliest or date.min, e.key)
            if e.kind == Mention.Kind.DATE
            else (e.kind, e.key)
        ),
    )


def page_mentions(page_ids) -> QuerySet[Mention]:
    return Mention.objects.filter(page_id__in=page_ids).prefetch_related("lines").order_by("page_id", "order")
