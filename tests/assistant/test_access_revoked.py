"""Access is checked on every question, not only when a conversation starts (issue #12, finding 1).

A member removed from the project, or a stranger after the owner un-publishes, gets no more quotes: not through
the API, not from an answer that was already queued, not over the conversation's socket, not as evidence images.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from assistant import answers
from assistant.models import Conversation, Message
from portal.archive.models import Document, Membership
from portal.jobs.progress import send_event
from portal.routing import websocket_urlpatterns
from tests.factories import make_document, make_page_with_lines, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

TEXTS = ("Monsieur, je suis arrivée", "à Paris le 3 mai 1767,", "achetez-moi du drap")
QUESTION = "Where is Paris mentioned?"
QUOTED = "à Paris le 3 mai 1767,"


@pytest.fixture
def archive():
    """A private document of one page with read lines; `member` is a viewer of its project."""
    owner, member = make_user("owner"), make_user("member")
    project = make_project(owner, members={member: "viewer"})
    document = make_document(project, title="Lettres")
    page = make_page_with_lines(document, owner, texts=TEXTS)
    return {"owner": owner, "member": member, "document": document, "page": page}


def _start(client: Client, page, scope: str = "page") -> int:
    response = client.post("/api/assistant/conversations/", {"page": page.pk, "scope": scope})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _ask(client: Client, pk: int):
    return client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": QUESTION},
        content_type="application/json",
    )


def _answered(response) -> Message:
    """Run the answer the way the worker's task does, and return it."""
    assert response.status_code == 202, response.content
    answer = Message.objects.get(pk=response.json()["answer"]["id"])
    answers.message_answer_archive(message=answer)
    answer.refresh_from_db()
    return answer


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _remove(member, document) -> None:
    Membership.objects.filter(project=document.project, user=member).delete()


@pytest.mark.parametrize("scope", ["page", "document", "collection"])
def test_a_removed_member_can_no_longer_ask(archive, scope):
    client = _logged_in(archive["member"])
    pk = _start(client, archive["page"], scope)
    assert _answered(_ask(client, pk)).evidence[0]["text"] == QUOTED

    _remove(archive["member"], archive["document"])
    asked_before = Message.objects.count()
    response = _ask(client, pk)

    assert response.status_code in (403, 404)
    assert QUOTED not in response.content.decode()
    assert Message.objects.count() == asked_before


def test_a_removed_member_no_longer_reads_the_conversations_quotes(archive):
    client = _logged_in(archive["member"])
    pk = _start(client, archive["page"], "document")
    _answered(_ask(client, pk))

    _remove(archive["member"], archive["document"])

    for url in (
        f"/api/assistant/conversations/{pk}/",
        f"/api/assistant/conversations/{pk}/export/json/",
        f"/assistant/c/{pk}/",
        f"/assistant/c/{pk}/export/md/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert QUOTED not in response.content.decode(), url


@pytest.mark.parametrize("scope", ["page", "document"])
def test_a_stranger_can_no_longer_ask_once_the_owner_unpublishes(archive, scope):
    Document.objects.filter(pk=archive["document"].pk).update(is_public=True)
    stranger = Client()
    pk = _start(stranger, archive["page"], scope)
    assert _answered(_ask(stranger, pk)).evidence[0]["text"] == QUOTED

    Document.objects.filter(pk=archive["document"].pk).update(is_public=False)
    response = _ask(stranger, pk)

    assert response.status_code in (403, 404)
    assert QUOTED not in response.content.decode()


@pytest.mark.parametrize("scope", ["page", "document"])
def test_an_answer_queued_before_the_removal_quotes_nothing(archive, scope):
    client = _logged_in(archive["member"])
    pk = _start(client, archive["page"], scope)
    response = _ask(client, pk)
    assert response.status_code == 202

    _remove(archive["member"], archive["document"])
    answer = _answered(response)  # the worker takes it after the removal

    assert answer.evidence == []
    assert "Paris" not in answer.text
    assert answer.status == Message.Status.FAILED


def test_the_evidence_image_is_refused_after_the_removal(archive):
    client = _logged_in(archive["member"])
    pk = _start(client, archive["page"])
    url = _answered(_ask(client, pk)).evidence[0]["image"]["url"]
    assert client.get(url).status_code == 200

    _remove(archive["member"], archive["document"])

    assert client.get(url).status_code == 404


def test_a_removed_members_conversation_socket_stops_receiving_answers(archive):
    member = archive["member"]
    client = _logged_in(member)
    pk = _start(client, archive["page"])
    conversation = Conversation.objects.get(pk=pk)

    async def scenario():
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/assistant/conversations/{pk}/")
        communicator.scope["user"] = member
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        await _sync(send_event)(conversation.group, {"type": "message", "text": "1"})
        before = await communicator.receive_json_from(timeout=10)
        await _sync(_remove)(member, archive["document"])
        await _sync(send_event)(conversation.group, {"type": "message", "text": QUOTED})
        after = await communicator.receive_output(timeout=10)
        await communicator.disconnect()
        return before, after

    before, after = async_to_sync(scenario)()

    assert before["text"] == "1"
    assert after == {"type": "websocket.close", "code": 4403}


def _sync(function):
    from asgiref.sync import sync_to_async

    return sync_to_async(function)
