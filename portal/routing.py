"""Websocket routes of every app (each consumer checks the user may see the object before joining its group)."""

from django.urls import path

from assistant.consumers import ConversationConsumer
from portal.archive.consumers import DocumentConsumer
from portal.jobs.consumers import JobConsumer

websocket_urlpatterns = [
    path("ws/jobs/<int:job_id>/", JobConsumer.as_asgi()),
    path("ws/documents/<int:document_id>/", DocumentConsumer.as_asgi()),
    path("ws/assistant/conversations/<int:conversation_id>/", ConversationConsumer.as_asgi()),
]
