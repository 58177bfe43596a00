"""Websocket routes of every app (each consumer checks the user may see the object before joining its group)."""

from django.urls import path

from portal.archive.consumers import DocumentConsumer
from portal.jobs.consumers import JobConsumer

websocket_urlpatterns = [
    path("ws/jobs/<int:job_id>/", JobConsumer.as_asgi()),
    path("ws/documents/<int:document_id>/", DocumentConsumer.as_asgi()),
]
