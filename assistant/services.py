"""What the assistant does: start conversations, take questions, answer them with the right backend, export.

Views, the API and the Celery tasks only call these functions (HackSoft style: keyword-only, `<thing>_<action>`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from assistant import passages as scope
from assistant.backends import quotes
from assistant.backends.embeddings import Embedder, available_embedder
from assistant.models import Conversation, Message
from portal.accounts.users import signed_in
from portal.archive.models import Page
from portal.archive.permissions import can_read_document
from portal.jobs.models import Job
from portal.jobs.progress import (
    failures_recorded,
    job_finish,
    job_progress,
    job_start,
)
from portal.jobs.queue import job_enqueue

SCOPES = ("page", "document", "collection")
# Redis hands out a queue's priority-0 messages (all the archive's work) before its priority-9 ones: a worker takes
# archive reading queued after assistant work first.
ASSISTANT_PRIORITY = 9
# Queued visitor work older than this was lost with its worker: it no longer holds a place in the queue.
QUEUED_STALE_AFTER = timedelta(minutes=10)


class AssistantError(ValueError):
    """A request refused with a message meant for the person who made it."""


class RateLimited(AssistantError):
    """Too many questions or uploads in the last minute."""


class Busy(AssistantError):
    """Visitors' questions and uploads already fill the queue."""


# Who is asking -------------------------------------------------------------------------------------------------


@dataclass
class Visitor:
    user: object | None
    session_key: str
    ip: str = ""

    @property
    def rate_key(self) -> str:
        """A user, or a visitor's address: sessions are free, so a new one must not bring a new allowance."""
        if self.user is not None and self.user.is_authenticated:
            return f"user:{self.user.pk}"
        return f"ip:{self.ip or 'unknown'}"


def visitor_of(request) -> Visitor:
    """The user, or for an anonymous visitor a session (created here, so that their history has a key)."""
    if not request.session.session_key:
        request.session.save()
    user = signed_in(request.user)
    return Visitor(
        user=user,
        session_key=request.session.session_key,
        ip=request.META.get("REMOTE_ADDR", ""),
    )


def rate_limit_check(*, visitor: Visitor) -> None:
    """At most ASSISTANT_RATE_LIMIT_PER_MINUTE questions and uploads per user, or per address for visitors, in the
    minute from the first one (a count in the Django cache that expires then)."""
    limit = settings.ASSISTANT_RATE_LIMIT_PER_MINUTE
    if limit <= 0:
        return
    key = f"assistant-rate:{visitor.rate_key}"
    cache.add(key, 0, timeout=60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=60)
        count = 1
    if count > limit:
        raise RateLimited(
            _("Too many requests: at most %(limit)d questions a minute. Please wait a moment.") % {"limit": limit}
        )


def visitors_queue_check(*, visitor: Visitor) -> None:
    """Visitors' queued work (answers not yet made, uploads not yet read, documents not yet indexed) is capped at
    ASSISTANT_MAX_ANONYMOUS_QUEUE for all of them together, whatever their addresses; members are not counted."""
    limit = settings.ASSISTANT_MAX_ANONYMOUS_QUEUE
    if visitor.user is not None or limit <= 0:
        return
    since = timezone.now() - QUEUED_STALE_AFTER
    answers = Message.objects.filter(
        conversation__owner=None,
        status__in=(Message.Status.PENDING, Message.Status.STREAMING),
        created__gte=since,
    )
    jobs = Job.objects.filter(
        kind__startswith="assistant.",
        owner=None,
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        created__gte=since,
    )
    if answers.count() + jobs.count() >= limit:
        raise Busy(_("The assistant is busy with visitors' questions; please try again in a minute, or sign in."))


def conversations_of(visitor: Visitor):
    if visitor.user is not None:
        return Conversation.objects.filter(owner=visitor.user)
    return Conversation.objects.filter(owner=None, session_key=visitor.session_key)


# Backends -------------------------------------------------------------------------------------------------------


def vlm_configured() -> bool:
    return bool(settings.ASSISTANT_VLM_DIR)


def embedder_get() -> Embedder | None:
    return available_embedder(settings.ASSISTANT_EMBEDDER)


def backend_description() -> str:
    parts = [_("Archive reader (quotes the lines of the text)")]
    if vlm_configured():
        parts.append(
            _("vision-language model %(name)s") % {"name": settings.ASSISTANT_VLM_DIR.rstrip("/").split("/")[-1]}
        )
    else:
        parts.append(_("no vision-language model configured"))
    return "; ".join(parts)


# Starting a conversation ----------------------------------------------------------------------------------------


def _image_check(data: bytes, name: str) -> tuple[int, int]:
    if len(data) > settings.ASSISTANT_MAX_IMAGE_BYTES:
        raise AssistantError(
            _("%(name)s is %(mb).1f MB; the limit is %(limit).0f MB.")
            % {
                "name": name,
                "mb": len(data) / 2**20,
                "limit": settings.ASSISTANT_MAX_IMAGE_BYTES / 2**20,
            }
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > settings.ASSISTANT_MAX_IMAGE_PIXELS:
                raise AssistantError(
                    _("%(name)s is %(w)d×%(h)d pixels; the limit is %(limit)d megapixels.")
                    % {
                        "name": name,
                        "w": width,
                        "h": height,
                        "limit": settings.ASSISTANT_MAX_IMAGE_PIXELS // 10**6,
                    }
                )
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        SyntaxError,
    ) as exc:
        raise AssistantError(
            _("%(name)s is not an image we can read (JPEG, PNG, TIFF, WebP).") % {"name": name}
        ) from exc
    return width, height


def conversation_start(
    *,
    visitor: Visitor,
    page: Page | None = None,
    scope_name: str = "page",
    image: tuple[str, bytes] | None = None,
    backend: str = Conversation.Backend.AUTO,
) -> Conversation:
    """A conversation about an archive page the visitor may read (or its whole document, or its project's whole
    collection: `scope_name` "document" / "collection"), or about an uploaded image."""
    if scope_name not in SCOPES:
        raise AssistantError(_("Unknown scope %(name)r: use page, document or collection.") % {"name": scope_name})
    if backend not in Conversation.Backend.values:
        raise AssistantError(_("Unknown backend %(name)r.") % {"name": backend})
    if backend == Conversation.Backend.VLM and not vlm_configured():
        raise AssistantError(_("No vision-language model is configured on this server (ASSISTANT_VLM_DIR)."))
    if (page is None) == (image is None):
        raise AssistantError(_("Choose an archive page or upload an image (one of the two)."))
    rate_limit_check(visitor=visitor)
    conversation = Conversation(
        owner=visitor.user,
        session_key=visitor.session_key if visitor.user is None else "",
        backend=backend,
    )
    if page is not None:
        if not can_read_document(page.document, visitor.user):
            raise AssistantError(_("You may not read this page."))
        conversation.page = page
        conversation.document = page.document if scope_name == "document" else None
        conversation.project = page.document.project if scope_name == "collection" else None
        conversation.title = {
            "page": str(page),
            "document": str(page.document),
            "collection": str(page.document.project),
        }[scope_name]
        conversation.image_width, conversation.image_height = page.width, page.height
        conversation.save()
        return conversation
    visitors_queue_check(visitor=visitor)
    name, data = image
    conversation.image_width, conversation.image_height = _image_check(data, name)
    conversation.title = name[:200]
    with transaction.atomic():
        conversation.save()
        conversation.image.save(f"{conversation.pk}-{name[-80:]}", ContentFile(data), save=True)
        if backend == Conversation.Backend.VLM:
            return conversation  # the model looks at the image itself: no lines to find
        job = _conversation_job(conversation, visitor, "assistant.page_read", _("Waiting to read the page"))
        conversation.read_job = job
        conversation.save(update_fields=["read_job"])
        job_enqueue(_task("page_read", conversation.pk), job=job)
    return conversation


def _conversation_job(conversation: Conversation, visitor: Visitor, kind: str, message: str) -> Job:
    """A Job reporting to the conversation's own group, so the chat page shows its progress."""
    return Job.objects.create(
        kind=kind,
        owner=visitor.user,
        session_key=conversation.session_key,
        target=f"assistant.conversation:{conversation.pk}",
        group=conversation.group,
        message=message,
    )


def _task(name: str, *args):
    """The assistant task `name` with its arguments, behind the archive's work in its queue (ASSISTANT_PRIORITY)."""
    from assistant import tasks  # tasks.py imports this module

    return getattr(tasks, name).si(*args).set(priority=ASSISTANT_PRIORITY)


def _answer_refused(message_id: int, error: str) -> None:
    from assistant.answers import message_fail  # answers.py imports this module

    message_fail(message_id=message_id, error=error)


def conversation_read_image(*, conversation: Conversation, job: Job) -> None:
    """Read the uploaded image with the engine: find its lines, then read them (progress on the job)."""
    import htr

    job_start(job, total=2, message=_("Finding lines"))
    with failures_recorded(job, reraise=True):
        image = htr.load_image(conversation.image.path)
        page = htr.Segmenter.load(settings.HTR_SEGMENTATION_MODEL, device=settings.HTR_DEVICE).segment(image)
        job_progress(job, done=1, message=_("Reading %(n)d lines") % {"n": len(page.lines)})
        if page.lines:
            recognizer = htr.Recognizer.load(settings.HTR_RECOGNITION_MODEL, device=settings.HTR_DEVICE)
            page = recognizer.read_page(image, page)
        conversation.lines = [
            {
                "id": line.id,
                "polygon": [list(p) for p in line.polygon],
                "baseline": [list(p) for p in line.baseline],
                "text": line.text,
            }
            for line in page.lines
        ]
        conversation.save(update_fields=["lines", "updated"])
        job_finish(
            job,
            result={"lines": len(page.lines)},
            message=_("%(n)d lines read") % {"n": len(page.lines)},
        )


def scope_index(*, conversation: Conversation, job: Job) -> None:
    """Embed every line of a document or collection ahead of questions about it (progress on the job)."""
    embedder = embedder_get()
    passages = scope.conversation_passages(conversation)
    job_start(
        job,
        total=max(len(passages), 1),
        message=_("Indexing %(n)d lines") % {"n": len(passages)},
    )
    if embedder is None:
        job_finish(
            job,
            result={"lines": len(passages)},
            message=_("No embedder installed: matching by spelling only"),
        )
        return
    scope.passage_vectors(
        passages,
        embedder,
        on_progress=lambda done, total: job_progress(job, done=done, total=total),
    )
    job_finish(
        job,
        result={"lines": len(passages)},
        message=_("%(n)d lines indexed") % {"n": len(passages)},
    )


def scope_index_start(*, conversation: Conversation, visitor: Visitor) -> Job:
    if conversation.scope == "page":
        raise AssistantError(_("This conversation is about one page; there is no document to index."))
    rate_limit_check(visitor=visitor)
    visitors_queue_check(visitor=visitor)
    job = _conversation_job(conversation, visitor, "assistant.scope_index", _("Waiting to index the lines"))
    job_enqueue(_task("scope_index", job.pk), job=job)
    return job


# Questions and answers ----------------------------------------------------------------------------------------


def _choose_backend(conversation: Conversation) -> str:
    """ "archive" when there are lines to quote, else "vlm" when a model is configured, else "none"."""
    if conversation.backend == Conversation.Backend.VLM:
        return "vlm"
    if conversation.backend == Conversation.Backend.ARCHIVE:
        return "archive"
    has_text = bool(conversation.lines) if not conversation.page_id else bool(scope.conversation_passages(conversation))
    if has_text:
        return "archive"
    return "vlm" if vlm_configured() and conversation.scope == "page" else "none"


def question_ask(*, conversation: Conversation, visitor: Visitor, text: str) -> tuple[Message, Message]:
    """Store the question and an empty answer, and hand the answer to the right worker queue."""
    text = (text or "").strip()
    if not text:
        raise AssistantError(_("Ask a question first."))
    if len(text) > settings.ASSISTANT_MAX_QUESTION_CHARS:
        raise AssistantError(
            _("The question is %(n)d characters long; the limit is %(limit)d.")
            % {"n": len(text), "limit": settings.ASSISTANT_MAX_QUESTION_CHARS}
        )
    job = conversation.read_job
    if job is not None and job.is_active:
        raise AssistantError(_("The page is still being read; ask again when the lines are found."))
    rate_limit_check(visitor=visitor)
    backend = _choose_backend(conversation)
    if backend != "none":
        visitors_queue_check(visitor=visitor)
    with transaction.atomic():
        question = Message.objects.create(conversation=conversation, role=Message.Role.USER, text=text)
        Conversation.objects.filter(pk=conversation.pk).update(updated=timezone.now())
        if backend == "none":
            # Nothing to read and nothing to look with: say so at once, no worker needed.
            from assistant.answers import nothing_to_read

            answer = Message.objects.create(
                conversation=conversation,
                role=Message.Role.ASSISTANT,
                backend=backend,
                known=False,
                text=nothing_to_read(conversation, quotes.question_language(text)),
            )
            return question, answer
        answer = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            backend=backend,
            status=Message.Status.PENDING,
        )
        task = "vlm_answer" if backend == "vlm" else "archive_answer"
        job_enqueue(
            _task(task, answer.pk),
            on_refused=lambda error: _answer_refused(answer.pk, error),
        )
    return question, answer
