"""The conversation's websocket: its owner joins the stream, anyone else is refused before joining."""

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assistant.models import Conversation
from portal.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


class _Session:
    def __init__(self, key: str):
        self.session_key = key


async def _connect(pk: int, session_key: str):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/assistant/conversations/{pk}/")
    communicator.scope["user"] = AnonymousUser()
    communicator.scope["session"] = _Session(session_key)
    connected, code = await communicator.connect()
    await communicator.disconnect()
    return connected, code


def test_it_lets_only_the_conversations_own_session_listen():
    conversation = Conversation.objects.create(session_key="alice-session", title="letter")
    assert async_to_sync(_connect)(conversation.pk, "alice-session")[0] is True
    assert async_to_sync(_connect)(conversation.pk, "bob-session") == (False, 4403)
