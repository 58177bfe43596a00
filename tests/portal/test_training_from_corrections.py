"""Training a model from a document's corrections, through the REAL worker (queue `training`): real CREMMA pages,
lines corrected through the API, a one-epoch fine-tune; the model is registered with its figures (the base's and
its own CER on the held-out corrected lines, the curve), the document switches to it and re-reads: corrected lines
keep their text and every revision, the others take the new reading. Cancelling stops the loop within a batch
and keeps nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from portal.archive.models import HtrModel, Layer, Line, Revision, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_project, make_user
from tests.processes import wait_for_an_epoch, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


def upload(client, document, stem: str, *, alto: bool = True) -> int:
    image, xml = cremma_page(stem=stem)
    body = api_upload(client, document, [image, xml] if alto else [image])
    assert body.status_code == 201, body.content
    for job in body.json()["jobs"]:
        assert wait_for_job(job["id"]).status == Job.Status.DONE
    return body.json()["pages"][0]["id"]


def correct(client, page_id: int, lines=None) -> dict[int, str]:
    """Save each line's text through the API as its owner (a correction: one trailing space trimmed)."""
    saved = {}
    for line in client.get(f"/api/pages/{page_id}/").json()["lines"][:lines]:
        text = line["text"].strip() or "."
        response = client.patch(
            f"/api/lines/{line['id']}/text/",
            {"text": text, "version": line["version"], "layer": line["layer"]},
            format="json",
        )
        assert response.status_code == 200, response.content
        saved[line["id"]] = text
    return saved


@pytest.fixture
def archive(transactional_db, api_client_for):
    user = make_user("archivist")
    client = api_client_for(user)
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    return user, client, document


def test_a_model_trained_on_corrections_is_registered_with_its_figures_and_re_reads_the_rest(celery_worker, archive):
    user, client, document = archive
    first = upload(client, document, "f15")
    corrected = correct(client, first)
    assert len(corrected) == 22
    second = upload(client, document, "f38")
    # The second page's lines lose their imported text: nobody wrote them; the base model reads them.
    Transcription.objects.filter(line__page_id=second).delete()
    read = client.post(f"/api/pages/{second}/process/?steps=recognition")
    assert wait_for_job(read.json()["id"]).status == Job.Status.DONE
    corrected |= correct(client, second, lines=2)

    response = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")
    assert response.status_code == 202, response.content
    job = wait_for_job(response.json()["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    result = job.result
    model = HtrModel.objects.get(pk=result["model"])
    base = HtrModel.objects.get(name="recognition-latin", project=None)
    print(
        f"\nbase {result['base_cer']} -> new {result['cer']} CER on {result['held_out_lines']} held-out lines, "
        f"{result['trained_lines']} lines learned from"
    )
    assert model.project == document.project and model.base == base and model.trained_by == user
    assert not model.read_only and model.trained_at is not None
    assert Path(model.directory).is_dir() and (Path(model.directory) / "model.safetensors").is_file()
    figures = model.figures
    assert 2 <= figures["held_out_lines"] <= 6  # about 15 % of the 24 corrected lines
    assert figures["base_cer"] == result["base_cer"] and figures["cer"] == result["cer"]
    assert figures["cer"] >= 0 and figures["base_cer"] > 0
    assert len(corrected) == 24 and 18 <= model.trained_lines <= 24 - figures["held_out_lines"]
    assert [p["epoch"] for p in figures["curve"]] == [1] and figures["curve"][0]["loss"] is not None
    assert job.message == (
        f"base {figures['base_cer']:.1f} → new {figures['cer']:.1f} CER on "
        f"{figures['held_out_lines']} held-out corrected lines"
    )
    shown = client.get(f"/api/models/{model.pk}/").json()
    assert shown["summary"] == job.message and shown["figures"]["curve"][0]["epoch"] == 1
    assert result["uncorrected_pages"] == [second]

    revisions = set(Revision.objects.filter(transcription__line__page__document=document).values_list("pk", "text"))
    base_layer = Layer.objects.get(document=document, model_name="recognition-latin")
    before = dict(Transcription.objects.filter(layer=base_layer).values_list("line_id", "text"))
    assert (
        client.patch(f"/api/documents/{document.pk}/", {"recognition_model": model.pk}, format="json").status_code
        == 200
    )
    for page in result["uncorrected_pages"]:
        job = wait_for_job(client.post(f"/api/pages/{page}/process/?steps=recognition").json()["id"], timeout=600)
        assert job.status == Job.Status.DONE and job.result["recognition"]["model_id"] == model.pk, job.error

    after = {
        line["id"]: line["text"] for pk in (first, second) for line in client.get(f"/api/pages/{pk}/").json()["lines"]
    }
    assert {pk: after[pk] for pk in corrected} == corrected  # corrections intact
    new_layer = Layer.objects.get(document=document, model_name=model.name)
    others = set(Line.objects.filter(page_id=second).values_list("pk", flat=True)) - set(corrected)
    new = dict(Transcription.objects.filter(layer=new_layer).values_list("line_id", "text"))
    assert set(new) == set(Line.objects.filter(page_id=second).values_list("pk", flat=True))
    assert all(after[pk] == new[pk] for pk in others)  # the page shows the new reading on the others
    changed = [pk for pk in others if new[pk] != before[pk]]
    print(f"{len(changed)} of {len(others)} uncorrected lines read differently by the new model")
    assert changed
    kept = set(Revision.objects.filter(transcription__line__page__document=document).values_list("pk", "text"))
    assert revisions <= kept  # every revision kept


def test_cancelling_a_training_stops_it_and_keeps_no_model(celery_worker, archive, settings):
    user, client, document = archive
    upload(client, document, "f15")
    job = wait_for_an_epoch(client, document, lambda job: job.result.get("curve"))
    job_id = job.pk
    assert len(job.result["curve"]) >= 1 and job.result["base_cer"] is not None  # the live figures
    assert client.post(f"/api/jobs/{job_id}/cancel/").json()["status"] == "cancelled"

    # The loop stops at its next epoch: the same worker takes the next training at once, not in 10 minutes.
    started = time.monotonic()
    again = client.post(f"/api/documents/{document.pk}/train/", {"epochs": 1}, format="json")
    assert again.status_code == 202, again.content
    done = wait_for_job(again.json()["id"], timeout=300)
    assert done.status == Job.Status.DONE, done.error
    assert time.monotonic() - started < 300
    assert Job.objects.get(pk=job_id).status == Job.Status.CANCELLED
    assert list(HtrModel.objects.filter(project=document.project).values_list("pk", flat=True)) == [
        done.result["model"]
    ]
    folder = Path(settings.MODELS_DIR) / f"project-{document.project_id}"
    kept = HtrModel.objects.get(pk=done.result["model"])
    assert [p.name for p in folder.iterdir()] == [Path(kept.directory).name]  # the cancelled one left nothing


def test_a_training_cancelled_within_an_epoch_stops_within_seconds(celery_worker, archive, settings):
    user, client, document = archive
    # Ten pages: an epoch of over a dozen batches, so that on a quiet machine too the cancel (noticed at the next
    # batch report, about a second later) lands inside the first epoch. With three pages (3 batches) it ended first.
    for stem in ("f15", "f38", "f41", "f42", "f50", "f52", "f53", "f59", "f60", "f66"):
        upload(client, document, stem)
    response = client.post(f"/api/documents/{document.pk}/train/", {"minutes": 10}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    work = Path(settings.MODELS_DIR) / f"project-{document.project_id}" / f".training-{job_id}"
    deadline = time.monotonic() + 600
    while not (job := Job.objects.get(pk=job_id)).message.startswith("epoch 1: batch"):
        assert job.is_active and time.monotonic() < deadline, f"no batch reported: {job.status} {job.message}"
        time.sleep(0.1)
    assert work.is_dir() and job.result["curve"] == []  # within the first epoch
    assert client.post(f"/api/jobs/{job_id}/cancel/").json()["status"] == "cancelled"
    cancelled = time.monotonic()
    while work.exists():  # the worker removes the training's folder once the loop has stopped
        assert time.monotonic() - cancelled < 60, "the training did not stop within a minute of the cancel"
        time.sleep(0.1)
    seconds = time.monotonic() - cancelled
    job = Job.objects.get(pk=job_id)
    print(f"\nstopped {seconds:.1f} s after the cancel, in {job.message!r}")
    assert seconds < 30  # one batch (a few seconds; ~10 s on a loaded 2-core machine), not the rest of the epoch
    assert job.status == Job.Status.CANCELLED and job.result["curve"] == []  # no epoch ended
    assert not HtrModel.objects.filter(project=document.project).exists()
