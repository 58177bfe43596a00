"""A line corrected before is saved in three queries (the token's user, the line with the editor's role, one statement
that writes the new version and its revision), and that short path keeps what the long one guarantees: a stale
version is a conflict, the same text is no new version, a removed member is refused, the row's receivers hear of it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.archive.models import Membership, Revision, Transcription

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    """A client that sends the user's API token, as the editor and the benchmark do."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def save(client, line_id: int, text: str, version: int):
    return client.patch(f"/api/lines/{line_id}/text/", {"text": text, "version": version}, format="json")


def corrected_line(client, page) -> int:
    """A line of the page corrected once (version 2), so that the next save is the usual one."""
    line_id = page.lines.order_by("order").first().pk
    assert save(client, line_id, "Милостивый Государь", 1).status_code == 200
    return line_id


def manual_revisions(line_id: int) -> list[tuple[int, str, str | None]]:
    revisions = Revision.objects.filter(transcription__line_id=line_id, transcription__layer__kind="manual")
    return [(r.version, r.text, r.author.username if r.author else None) for r in revisions.order_by("version")]


def test_saving_a_line_corrected_before_takes_three_queries(users, page):
    editor = token_client(users["editor"])
    line_id = corrected_line(editor, page)
    with CaptureQueriesContext(connection) as queries:
        response = save(editor, line_id, "Милостивый Государь мой", 2)
    assert response.status_code == 200, response.content
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT", "SELECT", "WITH"], [
        q["sql"][:120] for q in queries.captured_queries
    ]
    body = response.json()
    assert (body["version"], body["text"], body["author"]) == (3, "Милостивый Государь мой", "editor")
    assert manual_revisions(line_id)[-2:] == [
        (2, "Милостивый Государь", "editor"),
        (3, "Милостивый Государь мой", "editor"),
    ]
    t = Transcription.objects.get(line_id=line_id, layer__kind="manual")
    assert (t.version, t.text, t.confidences, t.layer_id) == (3, "Милостивый Государь мой", [], body["layer"])
    assert t.updated.isoformat().replace("+00:00", "Z") == body["updated"]


def test_a_save_from_the_browser_takes_three_queries_too(users, page):
    """The editor's page saves with its session cookie and CSRF token: the session comes from the cache."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["editor"])
    browser.get("/")  # a page sets the CSRF cookie, as the editor's page does
    csrf = browser.cookies["csrftoken"].value
    line_id = page.lines.order_by("order").first().pk

    def patch(text: str, version: int):
        return browser.patch(
            f"/api/lines/{line_id}/text/",
            data={"text": text, "version": version},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf,
        )

    assert patch("Милостивый Государь", 1).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = patch("Милостивый Государь мой", 2)
    assert response.status_code == 200, response.content
    assert response.json()["author"] == "editor"
    assert len(queries) == 3, [q["sql"][:120] for q in queries.captured_queries]  # the user, the line, the save
    assert browser.patch(f"/api/lines/{line_id}/text/", data={"text": "x", "version": 3}).status_code == 403  # no CSRF


def test_a_stale_version_on_the_short_path_is_a_conflict_and_writes_nothing(users, page):
    owner, editor = token_client(users["owner"]), token_client(users["editor"])
    line_id = corrected_line(owner, page)
    assert save(owner, line_id, "второе", 2).status_code == 200
    response = save(editor, line_id, "третье от редактора", 2)
    assert response.status_code == 409
    assert response.json()["current"] == {**response.json()["current"], "text": "второе", "version": 3}
    assert [v for v, _text, _author in manual_revisions(line_id)] == [1, 2, 3]


def test_saving_the_same_text_again_makes_no_new_version(users, page):
    editor = token_client(users["editor"])
    line_id = corrected_line(editor, page)
    response = save(editor, line_id, "Милостивый Государь", 2)
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["author"]) == (2, "editor")
    assert [v for v, _text, _author in manual_revisions(line_id)] == [1, 2]


def test_an_editor_removed_from_the_project_can_no_longer_save(users, project, page):
    editor = token_client(users["editor"])
    line_id = corrected_line(editor, page)
    Membership.objects.filter(project=project, user=users["editor"]).delete()
    assert save(editor, line_id, "после удаления", 2).status_code == 404  # a private document: not even told it exists
    page.document.is_public = True
    page.document.save(update_fields=["is_public"])
    response = save(editor, line_id, "после удаления", 2)
    assert response.status_code == 403  # a published one: may read it, not change it
    viewer = token_client(users["viewer"])
    assert save(viewer, line_id, "зритель", 2).status_code == 403
    assert [v for v, _text, _author in manual_revisions(line_id)] == [1, 2]


def test_a_bad_or_inactive_token_is_refused_as_drf_refuses_it(users, page):
    line_id = page.lines.first().pk
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = save(stranger, line_id, "x", 1)
    assert response.status_code == 401 and response.json() == {"detail": "Invalid token."}
    editor = token_client(users["editor"])
    users["editor"].is_active = False
    users["editor"].save(update_fields=["is_active"])
    response = save(editor, line_id, "x", 1)
    assert response.status_code == 401 and response.json() == {"detail": "User inactive or deleted."}


def test_the_short_path_tells_the_transcriptions_receivers_with_the_line_and_its_page(users, page):
    """Entity extraction (portal/entities/signals.py) hears of every change of text through post_save."""
    editor = token_client(users["editor"])
    line_id = corrected_line(editor, page)
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.pk, instance.line_id, instance.line.page_id, instance.version, created))

    post_save.connect(receiver, sender=Transcription, dispatch_uid="test-short-path")
    try:
        with CaptureQueriesContext(connection) as queries:
            assert save(editor, line_id, "Милостивый Государь!", 2).status_code == 200
    finally:
        post_save.disconnect(dispatch_uid="test-short-path", sender=Transcription)
    manual = Transcription.objects.get(line_id=line_id, layer__kind="manual")
    assert heard == [(manual.pk, line_id, page.pk, 3, False)]
    assert len(queries) == 3  # the receiver found the page on the line, without asking the database
