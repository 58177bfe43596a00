"""The page pipeline end to end: upload over the API → a REAL Celery worker (PostgreSQL + Redis) prepares the images,
finds the lines and reads them with the shipped models → text in a model layer. Re-runs replace instead of
duplicating (and keep what people wrote: test_resegmenting_keeps_corrections.py); cancelling stops the work."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from portal.archive import images
from portal.archive.models import Layer, Line, Page, Revision, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_project, make_user
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def editor(transactional_db):
    from rest_framework.test import APIClient

    user = make_user("scribe")
    document = make_document(make_project(user, name="Genlis"), title="Journal")
    client = APIClient()
    client.force_authenticate(user)
    return client, document


def post_files(client, document, paths: list[Path]):
    response = api_upload(client, document, paths)
    assert response.status_code == 201, response.content
    return response.json()


def model_layer(document) -> Layer:
    return Layer.objects.get(document=document, kind=Layer.Kind.MODEL)


def test_an_uploaded_page_is_prepared_segmented_and_read_by_the_worker(celery_worker, editor):
    client, document = editor
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(f"document-{document.pk}", channel)

    image, _ = cremma_page()
    body = post_files(client, document, [image])
    job = wait_for_job(body["jobs"][0]["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["segmentation"]["lines"] > 5

    page = Page.objects.get(pk=body["pages"][0]["id"])
    assert page.state == Page.State.DONE
    assert Path(page.thumbnail.path).is_file()
    assert (images.tiles_dir(page) / "0" / "0_0.jpg").is_file()
    lines = list(page.lines.order_by("order"))
    assert len(lines) == job.result["segmentation"]["lines"]
    read = model_layer(document)
    transcriptions = Transcription.objects.filter(layer=read, line__page=page)
    assert transcriptions.count() == len(lines)
    assert sum(len(t.text) for t in transcriptions) > 100  # the page was read, not left blank
    for t in transcriptions:
        assert len(t.confidences) == len(t.text)
        assert all(0.0 <= c <= 1.0 for c in t.confidences)
    revision = Revision.objects.filter(transcription__layer=read).first()
    assert revision.author is None and revision.model_name == read.model_name != ""

    shown = client.get(f"/api/pages/{page.pk}/").json()
    assert shown["layer"]["id"] == read.pk
    assert any(line["text"] for line in shown["lines"])

    events = []
    while True:
        try:
            message = async_to_sync(_receive)(layer, channel)
        except TimeoutError:
            break
        events.append(message["event"])
    assert events and events[-1]["status"] == "done" and events[-1]["id"] == job.pk


async def _receive(layer, channel):
    import asyncio

    return await asyncio.wait_for(layer.receive(channel), timeout=2)


def test_rerunning_the_pipeline_replaces_lines_and_text_instead_of_duplicating(celery_worker, editor):
    """The imported lines are the uploader's text: the new lines take them over, or they stay, but never twice."""
    client, document = editor
    image, alto = cremma_page()
    body = post_files(client, document, [image, alto])  # ground truth: only the prepare step runs
    job = wait_for_job(body["jobs"][0]["id"])
    assert job.status == Job.Status.DONE, job.error
    page = Page.objects.get(pk=body["pages"][0]["id"])
    assert page.lines.count() == 22

    for _ in range(2):
        response = client.post(f"/api/pages/{page.pk}/process/?steps=recognition")
        assert response.status_code == 202
        job = wait_for_job(response.json()["id"], timeout=600)
        assert job.status == Job.Status.DONE, job.error
    assert page.lines.count() == 22
    read = model_layer(document)
    assert Transcription.objects.filter(layer=read).count() == 22
    for t in Transcription.objects.filter(layer=read):
        assert t.version == 1 and t.revisions.count() == 1  # same reading twice: no new version
    imported = Layer.objects.get(document=document, kind=Layer.Kind.GROUND_TRUTH)
    assert Transcription.objects.filter(layer=imported).count() == 22  # the ground truth is untouched

    for _ in range(2):
        response = client.post(f"/api/pages/{page.pk}/process/")  # segmentation + recognition
        assert response.status_code == 202
        job = wait_for_job(response.json()["id"], timeout=600)
        assert job.status == Job.Status.DONE, job.error
        segmented = job.result["segmentation"]
        found, kept = segmented["lines"], segmented["kept"]
        assert segmented["carried"] + kept == 22
        assert page.lines.count() == found + kept
        assert Line.objects.filter(page=page).count() == found + kept
        assert Transcription.objects.filter(layer=read, line__page=page).count() == found + kept
        assert Transcription.objects.filter(layer=imported).count() == 22  # the imported text stays, once


def test_cancelling_a_running_job_stops_the_work(celery_worker, editor):
    client, document = editor
    image, _ = cremma_page()
    body = post_files(client, document, [image])
    job_id, page_id = body["jobs"][0]["id"], body["pages"][0]["id"]
    deadline = time.monotonic() + 300
    while Job.objects.get(pk=job_id).message not in ("segmentation", "recognition"):
        assert time.monotonic() < deadline, "the job never started finding lines"
        time.sleep(0.1)
    response = client.post(f"/api/jobs/{job_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    deadline = time.monotonic() + 300
    while Page.objects.get(pk=page_id).state in (Page.State.PREPARING, Page.State.SEGMENTING, Page.State.RECOGNISING):
        assert time.monotonic() < deadline, "the worker did not stop"
        time.sleep(0.2)
    time.sleep(1)
    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.CANCELLED
    assert not Transcription.objects.filter(line__page_id=page_id).exists()
    assert client.get(f"/api/jobs/{job_id}/").json()["status"] == "cancelled"
