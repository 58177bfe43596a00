"""Every archive API endpoint × every role (owner, editor, viewer, outsider, anonymous) on a PRIVATE document:
readers get 200, outsiders never learn it exists (404), anonymous writers are asked to log in (401), viewers may
not change anything (403). Images and tiles included: scans are never served without the check."""

from __future__ import annotations

import pytest

from portal.archive.models import Line
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db

ROLES = ["owner", "editor", "viewer", "outsider", None]
READ = {"owner": 200, "editor": 200, "viewer": 200, "outsider": 404, None: 404}


def edit(ok: int) -> dict:
    return {"owner": ok, "editor": ok, "viewer": 403, "outsider": 404, None: 401}


def manage(ok: int) -> dict:
    return {"owner": ok, "editor": 403, "viewer": 403, "outsider": 404, None: 401}


@pytest.fixture
def world(users, project):
    document = make_document(project, title="Lettres")
    page = make_page_with_lines(document, users["owner"])
    idle = make_page_with_lines(document, users["owner"])
    Job.objects.filter(target=f"archive.page:{idle.pk}").update(status=Job.Status.DONE)
    lines = list(page.lines.order_by("order"))
    job = Job.objects.get(target=f"archive.page:{page.pk}")
    job.status = Job.Status.RUNNING  # as if a worker were preparing the page (cancel needs an active job)
    job.save()
    return {"document": document, "page": page, "idle": idle, "lines": lines, "job": job, "project": project}


def revision_of(line: Line) -> int:
    return line.transcriptions.get().revisions.get().pk


# (name, method, url, body, expected statuses by role)
CASES = [
    ("document", "get", "/api/documents/{d}/", None, READ),
    ("document pages", "get", "/api/documents/{d}/pages/", None, READ),
    ("page", "get", "/api/pages/{p}/", None, READ),
    ("page image", "get", "/api/pages/{p}/image/", None, READ),
    ("page thumbnail", "get", "/api/pages/{p}/thumbnail/", None, READ),
    ("page dzi", "get", "/api/pages/{p}/dzi/", None, READ),
    ("top tile", "get", "/api/pages/{p}/tiles/10/0_0.jpg", None, READ),
    ("one-pixel tile", "get", "/api/pages/{p}/tiles/0/0_0.jpg", None, READ),
    ("page review", "get", "/api/pages/{p}/review/", None, READ),
    ("page export", "get", "/api/pages/{p}/export/?format=alto", None, READ),
    ("document export", "get", "/api/documents/{d}/export/?format=page", None, READ),
    ("line history", "get", "/api/lines/{l0}/history/", None, READ),
    ("job", "get", "/api/jobs/{j}/", None, READ),
    ("project", "get", "/api/projects/{pr}/", None, READ),
    ("project members", "get", "/api/projects/{pr}/members/", None, READ),
    ("edit document", "patch", "/api/documents/{d}/", {"keyboard": "ѣіѳѵ"}, edit(200)),
    ("save line text", "patch", "/api/lines/{l0}/text/", {"text": "Милостивый государь", "version": 1}, edit(200)),
    ("restore revision", "post", "/api/lines/{l0}/restore/", {"revision": "{r0}"}, edit(200)),
    (
        "draw a line",
        "post",
        "/api/pages/{p}/lines/",
        {"polygon": [[1, 1], [90, 1], [90, 30]], "after": "{l0}"},
        edit(201),
    ),
    ("delete a line", "delete", "/api/lines/{l2}/", None, edit(204)),
    ("merge lines", "post", "/api/lines/merge/", {"ids": ["{l0}", "{l1}"]}, edit(200)),
    ("split a line", "post", "/api/lines/{l1}/split/", {"x": 400}, edit(200)),
    ("reorder lines", "post", "/api/pages/{p}/reorder/", {"order": ["{l2}", "{l1}", "{l0}"]}, edit(200)),
    ("process a busy page", "post", "/api/pages/{p}/process/?steps=recognition", None, edit(409)),
    ("process document", "post", "/api/documents/{d}/process/", {}, edit(202)),
    ("cancel job", "post", "/api/jobs/{j}/cancel/", None, edit(200)),
    ("process page", "post", "/api/pages/{p2}/process/?steps=recognition", None, edit(202)),
    ("delete page", "delete", "/api/pages/{p}/", None, edit(204)),
    ("publish document", "patch", "/api/documents/{d}/", {"is_public": True}, manage(200)),
    ("delete document", "delete", "/api/documents/{d}/", None, manage(204)),
    ("add member", "post", "/api/projects/{pr}/members/", {"user": "outsider", "role": "viewer"}, manage(201)),
    ("rename project", "patch", "/api/projects/{pr}/", {"name": "Fonds Genlis"}, manage(200)),
]


def fill(value, ids: dict):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize(("name", "method", "url", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_endpoint_answers_each_role_as_its_rights_say(
    world, users, api_client_for, role, name, method, url, body, expected
):
    lines = world["lines"]
    ids = {
        "d": world["document"].pk,
        "p": world["page"].pk,
        "j": world["job"].pk,
        "pr": world["project"].pk,
        "p2": world["idle"].pk,
        "l0": lines[0].pk,
        "l1": lines[1].pk,
        "l2": lines[2].pk,
        "r0": revision_of(lines[0]),
    }
    client = api_client_for(users[role] if role else None)
    response = getattr(client, method)(fill(url, ids), fill(body, ids), format="json")
    assert response.status_code == expected[role], (name, role, response.content[:300])
    if response.status_code == 200 and name in ("page image", "page thumbnail", "top tile", "one-pixel tile"):
        assert response["Content-Type"] in ("image/jpeg", "image/png")
        assert b"".join(response.streaming_content)[:3] in (b"\xff\xd8\xff", b"\x89PN")


@pytest.mark.parametrize("path", ["image/", "thumbnail/", "dzi/", "tiles/9/1_0.jpg"])
def test_a_published_document_serves_its_images_to_anyone(world, api_client_for, path):
    world["document"].is_public = True
    world["document"].save()
    response = api_client_for(None).get(f"/api/pages/{world['page'].pk}/{path}")
    assert response.status_code == 200


def test_a_tile_outside_the_pyramid_is_404(world, users, api_client_for):
    client = api_client_for(users["owner"])
    assert client.get(f"/api/pages/{world['page'].pk}/tiles/10/9_9.jpg").status_code == 404
    assert client.get(f"/api/pages/{world['page'].pk}/tiles/11/0_0.jpg").status_code == 404


def test_the_dzi_describes_the_page_and_points_at_the_tile_view(world, users, api_client_for):
    page = world["page"]
    xml = api_client_for(users["viewer"]).get(f"/api/pages/{page.pk}/dzi/").content.decode()
    assert f'Width="{page.width}" Height="{page.height}"' in xml
    assert f'Url="http://testserver/api/pages/{page.pk}/tiles/"' in xml
    assert 'TileSize="256"' in xml and 'Overlap="1"' in xml


def test_lists_show_only_what_a_user_may_read(world, users, api_client_for):
    other = make_document(world["project"].__class__.objects.create(name="Autre", owner=users["outsider"]))
    public = make_document(other.project, title="Public", public=True)
    owner_ids = {d["id"] for d in api_client_for(users["viewer"]).get("/api/documents/").json()["results"]}
    assert owner_ids == {world["document"].pk, public.pk}
    anonymous_ids = {d["id"] for d in api_client_for(None).get("/api/documents/").json()["results"]}
    assert anonymous_ids == {public.pk}
    filtered = api_client_for(users["outsider"]).get(f"/api/documents/?project={other.project_id}").json()
    assert {d["id"] for d in filtered["results"]} == {other.pk, public.pk}
    assert api_client_for(None).get("/api/projects/").json()["results"] == []


def test_a_token_obtained_with_username_and_password_authenticates(world, users, client):
    from rest_framework.test import APIClient

    response = client.post("/api/auth/token/", {"username": "viewer", "password": "pw-viewer-12345"})
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get(f"/api/documents/{world['document'].pk}/").status_code == 200
    assert client.post("/api/auth/token/", {"username": "viewer", "password": "wrong"}).status_code == 400


def test_the_owner_manages_members_and_roles(world, users, api_client_for):
    owner = api_client_for(users["owner"])
    pr = world["project"].pk
    added = owner.post(f"/api/projects/{pr}/members/", {"user": users["outsider"].pk, "role": "editor"}, format="json")
    assert added.status_code == 201
    assert api_client_for(users["outsider"]).get(f"/api/documents/{world['document'].pk}/").status_code == 200
    changed = owner.patch(f"/api/projects/{pr}/members/{users['outsider'].pk}/", {"role": "viewer"}, format="json")
    assert changed.json()["role"] == "viewer"
    assert owner.delete(f"/api/projects/{pr}/members/{users['outsider'].pk}/").status_code == 204
    assert api_client_for(users["outsider"]).get(f"/api/documents/{world['document'].pk}/").status_code == 404
    bad = owner.post(f"/api/projects/{pr}/members/", {"user": "nobody", "role": "editor"}, format="json")
    assert bad.status_code == 400


def test_anyone_logged_in_creates_a_project_and_becomes_its_owner(users, api_client_for):
    response = api_client_for(users["outsider"]).post("/api/projects/", {"name": "Mes lettres"}, format="json")
    assert response.status_code == 201
    assert response.json()["owner"] == "outsider" and response.json()["role"] == "owner"


def test_only_editors_create_documents_in_a_project(world, users, api_client_for):
    body = {"project": world["project"].pk, "title": "Nouveau", "direction": "ltr"}
    assert api_client_for(users["editor"]).post("/api/documents/", body, format="json").status_code == 201
    assert api_client_for(users["viewer"]).post("/api/documents/", body, format="json").status_code == 403
