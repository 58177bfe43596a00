"""The assistant's API: the same services as the chat page, for scripts (token) and the page's own script."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from assistant import exports, selectors, services
from assistant.models import Conversation
from assistant.serializers import (
    AssistantJobSerializer,
    ConversationExportSerializer,
    ConversationListSerializer,
    ConversationSerializer,
    ConversationStartSerializer,
    QuestionAnswerSerializer,
    QuestionSerializer,
)
from portal.archive.models import Page
from portal.archive.permissions import can_read_document
from portal.archive.serializers import ErrorSerializer


def _error(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"error": message}, status=code)


def _refused(exc: services.AssistantError) -> Response:
    """429 for the rate limit, 503 for a full visitors' queue, 400 for every other refusal; the message is the
    service's own."""
    if isinstance(exc, services.RateLimited):
        return _error(str(exc), status.HTTP_429_TOO_MANY_REQUESTS)
    if isinstance(exc, services.Busy):
        return _error(str(exc), status.HTTP_503_SERVICE_UNAVAILABLE)
    return _error(str(exc))


def _conversation(request, pk: int) -> Conversation:
    visitor = services.visitor_of(request)
    conversation = selectors.conversation_for(pk=pk, user=visitor.user, session_key=visitor.session_key)
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


class ConversationListView(APIView):
    """GET: your conversations. POST (multipart): `image` (a file) or `page` (an archive page id), optional
    `scope` (page, document: the page's whole document, collection: every document of its project you may
    read), `backend` (auto, archive, vlm)."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        responses=ConversationListSerializer,
        operation_id="assistant_conversations_list",
    )
    def get(self, request):
        visitor = services.visitor_of(request)
        items = services.conversations_of(visitor)[:100]
        return Response(
            {
                "backends": services.backend_description(),
                "results": [{"id": c.pk, "title": c.title, "updated": c.updated.isoformat()} for c in items],
            }
        )

    @extend_schema(
        request={
            "multipart/form-data": ConversationStartSerializer,
            "application/x-www-form-urlencoded": ConversationStartSerializer,
            "application/json": ConversationStartSerializer,
        },
        responses={
            201: ConversationSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
            503: ErrorSerializer,
        },
        operation_id="assistant_conversations_create",
    )
    def post(self, request):
        visitor = services.visitor_of(request)
        upload = request.FILES.get("image")
        page = None
        raw_page = request.data.get("page")
        if raw_page not in (None, ""):
            page = (
                Page.objects.select_related("document__project")
                .filter(pk=int(raw_page) if str(raw_page).isdigit() else 0)
                .first()
            )
            if page is None or not can_read_document(page.document, visitor.user):  # the same for both: not told
                return _error("No such page.", status.HTTP_404_NOT_FOUND)
        try:
            conversation = services.conversation_start(
                visitor=visitor,
                page=page,
                scope_name=str(request.data.get("scope") or "page"),
                image=(upload.name, upload.read()) if upload else None,
                backend=request.data.get("backend") or Conversation.Backend.AUTO,
            )
        except services.AssistantError as exc:
            return _refused(exc)
        return Response(selectors.conversation_out(conversation), status=status.HTTP_201_CREATED)


class ConversationDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: ConversationSerializer, 404: None},
        operation_id="assistant_conversation_retrieve",
    )
    def get(self, request, pk: int):
        return Response(selectors.conversation_out(_conversation(request, pk)))


class MessageCreateView(APIView):
    """POST {"question": "..."}: 202 with the stored question and the (pending) answer; the answer arrives over
    ws/assistant/conversations/<id>/ and is readable here once done."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=QuestionSerializer,
        responses={
            202: QuestionAnswerSerializer,
            400: ErrorSerializer,
            404: None,
            429: ErrorSerializer,
            503: ErrorSerializer,
        },
        operation_id="assistant_conversation_ask",
    )
    def post(self, request, pk: int):
        conversation = _conversation(request, pk)
        try:
            question, answer = services.question_ask(
                conversation=conversation,
                visitor=services.visitor_of(request),
                text=str(request.data.get("question", "")),
            )
        except services.AssistantError as exc:
            return _refused(exc)
        return Response(
            {"question": question.as_event(), "answer": answer.as_event()},
            status=status.HTTP_202_ACCEPTED,
        )


class ScopeIndexView(APIView):
    """POST: embed every line of the conversation's document now (a Job; progress over the conversation's socket)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={
            202: AssistantJobSerializer,
            400: ErrorSerializer,
            404: None,
            429: ErrorSerializer,
            503: ErrorSerializer,
        },
        operation_id="assistant_conversation_index",
    )
    def post(self, request, pk: int):
        conversation = _conversation(request, pk)
        try:
            job = services.scope_index_start(conversation=conversation, visitor=services.visitor_of(request))
        except services.AssistantError as exc:
            return _refused(exc)
        return Response(job.as_event(), status=status.HTTP_202_ACCEPTED)


class ConversationExportView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            (200, "application/json"): ConversationExportSerializer,
            (200, "text/markdown"): str,
            (400, "application/json"): ErrorSerializer,
            (404, "application/json"): None,
        },
        operation_id="assistant_conversation_export",
        description="The conversation as a file: `fmt` is json, or md / markdown; other formats answer 400.",
    )
    def get(self, request, pk: int, fmt: str):
        conversation = _conversation(request, pk)
        try:
            name, data, content_type = exports.conversation_export(conversation=conversation, fmt=fmt)
        except services.AssistantError as exc:
            return _refused(exc)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
