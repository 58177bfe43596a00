"""A correction sends the page to the worker, which extracts its entities again (real worker, broker, database)."""

import time

import pytest

from portal.archive.services import line_text_save
from portal.entities.models import Mention
from tests.factories import make_document, make_page_with_lines


def _wait_for(condition, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_correction_is_followed_by_the_new_date_in_the_mentions(celery_worker, project, users):
    page = make_page_with_lines(make_document(project), users["owner"], texts=("Fait à Caen", "le 3 mai 1790"))
    assert _wait_for(lambda: Mention.objects.filter(page=page, key="1790-05-03").exists())
    line = page.lines.order_by("order")[1]
    version = line.transcriptions.get().version
    line_text_save(line=line, text="le vingt trois Août mil neuf cent quatorze", version=version, user=users["owner"])
    assert _wait_for(lambda: Mention.objects.filter(page=page, key="1914-08-23", lines=line).exists())
    assert not Mention.objects.filter(page=page, key="1790-05-03").exists()
