"""Conversations with the assistant: who asked what about which page, what it answered and from which lines."""

from __future__ import annotations

import hashlib

import numpy as np
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def conversation_image_path(conversation: Conversation, filename: str) -> str:
    """By conversation id (saved before its image): a session key never ends up in a file name."""
    return f"assistant/conversations/{conversation.pk}/{filename}"


class Conversation(models.Model):
    """A chat about one page: an archive page, a whole archive document, or an image uploaded into the chat."""

    class Backend(models.TextChoices):
        AUTO = "auto", _("Automatic")
        ARCHIVE = "archive", _("Archive reader")
        VLM = "vlm", _("Vision-language model")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    session_key = models.CharField(max_length=64, blank=True, db_index=True)  # anonymous users
    title = models.CharField(max_length=200, blank=True)
    backend = models.CharField(max_length=10, choices=Backend.choices, default=Backend.AUTO)
    page = models.ForeignKey(
        "archive.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project = models.ForeignKey(
        "archive.Project",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the questions are about the project's whole collection."),
    )
    document = models.ForeignKey(
        "archive.Document",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the questions are about the whole document, not one page."),
    )
    image = models.FileField(upload_to=conversation_image_path, max_length=300, blank=True)
    image_width = models.PositiveIntegerField(default=0)
    image_height = models.PositiveIntegerField(default=0)
    # The uploaded image's lines as the engine read them: [{"id", "polygon", "baseline", "text"}].
    lines = models.JSONField(default=list, blank=True)
    read_job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return self.title or f"conversation {self.pk}"

    @property
    def group(self) -> str:
        return f"assistant-conversation-{self.pk}"

    @property
    def scope(self) -> str:
        if self.project_id:
            return "collection"
        return "document" if self.document_id else "page"

    def belongs_to(self, user, session_key: str | None) -> bool:
        if user is not None and user.is_authenticated:
            return self.owner_id == user.pk or user.is_superuser
        return bool(self.owner_id is None and session_key and self.session_key == session_key)


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("Question")
        ASSISTANT = "assistant", _("Answer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        STREAMING = "streaming", _("Answering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DONE)
    backend = models.CharField(max_length=10, blank=True)  # which backend answered: "archive", "vlm", "none"
    known = models.BooleanField(null=True)  # False: the assistant said it does not know
    # The quoted lines: [{"key", "text", "number", "page", "polygon", "score", "image": {"url", "width", "height"}}].
    evidence = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "created", "pk"]

    def as_event(self) -> dict:
        return {
            "type": "message",
            "id": self.pk,
            "role": self.role,
            "text": self.text,
            "status": self.status,
            "backend": self.backend,
            "known": self.known,
            "evidence": self.evidence,
            "error": self.error,
            "created": self.created.isoformat() if self.created else None,
        }


class LineVector(models.Model):
    """A line text's sentence embedding, keyed by the text itself: an edited line simply misses and is redone."""

    embedder = models.CharField(max_length=20)
    digest = models.CharField(max_length=40)
    vector = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["embedder", "digest"], name="one_vector_per_text")]

    @staticmethod
    def digest_of(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def as_array(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype=np.float32)
