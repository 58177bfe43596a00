"""Who may see, choose, read with and download which model: the shipped ones are everyone's (downloads: anyone
logged in); a project's own model is its members' only: to anyone else it does not exist, and another project's
documents cannot read with it."""

from __future__ import annotations

import io
import zipfile

import pytest

from portal.archive.models import Document, HtrModel
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project

pytestmark = pytest.mark.django_db

EDIT = {"owner": 200, "editor": 200, "viewer": 403, "outsider": 404, None: 401}


def shipped(name: str) -> HtrModel:
    return HtrModel.objects.get(name=name, project=None)


@pytest.fixture
def own_model(project, tmp_path) -> HtrModel:
    """A model trained in `project`, in a folder with a link that points outside it."""
    folder = tmp_path / "genlis-v1"
    folder.mkdir()
    (folder / "config.json").write_text('{"charset": ["a", "b"]}')
    (folder / "model.safetensors").write_bytes(b"\0" * 64)
    (folder / "README.md").write_text("# genlis-v1\n")
    (tmp_path / "secret.txt").write_text("not part of the model")
    (folder / "leak.txt").symlink_to(tmp_path / "secret.txt")
    return HtrModel.objects.create(
        name="genlis-v1",
        kind="recognition",
        path=str(folder),
        project=project,
        base=shipped("recognition-latin"),
        figures={"cer": 12.5, "base_cer": 23.0},
    )


@pytest.fixture
def foreign_model(users, tmp_path) -> HtrModel:
    """A model of a private project the owner's project members do not belong to."""
    other = make_project(users["outsider"], name="Autre fonds")
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / "config.json").write_text('{"charset": ["a"]}')
    return HtrModel.objects.create(name="foreign", kind="recognition", path=str(folder), project=other)


@pytest.fixture
def document(project, users) -> Document:
    return make_document(project, title="Journal")


def ids_listed(client) -> set[int]:
    return {m["id"] for m in client.get("/api/models/").json()["results"]}


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_members_see_their_projects_model_beside_the_shipped_ones(users, api_client_for, own_model, role):
    client = api_client_for(users[role])
    assert ids_listed(client) == {own_model.pk, *HtrModel.objects.filter(project=None).values_list("pk", flat=True)}
    detail = client.get(f"/api/models/{own_model.pk}/").json()
    assert detail["project"] == own_model.project_id and detail["figures"]["base_cer"] == 23.0


def test_outsiders_are_not_told_a_projects_model_exists(users, api_client_for, own_model):
    client = api_client_for(users["outsider"])
    assert own_model.pk not in ids_listed(client)
    assert client.get(f"/api/models/{own_model.pk}/").status_code == 404
    assert client.get(f"/api/models/{own_model.pk}/download/").status_code == 404


def test_a_projects_model_is_downloaded_by_its_members_without_what_lies_outside_its_folder(
    users, api_client_for, own_model
):
    response = api_client_for(users["viewer"]).get(f"/api/models/{own_model.pk}/download/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="genlis-v1.zip"' in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == ["genlis-v1/README.md", "genlis-v1/config.json", "genlis-v1/model.safetensors"]


def test_a_shipped_model_is_downloaded_by_anyone_logged_in_and_no_visitor(users, api_client_for):
    model = shipped("recognition-cyrillic")
    response = api_client_for(users["outsider"]).get(f"/api/models/{model.pk}/download/")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {
        "recognition-cyrillic/config.json",
        "recognition-cyrillic/model.safetensors",
        "recognition-cyrillic/README.md",
        "recognition-cyrillic/training_log.json",
    } <= set(archive.namelist())
    weights = (model.directory / "model.safetensors").read_bytes()
    assert archive.read("recognition-cyrillic/model.safetensors") == weights
    assert api_client_for(None).get(f"/api/models/{model.pk}/download/").status_code == 401


@pytest.mark.parametrize("role", ["owner", "editor", "viewer", "outsider", None])
def test_choosing_a_documents_model_is_for_its_owners_and_editors(users, api_client_for, document, own_model, role):
    body = {"recognition_model": own_model.pk, "segmentation_model": shipped("segmentation").pk}
    response = api_client_for(users[role] if role else None).patch(
        f"/api/documents/{document.pk}/", body, format="json"
    )
    assert response.status_code == EDIT[role], response.content
    document.refresh_from_db()
    if EDIT[role] == 200:
        assert response.json()["recognition_model"] == own_model.pk
        assert (document.recognition_model, document.segmentation_model) == (own_model, shipped("segmentation"))
    else:
        assert document.recognition_model is None and document.segmentation_model is None


def test_another_projects_model_is_refused_even_to_a_member_of_both(users, api_client_for, document, foreign_model):
    owner = api_client_for(users["owner"])
    response = owner.patch(f"/api/documents/{document.pk}/", {"recognition_model": foreign_model.pk}, format="json")
    assert response.status_code == 400
    assert "does not exist" in str(response.json()["recognition_model"])  # as if there were no such model
    foreign_model.project.memberships.create(user=users["owner"], role="viewer")
    response = owner.patch(f"/api/documents/{document.pk}/", {"recognition_model": foreign_model.pk}, format="json")
    assert response.status_code == 400 and "another project" in str(response.json()["recognition_model"])
    document.refresh_from_db()
    assert document.recognition_model is None


def test_a_model_of_the_wrong_kind_is_refused(users, api_client_for, document):
    response = api_client_for(users["owner"]).patch(
        f"/api/documents/{document.pk}/", {"recognition_model": shipped("segmentation").pk}, format="json"
    )
    assert response.status_code == 400


def test_a_document_moved_to_another_project_leaves_its_old_projects_model_behind(
    users, api_client_for, document, own_model
):
    document.recognition_model = own_model
    document.save()
    target = make_project(users["owner"], name="Archives")
    response = api_client_for(users["owner"]).patch(
        f"/api/documents/{document.pk}/", {"project": target.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    document.refresh_from_db()
    assert document.project == target and document.recognition_model is None


@pytest.mark.parametrize(("role", "expected"), [("owner", 202), ("editor", 202), ("viewer", 403), ("outsider", 404)])
def test_reading_a_document_with_a_chosen_model_is_for_its_owners_and_editors(
    users, api_client_for, document, role, expected
):
    make_page_with_lines(document, users["owner"])
    document.pages.update(thumbnail="x.jpg")  # prepared already
    Job.objects.update(status=Job.Status.DONE)
    body = {"steps": ["recognition"], "model": shipped("recognition-cyrillic").pk}
    response = api_client_for(users[role]).post(f"/api/documents/{document.pk}/process/", body, format="json")
    assert response.status_code == expected, response.content
    if expected == 202:
        (job,) = response.json()["jobs"]
        assert job["params"] == {"steps": ["recognition"], "recognition_model": body["model"]}


def test_reading_with_another_projects_model_or_for_a_step_not_asked_is_refused(
    users, api_client_for, document, foreign_model
):
    client = api_client_for(users["owner"])
    url = f"/api/documents/{document.pk}/process/"
    refused = client.post(url, {"steps": ["recognition"], "model": foreign_model.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["error"] == f"there is no model {foreign_model.pk}"
    wrong_step = client.post(url, {"steps": ["recognition"], "model": shipped("segmentation").pk}, format="json")
    assert wrong_step.status_code == 400 and "segmentation step" in wrong_step.json()["error"]
    assert client.post(url, {"steps": ["recognition"], "model": "latin"}, format="json").status_code == 400
