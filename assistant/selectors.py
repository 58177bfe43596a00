"""Fetching things for the assistant: a visitor's conversation, the archive pages they may pick."""

from __future__ import annotations

from assistant.models import Conversation
from portal.archive.models import Page
from portal.archive.permissions import can_read_document
from portal.archive.selectors import documents_readable_by

PAGE_CHOICES_MAX = 300


def conversation_for(*, pk: int, user, session_key: str | None) -> Conversation | None:
    """The conversation if it is this visitor's and they may still read what it is about (404 for anyone else,
    so ids reveal nothing)."""
    conversation = (
        Conversation.objects.select_related("page__document__project", "document__project", "read_job")
        .filter(pk=pk)
        .first()
    )
    if conversation is None or not conversation.belongs_to(user, session_key):
        return None
    if not conversation_readable_by(conversation, user):
        return None
    return conversation


def conversation_readable_by(conversation: Conversation, user) -> bool:
    """Whether `user` (None or anonymous: a visitor) may read the archive page, document or collection the
    conversation is about now: a member can be removed and a document un-published after it started."""
    if conversation.project_id:
        readable = documents_readable_by(user).filter(project=conversation.project_id)
        return readable.exists()
    if conversation.document_id:
        return can_read_document(conversation.document, user)
    if conversation.page_id:
        return can_read_document(conversation.page.document, user)
    return True  # an uploaded image: its owner's alone (belongs_to)


def pages_to_pick(user) -> list[Page]:
    """Archive pages the visitor may ask about, document by document."""
    documents = documents_readable_by(user)
    return list(
        Page.objects.filter(document__in=documents)
        .select_related("document")
        .order_by("document__title", "document_id", "number")[:PAGE_CHOICES_MAX]
    )


def conversation_out(conversation: Conversation) -> dict:
    """What the API and the chat page say about a conversation (the page's lines included for the viewer)."""
    from assistant.passages import image_info

    job = conversation.read_job
    return {
        "id": conversation.pk,
        "title": conversation.title,
        "backend": conversation.backend,
        "page": conversation.page_id,
        "document": conversation.document_id,
        "project": conversation.project_id,
        "scope": conversation.scope,
        "image": image_info(conversation, conversation.page if conversation.page_id else None),
        "reading": job.as_event() if job else None,
        "lines": len(conversation.lines) if not conversation.page_id else None,
        "created": conversation.created.isoformat(),
        "updated": conversation.updated.isoformat(),
        "messages": [m.as_event() for m in conversation.messages.order_by("created", "pk")],
    }
