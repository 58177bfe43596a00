"""The shapes of the assistant API's bodies, for the OpenAPI schema (drf-spectacular).

The views answer with `selectors.conversation_out`, `Message.as_event`, `Job.as_event` and
`exports.conversation_export`; these serializers describe those same bodies and validate nothing themselves. `type`, `role` and a message's `status`
are plain strings here (their values in the help text): as enums their names collide with the archive API's.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assistant.models import Conversation
from assistant.services import SCOPES
from portal.jobs.serializers import JobEventSerializer


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.ImageField):
    """An uploaded picture (multipart), shown as binary in the schema."""


class ImageInfoSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The picture (page image or uploaded image) the lines are drawn on.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class EvidenceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"line:<id>" for archive lines.')
    text = serializers.CharField()
    number = serializers.IntegerField(allow_null=True, help_text="Line number on its page.")
    page = serializers.IntegerField(allow_null=True, help_text="Page number in its document.")
    document = serializers.CharField(allow_blank=True, required=False)
    polygon = serializers.JSONField(help_text="[[x, y], ...] in page pixels, or null.")
    score = serializers.FloatField()
    date = serializers.CharField(allow_null=True, required=False)
    image = ImageInfoSerializer(allow_null=True)


class MessageEventSerializer(serializers.Serializer):
    """A question or an answer (also the event sent over ws/assistant/conversations/<id>/)."""

    type = serializers.CharField(help_text='Always "message".')
    id = serializers.IntegerField()
    role = serializers.CharField(help_text='"user" (a question) or "assistant" (an answer).')
    text = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="pending, streaming, done or failed.")
    backend = serializers.CharField(allow_blank=True, help_text='Which backend answered: "archive", "vlm", "none".')
    known = serializers.BooleanField(allow_null=True, help_text="False: the assistant said it does not know.")
    evidence = EvidenceSerializer(many=True, help_text="The quoted lines.")
    error = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField(allow_null=True)


class AssistantJobSerializer(JobEventSerializer):
    """A job event (page reading, scope indexing); progress also arrives over the conversation's socket."""


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    backend = serializers.ChoiceField(choices=Conversation.Backend.choices)
    page = serializers.IntegerField(allow_null=True)
    document = serializers.IntegerField(allow_null=True)
    project = serializers.IntegerField(allow_null=True)
    scope = serializers.ChoiceField(choices=list(SCOPES), help_text="What the questions are about.")
    image = ImageInfoSerializer()
    reading = AssistantJobSerializer(allow_null=True, help_text="The job reading an uploaded image, if any.")
    lines = serializers.IntegerField(allow_null=True, help_text="Lines read from an uploaded image; null for pages.")
    created = serializers.DateTimeField()
    updated = serializers.DateTimeField()
    messages = MessageEventSerializer(many=True)


class ConversationItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    updated = serializers.DateTimeField()


class ConversationListSerializer(serializers.Serializer):
    backends = serializers.CharField(help_text="Which backends this server answers with, in words.")
    results = ConversationItemSerializer(many=True, help_text="Your latest 100 conversations.")


class ConversationStartSerializer(serializers.Serializer):
    """Give `image` or `page`."""

    image = UploadField(required=False, help_text="A picture to ask about (it is read first).")
    page = serializers.IntegerField(required=False, help_text="An archive page id you may read.")
    scope = serializers.ChoiceField(choices=list(SCOPES), required=False, default="page")
    backend = serializers.ChoiceField(
        choices=Conversation.Backend.choices, required=False, default=Conversation.Backend.AUTO
    )


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField()


class QuestionAnswerSerializer(serializers.Serializer):
    question = MessageEventSerializer(help_text="The stored question.")
    answer = MessageEventSerializer(help_text="The answer, pending until it arrives over the socket.")


class ExportMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField(help_text='"user" (a question) or "assistant" (an answer).')
    text = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="pending, streaming, done or failed.")
    backend = serializers.CharField(allow_blank=True)
    known = serializers.BooleanField(allow_null=True)
    evidence = EvidenceSerializer(many=True)
    error = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField(allow_null=True)


class ExportAboutSerializer(serializers.Serializer):
    page = serializers.IntegerField(allow_null=True)
    document = serializers.IntegerField(allow_null=True)
    project = serializers.IntegerField(allow_null=True)
    upload = serializers.CharField(allow_null=True, help_text="The uploaded image's file name.")


class ConversationExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField()
    about = ExportAboutSerializer()
    messages = ExportMessageSerializer(many=True)
