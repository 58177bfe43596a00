"""The shapes of the generation API's bodies, for the OpenAPI schema (drf-spectacular).

The views answer with `generation.views.job_json` / `generation.registry.models_summary` and validate uploads through
`generation.forms`; these serializers describe those same bodies, field by field, and validate nothing themselves.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from generation.forms import ASPECT_CHOICES, FORMS, MOTIONS
from portal.jobs.serializers import JobEventSerializer


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.ImageField):
    """An uploaded picture (multipart), shown as binary in the schema."""


class GenerationFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="File name, e.g. text2image-12-1.png.")
    type = serializers.ChoiceField(choices=["image", "video", "poster"])
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    frames = serializers.IntegerField(required=False, help_text="Videos only.")
    fps = serializers.IntegerField(required=False, help_text="Videos only.")
    seconds = serializers.FloatField(required=False, help_text="Videos only.")
    url = serializers.CharField(help_text="Where the file is shown.")
    download = serializers.CharField(help_text="The same file as an attachment.")


class GenerationJobSerializer(JobEventSerializer):
    """A generation job: the job event (also sent over `ws`) plus the URLs a page needs."""

    kind = serializers.CharField(help_text="generation.<feature>, e.g. generation.text2image.")
    result = serializers.JSONField(
        help_text="Once done: files, blocked (safety-filtered image numbers), load_seconds, seed and the feature's "
        "extras; empty before."
    )
    files = GenerationFileSerializer(many=True)
    files_base = serializers.CharField(help_text="URL prefix of the job's files.")
    params = serializers.JSONField(help_text="The validated form fields the job runs with.")
    url = serializers.CharField(help_text="The job's HTML page.")
    cancel_url = serializers.CharField()
    ws = serializers.CharField(help_text="WebSocket path that streams the job's events.")


class GenerationErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="What is wrong, in words a person can act on.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()),
        required=False,
        help_text="Form errors by field name (Django's `errors.get_json_data()`): [{message, code}].",
    )


class GenerationModelKindSerializer(serializers.Serializer):
    description = serializers.CharField()
    path = serializers.CharField(allow_null=True)
    state = serializers.CharField(help_text='"configured", "not configured" or why the folder is unusable.')


class GenerationModelsSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    example_prompts = serializers.ListField(child=serializers.CharField())
    native_size = serializers.IntegerField(allow_null=True)
    kinds = serializers.DictField(child=GenerationModelKindSerializer(), help_text="By pipeline kind.")
    can_draw = serializers.JSONField(
        help_text='What a small model draws, from its card: {"size", "shapes", "colours"}; "" when the card does not say.'
    )
    can_mix = serializers.BooleanField(
        help_text="False when the model's mixes are not worth offering (no mix feature)."
    )
    inpaint_model = serializers.CharField()
    kandinsky3 = serializers.BooleanField()
    text_to_image_models = serializers.ListField(
        child=serializers.CharField(), help_text="The text-to-image models installed (the choices of `model`)."
    )
    device = serializers.CharField(help_text="GENERATION_DEVICE, or auto: the worker picks it.")


def _kinds_with(field: str) -> str:
    return ", ".join(kind for kind, form in FORMS.items() if field in form.base_fields)


class GenerationSubmitSerializer(serializers.Serializer):
    """The multipart form of POST /api/generation/jobs/: `kind` and that feature's fields (see generation.forms)."""

    kind = serializers.ChoiceField(choices=list(FORMS))
    prompt = serializers.CharField(required=False, help_text=f"Required by {_kinds_with('prompt')}.")
    negative_prompt = serializers.CharField(required=False)
    end_prompt = serializers.CharField(required=False, help_text="video")
    model = serializers.ChoiceField(choices=["kandinsky22", "kandinsky3"], required=False, help_text="text2image")
    image = UploadField(required=False, help_text=f"Required by {_kinds_with('image')}; optional for video.")
    mask = UploadField(required=False, help_text="inpaint: white = repaint, black = keep.")
    aspect = serializers.ChoiceField(choices=[a for a, _ in ASPECT_CHOICES], required=False)
    side = serializers.IntegerField(required=False, min_value=16, help_text="Long side in px; empty: native size.")
    steps = serializers.IntegerField(required=False, min_value=2)
    guidance = serializers.FloatField(required=False, min_value=0.0, max_value=30.0)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**32 - 1)
    batch = serializers.IntegerField(required=False, min_value=1, help_text="Images; not for video.")
    left = serializers.IntegerField(required=False, min_value=0, help_text="outpaint")
    right = serializers.IntegerField(required=False, min_value=0, help_text="outpaint")
    top = serializers.IntegerField(required=False, min_value=0, help_text="outpaint")
    bottom = serializers.IntegerField(required=False, min_value=0, help_text="outpaint")
    seconds = serializers.FloatField(required=False, min_value=0.5, max_value=20.0, help_text="video")
    fps = serializers.IntegerField(required=False, min_value=4, max_value=30, help_text="video")
    keyframes_per_second = serializers.FloatField(required=False, min_value=0.5, max_value=8.0, help_text="video")
    motion = serializers.ChoiceField(choices=[m for m, _ in MOTIONS], required=False, help_text="video")
    strength = serializers.FloatField(required=False, min_value=0.1, max_value=0.9, help_text="video")

    def get_fields(self):
        fields = super().get_fields()
        for i in range(1, FORMS["mix"].SLOTS + 1):  # mix: at least two of text_i / image_i, each with a weight
            fields[f"text_{i}"] = serializers.CharField(required=False, help_text="mix")
            fields[f"image_{i}"] = UploadField(required=False, help_text="mix")
            fields[f"weight_{i}"] = serializers.FloatField(
                required=False, min_value=0.0, max_value=10.0, help_text="mix"
            )
        return fields
