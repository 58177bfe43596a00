"""The training buttons beyond recognition on a document page, in a real browser: a segmentation model trained from
the document page's edited pages (count, base, budget, live F1 curve, result, use it; the model page plots line F1),
and a recognition model trained from the project page over all its documents, watched live and cancelled."""

from __future__ import annotations

import pytest

from portal.archive import services
from portal.archive.models import HtrModel, Page
from portal.jobs.models import Job
from tests.datasets import cremma_page
from tests.e2e.test_editor_flow import PASSWORD
from tests.factories import make_document, make_project, make_user_for_the_server, upload_files
from tests.processes import wait_for_job

pytestmark = [pytest.mark.timeout(600), pytest.mark.django_db(transaction=True)]


def login(page, base: str, name: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url(base + "/")


def upload_pages(document, user, stems: list[str]) -> list[Page]:
    pages = []
    for stem in stems:
        stored, jobs = upload_files(document, user, list(cremma_page(stem=stem)))
        for job in jobs:
            assert wait_for_job(job.pk).status == Job.Status.DONE
        pages += stored
    return pages


def test_an_archivist_trains_a_segmentation_model_from_the_document_page_and_uses_it(daphne_server, browser_page):
    user = make_user_for_the_server("segmenter", PASSWORD)
    document = make_document(make_project(user, name="Fonds Genlis"), title="Journal")
    pages = upload_pages(document, user, ["f15", "f38"])
    for page_ in pages:  # a person's edit: a false last line removed from each page
        services.line_delete(line=page_.lines.order_by("order").last())

    page, base = browser_page, daphne_server
    login(page, base, "segmenter")
    page.goto(f"{base}/documents/{document.pk}/")
    page.wait_for_selector("body[data-socket=open]")
    page.click("#seg-train-box summary")
    assert page.locator("#seg-train-form input[name=pages]:checked").count() == 2
    assert "2 edited pages chosen" in page.inner_text("#seg-train-count")
    page.uncheck(f"#seg-train-form input[value='{pages[0].pk}']")
    assert "edit the lines of 1 more" in page.inner_text("#seg-train-count")
    page.check(f"#seg-train-form input[value='{pages[0].pk}']")
    shipped = HtrModel.objects.get(name="segmentation", project=None)
    assert page.input_value("#seg-train-form select[name=base]") == str(shipped.pk)
    page.fill("#seg-train-form input[name=minutes]", "0.1")
    page.click("#seg-train-start")

    page.wait_for_selector("#seg-training-result:not([hidden])", timeout=300_000)
    assert page.get_attribute("#seg-training-curve", "data-metric") == "f1"
    assert int(page.get_attribute("#seg-training-curve", "data-points")) >= 1
    assert page.locator("#seg-training-curve polyline.curve-f1").count() == 1
    assert "validation line F1" in page.text_content("#seg-training-curve")
    model = HtrModel.objects.get(project=document.project, kind=HtrModel.Kind.SEGMENTATION)
    assert model.summary in page.inner_text("#seg-training-result") and "line F1" in model.summary
    assert page.locator("#training").is_hidden()  # the recognition panel shows no segmentation job

    page.click("#seg-training-result .use-model[data-scope=document]")
    page.wait_for_function("document.querySelector('#model-status').textContent.includes('segments')")
    document.refresh_from_db()
    assert document.segmentation_model == model and document.recognition_model is None

    page.reload()  # the finished training is still shown, from the Job row
    page.wait_for_selector("#seg-training[data-status=done]")
    assert model.summary in page.inner_text("#seg-training-result")
    page.goto(f"{base}/models/{model.pk}/")
    assert "line F1" in page.inner_text("#model-summary")
    assert "line F1" in page.inner_text("#model-curve-legend")
    assert page.get_attribute("#model-curve", "data-metric") == "f1"
    assert page.locator("#model-curve polyline.curve-f1").count() == 1
    assert "step" in page.text_content("#model-curve") and "CER" not in page.text_content("#model-curve")
    assert not page.errors


def test_an_archivist_trains_from_the_project_page_watches_it_live_and_cancels_it(daphne_server, browser_page):
    user = make_user_for_the_server("projector", PASSWORD)
    project = make_project(user, name="Fonds Genlis")
    upload_pages(make_document(project, title="Journal"), user, ["f15"])
    upload_pages(make_document(project, title="Letters"), user, ["f38"])

    page, base = browser_page, daphne_server
    login(page, base, "projector")
    page.goto(f"{base}/projects/{project.pk}/")
    page.click("#project-train-box summary")
    lines = page.inner_text("#project-train-lines")
    assert "in 2 document(s)" in lines
    assert "corrected lines chosen" in page.inner_text("#project-train-count")
    page.fill("#project-train-form input[name=minutes]", "5")
    page.click("#project-train-start")
    page.wait_for_selector("#project-training[data-status=running]", timeout=120_000)
    page.wait_for_function(
        "/batch|epoch/.test(document.querySelector('#project-training-message').textContent)", timeout=300_000
    )
    page.click("#project-train-cancel")
    page.wait_for_selector("#project-training[data-status=cancelled]", timeout=60_000)
    assert "cancelled" in page.inner_text("#project-training-message")
    job = Job.objects.get(target=f"archive.project:{project.pk}")
    assert wait_for_job(job.pk, timeout=120).status == Job.Status.CANCELLED
    assert not HtrModel.objects.filter(project=project).exists()

    page.reload()  # a second start after the cancel is allowed; the cancelled one is what the page shows until then
    page.wait_for_selector("#project-training[data-status=cancelled]")
    assert page.is_enabled("#project-train-start")
    assert not page.errors


def test_an_editor_chooses_a_model_for_the_project_and_has_its_uncorrected_pages_read_again(
    daphne_server, browser_page
):
    from portal.archive.models import Layer, Transcription
    from tests.factories import make_page_with_lines, make_user

    owner = make_user("fonds-owner")
    user = make_user_for_the_server("chooser", PASSWORD)
    project = make_project(owner, name="Fonds Genlis", members={user: "editor"})
    shipped = HtrModel.objects.get(name="recognition-latin", project=None)
    model = HtrModel.objects.create(  # the project's own, in the shipped folder: the worker reads with it
        name="Genlis v1", kind="recognition", path=shipped.path, project=project, base=shipped, figures={"cer": 9.5}
    )
    pages = [make_page_with_lines(make_document(project, title=t), owner) for t in ("Journal", "Letters")]
    for job in Job.objects.all():
        assert wait_for_job(job.pk).status == Job.Status.DONE
    kept = pages[0].lines.order_by("order").first()
    kept_text = Transcription.objects.get(line=kept).text
    Transcription.objects.filter(line__page__in=pages).exclude(line=kept).delete()

    page, base = browser_page, daphne_server
    login(page, base, "chooser")
    page.goto(f"{base}/projects/{project.pk}/")
    assert page.is_hidden("#project-reread")  # nothing to re-read with before the project names a model
    item = page.locator(f"#project-model-list li[data-model-id='{model.pk}']")
    item.locator("button.use-model").click()
    page.wait_for_function(
        "document.querySelector('#project-reading-model').textContent.includes('Genlis v1')", timeout=30_000
    )
    assert "now read with this model" in page.inner_text("#model-status")
    page.click("#project-reread")
    page.wait_for_function(
        "document.querySelector('#model-status').textContent.includes('2 pages are being read again')",
        timeout=30_000,
    )
    project.refresh_from_db()
    assert project.recognition_model == model
    jobs = Job.objects.filter(target__in=[f"archive.page:{p.pk}" for p in pages], params__steps=["recognition"])
    assert jobs.count() == 2
    for job in jobs:
        done = wait_for_job(job.pk, timeout=300)
        assert done.status == Job.Status.DONE and done.result["recognition"]["model_id"] == model.pk
    people = Transcription.objects.filter(line=kept).exclude(layer__kind=Layer.Kind.MODEL)
    assert [t.text for t in people] == [kept_text]
    assert not page.errors
