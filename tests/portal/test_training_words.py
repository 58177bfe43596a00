"""A training's progress messages are English on the job (what the API gives) and in the reader's language on the
pages (training_words.py, and training.js with the same templates); a failed page says which step failed in words,
with the raw error behind them, which the API keeps as it is."""

from __future__ import annotations

import pytest
from django.utils import translation

from portal.archive import training_words as W
from portal.archive.models import Page
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines


def test_every_training_message_is_said_in_russian():
    with translation.override("ru"):
        catalogue = W.catalogue()
        assert W.words(W.message(W.BATCH, epoch=2, batch=3, batches=9)) == "эпоха 2: пакет 3 из 9"
        assert W.words(W.message(W.EPOCH_CER, epoch=1, loss=0.51, cer="23.1")) == "эпоха 1: потери 0.51, CER 23.1"
        assert W.words(W.message(W.EPOCH, epoch=1, loss=0.51)) == "эпоха 1: потери 0.51"
        assert W.words(W.message(W.SCORING_BASE_LINES, model="recognition-latin", lines=7)) == (
            "оценка модели recognition-latin на отложенных строках (7)"
        )
        assert W.words("something else") == "something else"
    untranslated = [english for english, russian in catalogue.items() if english == russian]
    assert untranslated == [] and len(catalogue) == len(W.MESSAGES)
    with translation.override("en"):
        assert W.words(W.message(W.STEP_F1, step=4, f1=91.5)) == "step 4: line F1 91.5"


@pytest.mark.django_db
def test_the_russian_pages_give_the_training_panels_the_russian_messages(users, project, client):
    document = make_document(project)
    Job.objects.create(
        kind="segmentation_training",
        status=Job.Status.RUNNING,
        target=f"archive.project:{project.pk}",
        message=W.message(W.STEP_LOSS, step=3, loss="0.412"),
        total=100,
    )
    client.force_login(users["viewer"])
    config = client.get(f"/ru/documents/{document.pk}/").context["page_config"]["training"]
    assert config["messages"][W.BATCH] == "эпоха %(epoch)s: пакет %(batch)s из %(batches)s"
    project_page = client.get(f"/ru/projects/{project.pk}/")
    config = project_page.context["training"]["config"]
    assert config["latestSegmentation"]["message"] == "step 3: loss 0.412"  # the job's own words: English
    assert config["messages"][W.STEP_LOSS] == "шаг %(step)s: потери %(loss)s"
    assert "Кривая обучения" in project_page.content.decode()


@pytest.mark.django_db
def test_a_failed_page_says_which_step_failed_in_russian_with_the_error_behind(users, project, client, api_client_for):
    document = make_document(project)
    page = make_page_with_lines(document, users["owner"])
    Page.objects.filter(pk=page.pk).update(state=Page.State.FAILED)
    error = "recognition failed: CUDA out of memory. Tried to allocate 2.00 GiB"
    job = Job.objects.get(target=f"archive.page:{page.pk}")  # its reading, as a worker would have failed it
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="recognition", error=error)
    client.force_login(users["editor"])
    response = client.get(f"/ru/documents/{document.pk}/")
    html = response.content.decode()
    assert '<span class="job-message muted error">Не удалось прочитать строки.</span>' in html
    assert f'<details class="job-error" ><summary>Подробности</summary><pre>{error}</pre></details>' in html
    assert response.context["page_config"]["failureWords"]["segmentation"] == "Не удалось найти строки."
    assert api_client_for(users["editor"]).get(f"/api/jobs/{job.pk}/").json()["error"] == error
