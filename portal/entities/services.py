"""Keeping a page's mentions in step with its current text.

A change of text asks for an extraction once the transaction commits; while one is waiting for a worker, further
changes of the same page ask for nothing more (a cache key marks it), and the task clears the mark before it reads
the text, so the last change is always read.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.archive.models import Line, Page, Script
from portal.archive.selectors import page_lines_read, page_reading_layer
from portal.entities import extraction
from portal.entities.models import Mention
from portal.jobs.queue import job_enqueue

log = logging.getLogger(__name__)
ENTITIES_PRIORITY = 9  # taken after every reading and answer waiting in the queue
PENDING_SECONDS = 600  # a mark older than this belongs to a lost task: the next change asks again


def _pending_key(page_id: int) -> str:
    return f"entities-pending:{page_id}"


def page_entities_refresh_later(*, page_id: int) -> bool:
    """Queue an extraction of the page unless one is already waiting; True when one was queued."""
    if not settings.ENTITIES_EXTRACT:
        return False
    if not cache.add(_pending_key(page_id), 1, timeout=PENDING_SECONDS):
        return False
    from portal.entities import tasks

    job_enqueue(
        tasks.page_extract.si(page_id).set(priority=ENTITIES_PRIORITY),
        on_refused=lambda _message: cache.delete(_pending_key(page_id)),  # the next change asks again
    )
    return True


def page_language(page: Page) -> str | None:
    """The document's script says the language where it can (Cyrillic: Russian); else the letters decide."""
    return "ru" if page.document.script == Script.CYRILLIC else None


def page_entities_extract(*, page: Page) -> list[Mention]:
    """Read the page's current text (as it is shown), find its entities, and replace the page's mentions."""
    layer = page_reading_layer(page)
    rows = [(line, t.text) for line, t in page_lines_read(page, layer) if t is not None and t.text.strip()]
    found = extraction.extract_lines([text for _line, text in rows], page_language(page)) if rows else []
    with transaction.atomic():
        # The page's row locked first: a deletion of the page (or its document) locks it too, so one waits for the
        # other and no mention points at a line deleted meanwhile.
        if not list(Page.objects.select_for_update().filter(pk=page.pk).values_list("pk", flat=True)):
            return []
        live = set(Line.objects.filter(pk__in=[line.pk for line, _text in rows]).values_list("pk", flat=True))
        Mention.objects.filter(page=page).delete()
        mentions = Mention.objects.bulk_create(
            [
                Mention(
                    page=page,
                    kind=e.kind,
                    text=e.text[:300],
                    name=e.name[:300],
                    key=e.key[:300],
                    order=i,
                    date_earliest=e.date.earliest if e.date else None,
                    date_latest=e.date.latest if e.date else None,
                    calendar=e.date.calendar if e.date else "",
                    date_gregorian=e.date.gregorian if e.date else None,
                )
                for i, e in enumerate(found)
            ]
        )
        through = Mention.lines.through
        through.objects.bulk_create(
            [
                through(mention_id=m.pk, line_id=rows[index][0].pk)
                for m, e in zip(mentions, found, strict=True)
                for index in e.lines
                if rows[index][0].pk in live  # a line deleted while the text was read
            ]
        )
    return mentions


def page_entities_extract_by_id(*, page_id: int) -> int:
    """The task's service: clear the waiting mark, then extract (a deleted page has nothing to do)."""
    cache.delete(_pending_key(page_id))
    page = Page.objects.select_related("document").filter(pk=page_id).first()
    if page is None:
        return 0
    mentions = page_entities_extract(page=page)
    log.info("page %s: %d mentions", page_id, len(mentions))
    return len(mentions)
