"""Answering a stored question: the archive reader's quotes, the vision-language model's streamed text, or an
honest "nothing to read"; every finished answer is pushed to the conversation's channel group."""

from __future__ import annotations

import io
import time

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image

from assistant import passages as scope
from assistant.backends import quotes
from assistant.backends.facts import answer_from_facts
from assistant.models import Conversation, Message
from assistant.selectors import conversation_readable_by
from assistant.services import AssistantError, embedder_get, vlm_configured
from portal.archive.models import Page
from portal.jobs.models import Job
from portal.jobs.progress import send_event

TOKEN_PUSH_SECONDS = 0.1  # streamed tokens are pushed in small batches, not one websocket frame per token


def _question_of(answer: Message) -> Message:
    return (
        Message.objects.filter(
            conversation=answer.conversation,
            role=Message.Role.USER,
            created__lte=answer.created,
        )
        .exclude(pk__gt=answer.pk)
        .order_by("-created", "-pk")
        .first()
    )


def _push(message: Message) -> None:
    send_event(message.conversation.group, message.as_event())


def _still_readable(message: Message) -> bool:
    """Access is checked again when the answer is made: the asker may have lost it since the question was queued.
    Where they have, the answer fails saying so, quoting and looking at nothing."""
    conversation = message.conversation
    if conversation_readable_by(conversation, conversation.owner):
        return True
    message.status = Message.Status.FAILED
    message.known = False
    message.evidence = []
    message.text = message.error = _("You may no longer read this page or document.")
    message.save()
    _push(message)
    return False


def nothing_to_read(conversation: Conversation, language: str) -> str:
    """The honest reply when there are no lines to quote, saying why, in the question's language."""
    with translation.override(language):
        job = conversation.read_job
        if job is not None and job.status == Job.Status.FAILED:
            return _("I could not read this image: %(error)s") % {"error": job.error[:200]}
        if conversation.page_id and not conversation.image:
            return _("This archive page has no transcription yet, so there is nothing to quote.")
        if vlm_configured():
            return _(
                "I found no lines of text in this image. To have it described, start a conversation with the "
                "vision-language model backend."
            )
        return _(
            "I found no lines of text in this image, and no vision-language model is configured on this server, "
            "so I cannot say what it shows."
        )


def message_answer_archive(*, message: Message) -> None:
    """Quote the best lines (or say "I don't know"), or say honestly that there is nothing to read."""
    if not _still_readable(message):
        return
    conversation = message.conversation
    question = _question_of(message).text
    passages = scope.conversation_passages(conversation)
    language = quotes.question_language(question)
    if not passages:
        message.backend = "none"
        message.known = False
        message.text = nothing_to_read(conversation, language)
        message.status = Message.Status.DONE
        message.save()
        _push(message)
        return
    # Who / when / where / what kind of document: from the people, places and dates, quoting their lines.
    embedder = embedder_get()
    vectors = scope.passage_vectors(passages, embedder) if embedder is not None else None
    reply = answer_from_facts(
        question,
        passages,
        scope.conversation_facts(passages),
        language,
        embedder=embedder,
        vectors=vectors,
    )
    if reply is None:
        reply = quotes.answer(question, passages, embedder=embedder, vectors=vectors)
    pages = {
        p.pk: p
        for p in Page.objects.filter(
            pk__in={int(h.passage.page_key.split(":")[1]) for h in reply.hits if h.passage.page_key.startswith("page:")}
        )
    }
    message.text = reply.text
    message.known = reply.known
    message.backend = "archive"
    message.evidence = [
        {
            "key": h.passage.key,
            "text": h.passage.text,
            "number": h.passage.number,
            "page": h.passage.page,
            "document": h.passage.document,
            "polygon": h.passage.polygon,
            "score": round(h.score, 3),
            "date": h.date,
            "image": scope.image_info(
                conversation,
                pages.get(int(h.passage.page_key.split(":")[1])) if h.passage.page_key.startswith("page:") else None,
            ),
        }
        for h in reply.hits
    ]
    message.status = Message.Status.DONE
    message.save()
    _push(message)


def message_answer_vlm(*, message: Message) -> None:
    """Stream the model's answer to the chat as it is written; the Message row gets the whole text at the end."""
    from assistant.backends.vlm import load_vlm, vlm_answer

    if not _still_readable(message):
        return
    conversation = message.conversation
    question = _question_of(message).text
    if not vlm_configured():
        raise AssistantError(_("No vision-language model is configured on this server (ASSISTANT_VLM_DIR)."))
    vlm = load_vlm(settings.ASSISTANT_VLM_DIR, settings.ASSISTANT_VLM_DEVICE)
    image = _conversation_image(conversation)
    message.status = Message.Status.STREAMING
    message.backend = "vlm"
    message.save(update_fields=["status", "backend"])
    _push(message)
    pending: list[str] = []
    last = [time.monotonic()]

    def on_text(piece: str) -> None:
        pending.append(piece)
        if time.monotonic() - last[0] >= TOKEN_PUSH_SECONDS:
            send_event(
                conversation.group,
                {"type": "token", "message": message.pk, "text": "".join(pending)},
            )
            pending.clear()
            last[0] = time.monotonic()

    text = vlm_answer(
        vlm,
        image,
        question,
        max_new_tokens=settings.ASSISTANT_VLM_MAX_NEW_TOKENS,
        on_text=on_text,
    )
    if pending:
        send_event(
            conversation.group,
            {"type": "token", "message": message.pk, "text": "".join(pending)},
        )
    message.text = text or _("(the model gave an empty answer)")
    message.known = None
    message.status = Message.Status.DONE
    message.save()
    _push(message)


def _conversation_image(conversation: Conversation) -> Image.Image:
    if conversation.image:
        with conversation.image.open("rb") as f:
            return Image.open(io.BytesIO(f.read())).convert("RGB")
    if conversation.page_id and conversation.page.image:
        with conversation.page.image.open("rb") as f:
            return Image.open(io.BytesIO(f.read())).convert("RGB")
    raise AssistantError(_("This conversation has no image to look at."))


def message_fail(*, message_id: int, error: str) -> None:
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None:
        return
    message.status = Message.Status.FAILED
    message.error = error[:5000]
    message.text = message.text or _("Sorry, the answer failed: %(error)s") % {"error": error[:300]}
    message.save()
    _push(message)
