"""Automatic mode (a document's `retrain_every`): once that many lines were corrected since the last training, a save
starts a fine-tune of the current model in the background; through the REAL worker, the new model is kept only if it
beats the current one on the held-out corrected lines, and then the document reads with it and the pages nobody
corrected are read again; the job's message says what happened."""

from __future__ import annotations

import re

import pytest

from portal.archive.models import HtrModel, Line, Transcription
from portal.archive.training import KIND
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job

TEXTS = tuple(f"ligne numero {i} du journal" for i in range(21))


def save(client, line_id: int, text: str):
    line = client.get(f"/api/lines/{line_id}/history/").json()
    version = line[-1]["version"] if line else 0
    return client.patch(f"/api/lines/{line_id}/text/", {"text": text, "version": version}, format="json")


@pytest.mark.django_db
def test_a_save_starts_a_training_once_enough_lines_were_corrected_since_the_last(
    project, users, api_client_for, settings
):
    settings.TRAINING_AUTO_MINUTES = 0.5
    client = api_client_for(users["editor"])
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"], texts=TEXTS)
    first = Line.objects.filter(page=page).order_by("order").first()
    assert save(client, first.pk, "ligne corrigée").status_code == 200
    assert not Job.objects.filter(kind=KIND).exists()  # off by default

    document.retrain_every = 5
    document.save()
    assert save(client, first.pk, "ligne corrigée encore").status_code == 200
    job = Job.objects.get(kind=KIND)
    assert job.params["auto"] is True and job.params["corrected"] == 21 and job.params["minutes"] == 0.5
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)

    make_page_with_lines(document, users["owner"], texts=TEXTS[:3])  # 3 new lines: not yet
    assert save(client, first.pk, "encore").status_code == 200
    assert Job.objects.filter(kind=KIND).count() == 1
    make_page_with_lines(document, users["owner"], texts=TEXTS[:3])  # 6 since the last training
    assert save(client, first.pk, "et encore").status_code == 200
    assert Job.objects.filter(kind=KIND).count() == 2
    from django.test import Client

    browser = Client()
    browser.force_login(users["editor"])
    html = browser.get(f"/documents/{document.pk}/").content.decode()
    assert "Automatic training: after every 5 newly corrected lines (0 since the last training)" in html


def genlis_with_one_corrected_page(client, user):
    """A document of 2 real pages read by the worker; nobody wrote the second page's lines.
    (document, the second page's id)"""
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    for stem in ("f15", "f38"):
        body = api_upload(client, document, list(cremma_page(stem=stem))).json()
        assert wait_for_job(body["jobs"][0]["id"]).status == Job.Status.DONE
        page_id = body["pages"][0]["id"]
    Transcription.objects.filter(line__page_id=page_id).delete()  # the second page: nobody wrote its lines
    assert client.patch(f"/api/documents/{document.pk}/", {"retrain_every": 10}, format="json").status_code == 200
    line = Line.objects.filter(page__document=document).exclude(page_id=page_id).order_by("order").first()
    text = Transcription.objects.get(line=line).text
    assert save(client, line.pk, text.strip() + " ").status_code == 200
    return document, page_id


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(900)
def test_an_automatic_training_judged_on_too_few_held_out_lines_keeps_the_current_model_and_says_why(
    celery_worker, api_client_for, settings
):
    settings.TRAINING_AUTO_MINUTES = 0.2
    assert settings.TRAINING_AUTO_MIN_HELD_OUT == 20  # the default
    user = make_user("archivist")
    client = api_client_for(user)
    document, page_id = genlis_with_one_corrected_page(client, user)
    job = wait_for_job(Job.objects.get(kind=KIND).pk, timeout=600)
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    held_out = result["held_out_lines"]
    assert 2 <= held_out < 20 and result["held_out_needed"] == 20
    assert result["kept"] is False and result["reason"] == "too_few_held_out" and result["model"] is None
    assert result["curve"] == [] and isinstance(result["base_cer"], float)  # the base was scored, nothing trained
    assert job.message == f"kept recognition-latin: only {held_out} held-out corrected lines, 20 needed"
    document.refresh_from_db()
    assert document.recognition_model is None and not HtrModel.objects.filter(project=document.project).exists()
    assert not Job.objects.filter(target=f"archive.page:{page_id}", params__steps=["recognition"]).exists()

    from django.test import Client

    browser = Client()
    browser.force_login(user)
    html = browser.get(f"/documents/{document.pk}/").content.decode()
    assert (
        f"The last automatic training: kept recognition-latin: only {held_out} held-out corrected lines, 20 needed"
        in html
    )
    browser.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    html = browser.get(f"/ru/documents/{document.pk}/").content.decode()
    assert "Последнее автоматическое обучение: оставлена модель recognition-latin: " in html
    assert f"отложенных исправленных строк только {held_out}, нужно 20" in html


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(900)
def test_an_automatic_training_keeps_a_better_model_only_and_then_re_reads(celery_worker, api_client_for, settings):
    settings.TRAINING_AUTO_MINUTES = 0.2
    settings.TRAINING_AUTO_MIN_HELD_OUT = 2  # one page's held-out lines are enough to judge by here
    user = make_user("archivist")
    client = api_client_for(user)
    document, page_id = genlis_with_one_corrected_page(client, user)
    job = wait_for_job(Job.objects.get(kind=KIND).pk, timeout=600)
    assert job.status == Job.Status.DONE, job.error
    document.refresh_from_db()
    result = job.result
    print(f"\n{job.message}")
    if result["kept"]:
        model = HtrModel.objects.get(project=document.project)
        assert document.recognition_model == model and result["cer"] < result["base_cer"]
        assert result["reread_pages"] == [page_id]
        assert re.fullmatch(rf"model {model.name}: [\d.]+ → [\d.]+ CER, 1 page re-read", job.message)
        reread = Job.objects.get(target=f"archive.page:{page_id}", params__steps=["recognition"])
        assert wait_for_job(reread.pk, timeout=600).result["recognition"]["model_id"] == model.pk
    else:
        assert not HtrModel.objects.filter(project=document.project).exists()
        assert document.recognition_model is None and result["cer"] >= result["base_cer"]
        assert job.message.startswith("kept recognition-latin: the new model read the")
