"""The project's models through the API: its owners and editors choose the model its documents read with (a viewer
sees the figures only) and have the pages nobody corrected read again with it, in every document that reads with
it, through the REAL worker: corrected lines keep their text."""

from __future__ import annotations

import pytest

from portal.archive.models import HtrModel, Layer, Line, Transcription
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_user
from tests.processes import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)


def project_model(project, name: str = "Genlis v1") -> HtrModel:
    """A model of the project's own, in the shipped Latin model's folder (a worker reads with it for real)."""
    shipped = HtrModel.objects.get(name="recognition-latin", project=None)
    return HtrModel.objects.create(name=name, kind="recognition", path=shipped.path, project=project, base=shipped)


def test_an_editor_chooses_the_projects_model_and_a_viewer_may_not(fonds):
    project, clients = fonds
    model = project_model(project)
    url = f"/api/projects/{project.pk}/"
    assert clients["viewer"].patch(url, {"recognition_model": model.pk}, format="json").status_code == 403
    assert clients["editor"].patch(url, {"recognition_model": model.pk}, format="json").status_code == 200
    project.refresh_from_db()
    assert project.recognition_model == model
    # its other settings stay the owner's
    assert clients["editor"].patch(url, {"name": "Autre", "recognition_model": None}, format="json").status_code == 403
    project.refresh_from_db()
    assert project.name == "Genlis" and project.recognition_model == model


def test_re_reading_is_refused_to_a_viewer_and_without_a_projects_model(fonds, api_client_for):
    project, clients = fonds
    url = f"/api/projects/{project.pk}/reread/"
    assert clients["viewer"].post(url).status_code == 403
    assert api_client_for(make_user("outsider")).post(url).status_code == 404
    response = clients["editor"].post(url)
    assert response.status_code == 400
    assert response.json()["error"] == "this project names no recognition model: choose one for it first"
    assert not Job.objects.exists()


@pytest.mark.timeout(600)
def test_the_projects_uncorrected_pages_are_read_again_with_its_model_and_corrections_stay(celery_worker, fonds):
    project, clients = fonds
    owner = project.owner
    model = project_model(project)
    journal, letters, own = (make_document(project, title=t) for t in ("Journal", "Letters", "Own model"))
    mixed = make_page_with_lines(journal, owner)  # one line stays corrected, two nobody wrote
    make_page_with_lines(journal, owner)  # every line corrected: nothing to re-read (not in the jobs below)
    untouched = make_page_with_lines(letters, owner)
    elsewhere = make_page_with_lines(own, owner)
    own.recognition_model = HtrModel.objects.get(name="recognition-cyrillic", project=None)
    own.save()
    kept = Line.objects.filter(page=mixed).order_by("order").first()
    kept_text = Transcription.objects.get(line=kept).text
    Transcription.objects.filter(line__page__in=[mixed, untouched, elsewhere]).exclude(line=kept).delete()
    assert clients["editor"].patch(f"/api/projects/{project.pk}/", {"recognition_model": model.pk}, format="json")
    for job in Job.objects.all():  # the uploads' own jobs (a busy page is not re-read)
        assert wait_for_job(job.pk).status == Job.Status.DONE
    before = set(Job.objects.values_list("pk", flat=True))

    response = clients["editor"].post(f"/api/projects/{project.pk}/reread/")
    assert response.status_code == 202, response.content
    jobs = response.json()["jobs"]
    assert [job["target"] for job in jobs] == [f"archive.page:{mixed.pk}", f"archive.page:{untouched.pk}"]
    assert all(job["params"]["steps"] == ["recognition"] for job in jobs)
    for job in jobs:
        done = wait_for_job(job["id"], timeout=300)
        assert done.status == Job.Status.DONE, done.error
        assert done.result["recognition"]["model_id"] == model.pk

    people = Transcription.objects.filter(line=kept).exclude(layer__kind=Layer.Kind.MODEL)
    assert [t.text for t in people] == [kept_text]  # the correction, and nothing over it
    read = Transcription.objects.filter(line__page__in=[mixed, untouched], layer__kind=Layer.Kind.MODEL)
    assert read.exclude(line=kept).count() == 5  # the two uncorrected lines of one page, the three of the other
    assert not Transcription.objects.filter(line__page=elsewhere).exists()
    assert set(Job.objects.values_list("pk", flat=True)) - before == {job["id"] for job in jobs}


def test_the_project_page_offers_its_models_to_editors_and_their_figures_only_to_viewers(fonds, client):
    project, _ = fonds
    model = project_model(project)
    model.figures = {"cer": 12.5, "base_cer": 23.0, "held_out_lines": 30}
    model.save()
    client.force_login(project.memberships.get(role="editor").user)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'data-model-id="{model.pk}"' in html and "Use for this project" in html
    assert 'id="project-reread" hidden' in html  # until the project names a model
    client.force_login(project.memberships.get(role="viewer").user)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "base 23.0 → new 12.5 CER on 30 held-out corrected lines" in html
    assert "Use for this project" not in html and 'id="project-reread"' not in html
