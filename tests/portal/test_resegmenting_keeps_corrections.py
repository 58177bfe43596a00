"""Reading a corrected page again loses nothing, through the REAL worker: the lines people wrote keep their rows, text
and every revision (taking the outline of the new line over them, or staying where they were), and the page shows
the corrections on top of the new reading."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel, Layer, Line, Page, Revision, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.factories import api_upload, make_document, make_project, make_user
from tests.processes import wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]


@pytest.fixture
def editor(transactional_db, api_client_for):
    user = make_user("scribe")
    return api_client_for(user), make_document(make_project(user, name="Genlis"), title="Journal")


def upload(client, document, paths) -> Page:
    response = api_upload(client, document, paths)
    assert response.status_code == 201, response.content
    job = wait_for_job(response.json()["jobs"][0]["id"], timeout=600)
    assert job.status == Job.Status.DONE, job.error
    return Page.objects.get(pk=response.json()["pages"][0]["id"])


def process(client, page, body=None) -> Job:
    response = client.post(f"/api/pages/{page.pk}/process/", body or {}, format="json")
    assert response.status_code == 202, response.content
    job = wait_for_job(response.json()["id"], timeout=900)
    assert job.status == Job.Status.DONE, job.error
    return job


def correct(client, page, indexes: list[int]) -> dict[int, str]:
    """Correct the lines at these reading positions; {line id: corrected text}."""
    lines = client.get(f"/api/pages/{page.pk}/").json()["lines"]
    corrected = {}
    for i in indexes:
        line = lines[i]
        text = f"{line['text']} [corrigé {i}]"
        response = client.patch(
            f"/api/lines/{line['id']}/text/", {"text": text, "version": line["version"]}, format="json"
        )
        assert response.status_code == 200, response.content
        corrected[line["id"]] = text
    return corrected


def manual_texts(page) -> dict[int, str]:
    return {t.line_id: t.text for t in Transcription.objects.filter(layer__kind=Layer.Kind.MANUAL, line__page=page)}


def test_resegmenting_an_imported_and_corrected_page_keeps_every_line_text_and_revision(celery_worker, editor):
    client, document = editor
    page = upload(client, document, list(cremma_page()))  # the scan with its ALTO: 22 lines of the uploader's text
    before = {line.pk: line.polygon for line in page.lines.all()}
    assert len(before) == 22
    corrected = correct(client, page, [2, 10, 21])  # 21: the page number "13", which the segmenter does not find
    revisions = set(Revision.objects.filter(transcription__line__page=page).values_list("pk", flat=True))
    texts = manual_texts(page)
    assert len(texts) == 22  # the first correction seeded the manual layer with the imported text

    job = process(client, page)  # segmentation + recognition
    found = job.result["segmentation"]
    assert found["carried"] + found["kept"] == 22  # each line has text a person wrote: none dropped
    assert found["kept"] >= 1
    assert page.lines.count() == found["lines"] + found["kept"]
    assert set(Revision.objects.filter(pk__in=revisions).values_list("pk", flat=True)) == revisions
    assert {pk: text for pk, text in manual_texts(page).items() if pk in texts} == texts
    moved = [pk for pk in corrected if Line.objects.get(pk=pk).polygon != before[pk]]
    assert moved  # carried onto the segmenter's outline
    assert sorted(page.lines.values_list("order", flat=True)) == list(range(page.lines.count()))

    shown = {line["id"]: line["text"] for line in client.get(f"/api/pages/{page.pk}/").json()["lines"]}
    assert {pk: shown[pk] for pk in corrected} == corrected
    history = client.get(f"/api/lines/{next(iter(corrected))}/history/").json()
    assert [h["author"] for h in history] == ["scribe", "scribe"]  # imported, then corrected
    imported = Layer.objects.get(document=document, kind=Layer.Kind.GROUND_TRUTH)
    assert Transcription.objects.filter(layer=imported).count() == 22


def test_rereading_a_corrected_page_with_another_model_shows_its_reading_under_the_corrections(celery_worker, editor):
    client, document = editor
    image, _ = cremma_page()
    page = upload(client, document, [image])  # found and read by the shipped models
    corrected = correct(client, page, [3, 7])
    kept_revisions = set(Revision.objects.filter(transcription__line_id__in=corrected).values_list("pk", flat=True))
    cyrillic = HtrModel.objects.get(name="recognition-cyrillic", project=None)

    job = process(client, page, {"model": cyrillic.pk})
    assert job.result["recognition"]["model"] == "recognition-cyrillic"
    assert job.result["segmentation"]["carried"] == 2 and job.result["segmentation"]["kept"] == 0
    assert set(Revision.objects.filter(pk__in=kept_revisions).values_list("pk", flat=True)) == kept_revisions
    reading = Layer.objects.get(document=document, model_name="recognition-cyrillic")
    new_reading = {t.line_id: t.text for t in Transcription.objects.filter(layer=reading)}
    assert len(new_reading) == page.lines.count()

    shown = client.get(f"/api/pages/{page.pk}/").json()
    assert shown["layer"]["kind"] == "manual"
    for line in shown["lines"]:
        assert line["text"] == corrected.get(line["id"], new_reading[line["id"]])
    exported = client.get(f"/api/pages/{page.pk}/export/?format=text").content.decode()
    assert all(text in exported for text in corrected.values())
