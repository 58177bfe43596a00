"""The chat page: pick an archive page or upload one, ask, see the answer's lines highlighted on the scan."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from assistant import exports, selectors, services
from assistant.models import Conversation
from portal.archive.models import Page
from portal.archive.permissions import can_read_document


def _conversation(request, pk: int) -> Conversation:
    conversation = selectors.conversation_for(pk=pk, user=request.user, session_key=request.session.session_key)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def _page_from(request) -> Page | None:
    raw = request.POST.get("page") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise services.AssistantError("Choose a page from the list.")
    page = Page.objects.select_related("document__project").filter(pk=int(raw)).first()
    if page is None or not can_read_document(page.document, request.user):
        raise services.AssistantError("Choose a page from the list.")
    return page


@require_GET
def chat(request):
    visitor = services.visitor_of(request)
    return render(
        request,
        "assistant/chat.html",
        {
            "conversations": services.conversations_of(visitor)[:50],
            "pages": selectors.pages_to_pick(request.user),
            "backends": Conversation.Backend.choices,
            "backend_description": services.backend_description(),
            "vlm_configured": services.vlm_configured(),
        },
    )


@require_POST
def conversation_new(request):
    visitor = services.visitor_of(request)
    upload = request.FILES.get("image")
    try:
        conversation = services.conversation_start(
            visitor=visitor,
            page=_page_from(request),
            scope_name=request.POST.get("scope") or "page",
            image=(upload.name, upload.read()) if upload else None,
            backend=request.POST.get("backend") or Conversation.Backend.AUTO,
        )
    except services.AssistantError as exc:
        messages.error(request, str(exc))
        return redirect("assistant:chat")
    return redirect("assistant:conversation", conversation.pk)


@require_GET
def conversation_detail(request, pk: int):
    conversation = _conversation(request, pk)
    return render(
        request,
        "assistant/conversation.html",
        {
            "conversation": conversation,
            "state": selectors.conversation_out(conversation),
            "backend_description": services.backend_description(),
            "max_question_chars": settings.ASSISTANT_MAX_QUESTION_CHARS,
        },
    )


@require_POST
def conversation_ask(request, pk: int):
    """The no-JavaScript way to ask; the page's script uses the API instead and streams the answer."""
    conversation = _conversation(request, pk)
    try:
        services.question_ask(
            conversation=conversation,
            visitor=services.visitor_of(request),
            text=request.POST.get("question", ""),
        )
    except services.AssistantError as exc:
        messages.error(request, str(exc))
    return redirect("assistant:conversation", conversation.pk)


@require_GET
def conversation_image(request, pk: int):
    conversation = _conversation(request, pk)
    if not conversation.image:
        raise Http404("This conversation has no uploaded image.")
    return FileResponse(conversation.image.open("rb"))


@require_GET
def conversation_page_image(request, pk: int, page_id: int):
    """An archive page's scan, for a conversation about it (the reader must still be allowed to read it)."""
    conversation = _conversation(request, pk)
    page = get_object_or_404(Page.objects.select_related("document__project"), pk=page_id)
    in_scope = page.pk == conversation.page_id or (
        (conversation.document_id and page.document_id == conversation.document_id)
        or (conversation.project_id and page.document.project_id == conversation.project_id)
    )
    if not in_scope or not can_read_document(page.document, request.user) or not page.image:
        raise Http404("No such page in this conversation.")
    return FileResponse(page.image.open("rb"))


@require_GET
def conversation_export(request, pk: int, fmt: str):
    conversation = _conversation(request, pk)
    try:
        name, data, content_type = exports.conversation_export(conversation=conversation, fmt=fmt)
    except services.AssistantError as exc:
        raise Http404(str(exc)) from exc
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
