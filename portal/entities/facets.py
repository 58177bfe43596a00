"""Search facets: narrow the search's lines to pages that mention a person, a place or a date in a range, and count
the people, places and dates of the pages found (the search calls `search_refine`)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from portal.entities.extraction import name_key
from portal.entities.models import Mention
from portal.entities.selectors import FilterError, day_span, parse_day

FACET_SIZE = 10
FILTERS = ("person", "place", "organisation", "date_from", "date_to")
FILTER_LABELS = {
    "person": Mention.Kind.PERSON.label,
    "place": Mention.Kind.PLACE.label,
    "organisation": Mention.Kind.ORGANISATION.label,
    "date_from": _("From"),
    "date_to": _("To"),
}


def search_refine(*, results: list[dict], params) -> tuple[list[dict], dict]:
    """(the results on pages that pass the filters in `params`, the facets of those pages). The results are
    already limited to what the user may read, so the facets are too. Raises FilterError on a malformed date."""
    date_from = parse_day(params.get("date_from"), "date_from")
    date_to = parse_day(params.get("date_to"), "date_to", end=True)
    if date_from and date_to and date_from > date_to:
        raise FilterError("date_from must not be after date_to")
    pages = {r["page"] for r in results}
    for kind in ("person", "place", "organisation"):
        wanted = name_key(params.get(kind) or "")
        if wanted:
            pages &= set(
                Mention.objects.filter(page_id__in=pages, kind=kind, key=wanted).values_list("page_id", flat=True)
            )
    if date_from or date_to:
        pages &= set(
            Mention.objects.filter(day_span(date_from, date_to), page_id__in=pages).values_list("page_id", flat=True)
        )
    kept = [r for r in results if r["page"] in pages]
    return kept, facets_of(pages)


def facets_of(page_ids) -> dict:
    """The most mentioned people, places, organisations and dates of these pages: {kind: [{name, key, pages}]}."""
    counts: dict[str, Counter] = {kind: Counter() for kind in Mention.Kind.values}
    names: dict[tuple[str, str], str] = {}
    for kind, key, name, page in (
        Mention.objects.filter(page_id__in=page_ids).values_list("kind", "key", "name", "page_id").distinct()
    ):
        if (kind, key, page) in names:
            continue
        names[(kind, key, page)] = name
        names.setdefault((kind, key), name)
        counts[kind][key] += 1
    return {
        kind: [{"key": key, "name": names[(kind, key)], "pages": n} for key, n in counter.most_common(FACET_SIZE)]
        for kind, counter in counts.items()
    }


def active_filters(params) -> list[dict]:
    """The search page's chips: each filter in use, with the query string that drops it (the page's links carry
    names, so a chip shows what the reader chose and the server reveals nothing it did not receive)."""
    chips = []
    for name in FILTERS:
        value = (params.get(name) or "").strip()
        if value:
            rest = [(k, v) for k, v in params.items() if k != name and v]
            chips.append({"name": name, "label": FILTER_LABELS[name], "value": value, "without": urlencode(rest)})
    return chips


def date_range_error(params) -> str:
    """Why the page's date range cannot be used, in the reader's language ("" when it can). The API refuses the
    same values in English; the page says so itself and asks nothing."""
    try:
        date_from = parse_day(params.get("date_from"), "date_from")
        date_to = parse_day(params.get("date_to"), "date_to", end=True)
    except FilterError:
        return str(_("Write a date as a year, a year and month or a full date: 1914, 1914-08, 1914-08-23."))
    if date_from and date_to and date_from > date_to:
        return str(_("The first date must not be after the second."))
    return ""
