"""A document deleted while its entities are being written: one waits for the other, nothing points at a lost line."""

import threading
import time

import pytest
from django.db import connection, transaction

from portal.archive.models import Document, Page
from portal.archive.services import pages_lock
from portal.entities.models import Mention
from portal.entities.services import page_entities_extract
from tests.factories import make_document, make_page_with_lines


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


@pytest.mark.django_db
def test_the_extraction_of_a_page_still_there_writes_its_mentions(project, users):
    page = make_page_with_lines(make_document(project), users["owner"], texts=("Fait à Caen", "le 3 mai 1790"))
    page = Page.objects.select_related("document").get(pk=page.pk)
    mentions = page_entities_extract(page=page)
    assert any(m.key == "1790-05-03" for m in mentions)
    assert Mention.objects.filter(page=page, key="1790-05-03", lines__isnull=False).exists()
