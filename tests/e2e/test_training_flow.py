"""Training from corrections in a real browser: on the document page, start a training on the corrected lines, watch
its progress and curve arrive over the websocket, then use the new model for the document and re-read the page
nobody corrected; the corrections stay as they were."""

from __future__ import annotations

import json

import pytest

from portal.archive.models import HtrModel, Line, Transcription
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.e2e.test_editor_flow import PASSWORD
from tests.factories import make_document, make_project, make_user_for_the_server, upload_files
from tests.processes import wait_for_job

pytestmark = [pytest.mark.timeout(600), pytest.mark.django_db(transaction=True)]


def test_an_archivist_trains_a_model_watches_its_curve_and_re_reads_with_it(daphne_server, browser_page):
    user = make_user_for_the_server("trainer", PASSWORD)
    document = make_document(make_project(user, name="Fonds Genlis"), title="Journal")
    (corrected_page,), jobs = upload_files(document, user, list(cremma_page(stem="f15")))
    (other_page,), more = upload_files(document, user, list(cremma_page(stem="f38")))
    for job in jobs + more:
        assert wait_for_job(job.pk).status == Job.Status.DONE
    Transcription.objects.filter(line__page=other_page).delete()  # nobody wrote these lines
    corrections = dict(Transcription.objects.filter(line__page=corrected_page).values_list("line_id", "text"))
    assert len(corrections) == 22

    page, base = browser_page, daphne_server
    frames: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(json.loads(data))))
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "trainer")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url(base + "/")
    page.goto(f"{base}/documents/{document.pk}/")
    page.wait_for_selector("body[data-socket=open]")
    page.click("#train-box summary")
    assert page.locator("#train-form input[name=pages]:checked").count() == 1
    assert "22" in page.inner_text("#train-count")
    page.fill("#train-form input[name=minutes]", "0.1")
    page.click("#train-start")

    page.wait_for_function("Number(document.querySelector('#training-curve').dataset.points) >= 1", timeout=300_000)
    assert page.locator("#training-curve polyline.curve-cer").count() == 1
    page.wait_for_selector("#training-result:not([hidden])", timeout=300_000)
    live = [
        f for f in frames if f.get("kind") == "model_training" and f["status"] == "running" and f["result"].get("curve")
    ]
    assert live and live[0]["message"].startswith("epoch") and live[0]["result"]["base_cer"] is not None
    result = page.inner_text("#training-result")
    model = HtrModel.objects.get(project=document.project)
    assert model.summary in result and "held-out corrected lines" in result

    page.click("#training-result .use-model[data-scope=document]")
    page.wait_for_selector("#reread-uncorrected:not([hidden])")
    assert page.inner_text("#reading-model") == model.name
    document.refresh_from_db()
    assert document.recognition_model == model
    page.click("#reread-uncorrected")
    page.wait_for_selector(f".page-card[data-page-id='{other_page.pk}'][data-job-status=done]", timeout=300_000)

    read = Job.objects.filter(target=f"archive.page:{other_page.pk}", status=Job.Status.DONE).latest("created")
    assert read.result["recognition"]["model_id"] == model.pk
    assert (
        Transcription.objects.filter(line__page=other_page, layer__model_name=model.name).count()
        == Line.objects.filter(page=other_page).count()
    )
    page.goto(f"{base}/api/pages/{corrected_page.pk}/")
    shown = {line["id"]: line["text"] for line in json.loads(page.inner_text("body"))["lines"]}
    assert {pk: shown[pk] for pk in corrections} == corrections
    page.goto(f"{base}/models/{model.pk}/")
    assert model.summary in page.inner_text("#model-summary")
    assert int(page.get_attribute("#model-curve", "data-points")) >= 1
    assert not page.errors
