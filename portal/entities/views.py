"""The index of people, places, organisations and dates across what the visitor may read."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.entities.models import Mention
from portal.entities.selectors import FilterError, entity_index, parse_day


def entity_index_page(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in Mention.Kind.values else ""
    q = request.GET.get("q", "").strip()[:200]
    error = ""
    try:
        date_from = parse_day(request.GET.get("date_from"), "date_from")
        date_to = parse_day(request.GET.get("date_to"), "date_to", end=True)
    except FilterError:
        date_from = date_to = None
        error = _("Give a year, a year and month or a full date: 1914, 1914-08 or 1914-08-23.")
    entries = entity_index(user=request.user, kind=kind or None, q=q, date_from=date_from, date_to=date_to)
    groups = [
        (label, [e for e in entries if e.kind == value])
        for value, label in Mention.Kind.choices
        if not kind or kind == value
    ]
    return render(
        request,
        "entities/index.html",
        {
            "groups": [(label, items) for label, items in groups if items],
            "kinds": Mention.Kind.choices,
            "kind": kind,
            "q": q,
            "date_from": request.GET.get("date_from", ""),
            "date_to": request.GET.get("date_to", ""),
            "error": error,
            "total": len(entries),
        },
        status=400 if error else 200,
    )
