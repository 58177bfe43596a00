"""Fetching things for the assistant: a visitor's conversation, the archive pages they may pick."""

from __future__ import annotations

from assistant.models import Conversation
from portal.archive.models import Page
from portal.archive.selectors import documents_readable_by

PAGE_CHOICES_MAX = 300


def conversation_for(*, pk: int, user, session_key: str | None) -> Conversation | None:
    """The conversation if it is this visitor's (404 for anyone else, so ids reveal nothing)."""
    conversation = (
        Conversation.objects.select_related("page__document", "document", "read_job")
        .filter(pk=pk)
        .first()
    )
    if conversation is None or not conversation.belongs_to(user, session_key):
        return None
    return conversation


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
        "image": image_info(
            conversation, conversation.page if conversation.page_id else None
        ),
        "reading": job.as_event() if job else None,
        "lines": len(conversation.lines) if not conversation.page_id else None,
        "created": conversation.created.isoformat(),
        "updated": conversation.updated.isoformat(),
        "messages": [
            m.as_event() for m in conversation.messages.order_by("created", "pk")
        ],
    }
