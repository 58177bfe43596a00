"""The document page says what its jobs do in the reader's language: a page job's step in words only where the
page's state does not already say it, never the pipeline's raw step names; a PDF counted; a training only to members."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(project):
    return make_document(project, public=True)


def running(target: str, *, kind: str = "page_pipeline", message: str = "", done: int = 0, total: int = 300) -> Job:
    return Job.objects.create(
        kind=kind, target=target, status=Job.Status.RUNNING, message=message, done=done, total=total
    )


def shown(html: str) -> str:
    """The page's markup without its JSON configuration (the jobs as the socket sends them, raw)."""
    return html.split('<script id="document-config"')[0]


def russian_page(user, document) -> str:
    client = Client()
    client.force_login(user)
    return shown(client.get(f"/ru/documents/{document.pk}/").content.decode())


def test_a_page_being_segmented_shows_its_state_in_russian_and_no_raw_step_word(users, document):
    page = Page.objects.create(
        document=document, number=1, original_name="f1.jpg", image="documents/x/p.jpg", state=Page.State.SEGMENTING
    )
    running(f"archive.page:{page.pk}", message="segmentation", done=120)
    html = russian_page(users["owner"], document)
    assert '<span class="state">Поиск строк</span>' in html
    assert '<span class="job-message muted"></span>' in html  # the state says it: nothing more
    assert "segmentation</span>" not in html


def test_a_job_reading_a_few_lines_of_a_done_page_says_so_in_russian(users, document):
    page = Page.objects.create(
        document=document, number=1, original_name="f1.jpg", image="documents/x/p.jpg", state=Page.State.DONE
    )
    running(f"archive.page:{page.pk}", message="recognition", done=20, total=100)
    html = russian_page(users["owner"], document)
    assert '<span class="job-message muted">Чтение</span>' in html
    assert "recognition</span>" not in html


def test_a_job_restarted_after_its_worker_died_says_so(users, document):
    page = Page.objects.create(document=document, number=1, image="documents/x/p.jpg", state=Page.State.PREPARING)
    running(f"archive.page:{page.pk}", message="prepare (again: the worker stopped)")
    html = russian_page(users["owner"], document)
    assert "Запущено снова: обработчик остановился." in html and "again: the worker" not in html


def test_a_pdf_being_drawn_is_counted_in_russian(users, document):
    running(
        f"archive.document:{document.pk}", kind="pdf_render", message="drew page 3 of 12 of acte.pdf", done=3, total=12
    )
    html = russian_page(users["owner"], document)
    assert "Отрисовка страниц PDF: 3 из 12" in html and "drew page" not in html


def test_a_visitor_of_a_published_document_does_not_see_its_training(users, document):
    running(f"archive.document:{document.pk}", kind="model_training", message="epoch 3: loss 1.2")
    member = russian_page(users["viewer"], document)
    assert "Обучается модель" in member and "epoch 3" not in member
    assert "epoch 3" not in Client().get(f"/documents/{document.pk}/").content.decode()  # nor in the config
