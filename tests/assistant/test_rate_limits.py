"""The assistant's limits hold against free sessions (issue #12, finding 4): counted per client address for
visitors, as generation does, and queued anonymous work capped for everyone."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.assistant.conversations import png_bytes
from tests.factories import make_document, make_page_with_lines, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_page():
    owner = make_user("owner")
    document = make_document(make_project(owner), title="Lettres", public=True)
    return make_page_with_lines(document, owner, texts=("à Paris le 3 mai 1767,",))


def _start(client: Client, page):
    return client.post("/api/assistant/conversations/", {"page": page.pk})


def _ask(client: Client, pk: int):
    return client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": "Where is Paris?"},
        content_type="application/json",
    )


def test_fresh_sessions_from_one_address_are_refused_after_the_limit(public_page, settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 3

    codes = [_start(Client(REMOTE_ADDR="198.51.100.7"), public_page).status_code for _ in range(5)]

    assert codes == [201, 201, 201, 429, 429]
    assert _start(Client(REMOTE_ADDR="198.51.100.8"), public_page).status_code == 201


def test_fresh_sessions_uploading_images_from_one_address_are_refused_after_the_limit(
    settings,
):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2

    codes = [
        Client(REMOTE_ADDR="198.51.100.9")
        .post(
            "/api/assistant/conversations/",
            {"image": SimpleUploadedFile("leaf.png", png_bytes())},
        )
        .status_code
        for _ in range(3)
    ]

    assert codes == [201, 201, 429]


def test_a_member_is_counted_as_themselves_not_by_address(public_page, settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 2
    for _ in range(2):
        _start(Client(REMOTE_ADDR="198.51.100.10"), public_page)
    member = Client(REMOTE_ADDR="198.51.100.10")
    member.force_login(make_user("member"))

    assert _start(member, public_page).status_code == 201


def test_queued_anonymous_work_is_capped_for_everyone(public_page, settings):
    settings.ASSISTANT_MAX_ANONYMOUS_QUEUE = 2

    codes = []
    for i in range(3):
        visitor = Client(REMOTE_ADDR=f"203.0.113.{i + 1}")
        codes.append(_ask(visitor, _start(visitor, public_page).json()["id"]).status_code)
    upload = Client(REMOTE_ADDR="203.0.113.9").post(
        "/api/assistant/conversations/",
        {"image": SimpleUploadedFile("leaf.png", png_bytes())},
    )
    member = Client()
    member.force_login(make_user("member"))

    assert codes == [202, 202, 503]
    assert upload.status_code == 503 and "busy" in upload.json()["error"]
    assert _ask(member, _start(member, public_page).json()["id"]).status_code == 202
