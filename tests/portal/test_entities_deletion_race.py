"""A document or a line deleted while the page's entities are being written: one waits for the other, nothing points
at a lost line (before, a line deleted by an editor while the worker linked its mentions failed with a foreign-key
error at commit, on one side or the other)."""

import threading
import time

import pytest
from django.db import connection, transaction

from portal.archive.models import Document, Line, Page
from portal.archive.services import line_delete, lines_merge, pages_lock
from portal.entities.extraction import extract_lines
from portal.entities.models import Mention
from portal.entities.services import page_entities_extract
from tests.factories import make_document, make_page_with_lines
from tests.processes import worker_idle_wait


@pytest.mark.django_db(transaction=True)
def test_an_extraction_that_meets_a_deletion_waits_and_writes_nothing(project, users):
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"], texts=("Fait à Caen", "le 3 mai 1790"))
    page = Page.objects.select_related("document").get(pk=page.pk)
    locked, done = threading.Event(), threading.Event()
    failures = []

    def delete_the_document():
        try:
            with transaction.atomic():
                pages_lock(Page.objects.filter(document=document))
                Document.objects.filter(pk=document.pk).delete()
                locked.set()
                time.sleep(2)  # the extraction runs meanwhile, before the deletion commits
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)
        finally:
            connection.close()
            done.set()

    deleter = threading.Thread(target=delete_the_document)
    deleter.start()
    assert locked.wait(30)
    mentions = page_entities_extract(page=page)  # blocks on the page's row until the deletion commits
    deleter.join(60)
    assert done.is_set() and failures == []
    assert mentions == [] and not Mention.objects.exists()
    assert not Page.objects.filter(pk=page.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("edit", ["delete", "merge"])
def test_a_line_that_goes_while_its_mentions_are_linked_waits_for_them_and_takes_them_along(
    project, users, edit, celery_worker
):
    """The extraction has linked a mention to the line and is committing (held here by a third transaction that
    holds the line's row, as a slow commit would be) when an editor deletes the line or merges it away. The worker
    first does what the upload gave it (its own extraction of the page would take the rows the race is about)."""
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"], texts=("Fait à Caen", "le 3 mai 1790"))
    assert worker_idle_wait(120)
    page = Page.objects.select_related("document").get(pk=page.pk)
    first, going = list(page.lines.order_by("order"))
    going_id = going.pk
    extract_lines(["Fait à Caen le 3 mai 1790"])  # the language models loaded now, not inside the race
    held, release = threading.Event(), threading.Event()
    failures = []

    def in_a_thread(work):
        def run():
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                failures.append(exc)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def hold_the_line():
        with transaction.atomic():
            list(Line.objects.select_for_update().filter(pk=going_id).values_list("pk", flat=True))
            held.set()
            release.wait(30)

    def the_line_goes():
        if edit == "delete":
            line_delete(line=Line.objects.get(pk=going_id))
        else:
            lines_merge(lines=list(Line.objects.filter(pk__in=[first.pk, going_id])), user=users["owner"])

    holder = in_a_thread(hold_the_line)
    assert held.wait(30)
    extractor = in_a_thread(lambda: page_entities_extract(page=page))
    time.sleep(1.5)  # the extraction has written its links and waits at its commit for the line's row
    editor = in_a_thread(the_line_goes)
    time.sleep(1.5)
    release.set()
    for thread in (holder, extractor, editor):
        thread.join(60)
    assert failures == []
    assert not Line.objects.filter(pk=going_id).exists()
    linked = set(Mention.lines.through.objects.filter(mention__page=page).values_list("line_id", flat=True))
    assert going_id not in linked
    assert Mention.objects.filter(page=page, key="1790-05-03").exists()


@pytest.mark.django_db
def test_the_extraction_of_a_page_still_there_writes_its_mentions(project, users):
    page = make_page_with_lines(make_document(project), users["owner"], texts=("Fait à Caen", "le 3 mai 1790"))
    page = Page.objects.select_related("document").get(pk=page.pk)
    mentions = page_entities_extract(page=page)
    assert any(m.key == "1790-05-03" for m in mentions)
    assert Mention.objects.filter(page=page, key="1790-05-03", lines__isnull=False).exists()
