"""The JSON shapes of the archive API (input validation and output, so the OpenAPI schema is complete)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.archive import htr_models, selectors
from portal.archive.forms import keyboard_characters
from portal.archive.models import Document, HtrModel, Layer, Membership, Page, Project
from portal.jobs.models import Job

User = get_user_model()


@extend_schema_field(OpenApiTypes.STR)
class UserField(serializers.Field):
    """A user named by id or by username."""

    default_error_messages = {"unknown": "no user {value!r}"}

    def to_internal_value(self, data):
        user = None
        if isinstance(data, int) or (isinstance(data, str) and data.isdigit()):
            user = User.objects.filter(pk=int(data)).first()
        if user is None and isinstance(data, str):
            user = User.objects.filter(username=data).first()
        if user is None:
            self.fail("unknown", value=data)
        return user

    def to_representation(self, value):
        return value.get_username()


class VisibleModelField(serializers.PrimaryKeyRelatedField):
    """A model of this field's kind that the user may see: another one is answered as if it did not exist."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("queryset", HtrModel.objects.filter(kind=kind))
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return htr_models.models_visible_to(request.user if request else None).filter(kind=self.kind)


class ModelChoiceMixin:
    """Checks that the models chosen for a project or document are the shipped ones or its own project's."""

    MODEL_FIELDS = ("recognition_model", "segmentation_model")

    def check_models(self, attrs: dict, project_id: int | None) -> dict:
        for field in self.MODEL_FIELDS:
            model = attrs.get(field)
            if model is not None and not htr_models.model_usable_in(model, project_id):
                raise serializers.ValidationError(
                    {field: f"model {model.pk} belongs to another project: only its own documents read with it"}
                )
        return attrs


class ProjectSerializer(ModelChoiceMixin, serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    role = serializers.SerializerMethodField()
    recognition_model = VisibleModelField(HtrModel.Kind.RECOGNITION, help_text="default of its documents")
    segmentation_model = VisibleModelField(HtrModel.Kind.SEGMENTATION, help_text="default of its documents")

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "created",
            "role",
            "script",
            "keyboard",
            "recognition_model",
            "segmentation_model",
        ]
        extra_kwargs = {
            "keyboard": {
                "help_text": "characters the editor's keyboard offers in all its documents, "
                "after the letters of their script (spaces and repeats dropped)"
            }
        }

    def get_role(self, project) -> str | None:
        return project.role_of(self.context["request"].user)

    def validate_keyboard(self, value: str) -> str:
        return keyboard_characters(value)

    def validate(self, attrs):
        return self.check_models(attrs, self.instance.pk if self.instance else None)


class MemberSerializer(serializers.ModelSerializer):
    user = UserField(help_text="user id or username")
    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "user_id", "role"]


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the user may see: another one is answered as if it did not exist (its existence is not told)."""

    def get_queryset(self):
        request = self.context.get("request")
        return selectors.projects_visible_to(request.user) if request else Project.objects.none()


class DocumentSerializer(ModelChoiceMixin, serializers.ModelSerializer):
    project = VisibleProjectField(queryset=Project.objects.all())
    page_count = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()
    script = serializers.ChoiceField(
        choices=Document._meta.get_field("script").choices,
        required=False,
        help_text="the writing it is in (default: its project's): picks the default model and the keyboard",
    )
    recognition_model = VisibleModelField(
        HtrModel.Kind.RECOGNITION, help_text="the model that reads it (null: its project's, else the default)"
    )
    segmentation_model = VisibleModelField(
        HtrModel.Kind.SEGMENTATION, help_text="the model that finds its lines (null: its project's, else the default)"
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "description",
            "is_public",
            "direction",
            "script",
            "keyboard",
            "recognition_model",
            "segmentation_model",
            "retrain_every",
            "created",
            "updated",
            "page_count",
            "role",
        ]
        read_only_fields = ["created", "updated"]

    def validate(self, attrs):
        project = attrs.get("project") or (self.instance.project if self.instance else None)
        if self.instance is not None and project != self.instance.project:
            # Moved to another project: models of the one it leaves stay there.
            for field in self.MODEL_FIELDS:
                if field not in attrs:
                    current = getattr(self.instance, field)
                    attrs[field] = current if current and htr_models.model_usable_in(current, project.pk) else None
        return self.check_models(attrs, project.pk if project else None)

    def get_page_count(self, document) -> int:
        return document.pages.count()

    def get_role(self, document) -> str | None:
        return document.project.role_of(self.context["request"].user)


def page_urls(page: Page) -> dict:
    return {
        "image_url": reverse("api-page-image", args=[page.pk]),
        "thumbnail_url": reverse("api-page-thumbnail", args=[page.pk]),
        "dzi_url": reverse("api-page-dzi", args=[page.pk]),
    }


class PageSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    dzi_url = serializers.SerializerMethodField()
    line_count = serializers.SerializerMethodField()

    class Meta:
        model = Page
        fields = [
            "id",
            "document",
            "number",
            "original_name",
            "width",
            "height",
            "state",
            "image_url",
            "thumbnail_url",
            "dzi_url",
            "line_count",
        ]

    def get_image_url(self, page) -> str:
        return page_urls(page)["image_url"]

    def get_thumbnail_url(self, page) -> str:
        return page_urls(page)["thumbnail_url"]

    def get_dzi_url(self, page) -> str:
        return page_urls(page)["dzi_url"]

    def get_line_count(self, page) -> int:
        return page.lines.count()


class LayerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Layer
        fields = ["id", "name", "kind", "model_name", "created"]


class RegionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    order = serializers.IntegerField()
    polygon = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))


class LineOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    region = serializers.IntegerField(allow_null=True)
    polygon = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    baseline = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))
    text = serializers.CharField(allow_blank=True)
    confidences = serializers.ListField(child=serializers.FloatField())
    version = serializers.IntegerField(help_text="send it back with a correction; 0 = no text yet")
    layer = serializers.IntegerField(allow_null=True)


class PageDetailSerializer(PageSerializer):
    layer = LayerSerializer(allow_null=True, help_text="the layer the lines' text comes from")
    layers = LayerSerializer(many=True)
    regions = RegionOutSerializer(many=True)
    lines = LineOutSerializer(many=True)

    class Meta(PageSerializer.Meta):
        fields = [*PageSerializer.Meta.fields, "layer", "layers", "regions", "lines"]


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), help_text="JPEG, PNG, TIFF, PDF, ZIP, ALTO/PAGE XML beside its image"
    )


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "message",
            "error",
            "target",
            "params",
            "result",
            "created",
            "started",
            "finished",
        ]


class UploadResultSerializer(serializers.Serializer):
    pages = PageSerializer(many=True)
    jobs = JobSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()


class LineTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10_000)
    version = serializers.IntegerField(min_value=0, help_text="the version the client read (0 = no text yet)")
    layer = serializers.IntegerField(required=False, allow_null=True, help_text="the layer the client read")


class TranscriptionOutSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    layer = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    author = serializers.CharField(allow_null=True)
    updated = serializers.DateTimeField()


class ConflictCurrentSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    author = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_blank=True)
    updated = serializers.DateTimeField(allow_null=True)


class ConflictSerializer(serializers.Serializer):
    error = serializers.CharField(default="conflict")
    current = ConflictCurrentSerializer()


class DiffOpSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete", "replace"])
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    layer = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    author = serializers.CharField(allow_null=True)
    model = serializers.CharField(allow_blank=True)
    created = serializers.DateTimeField()
    diff = DiffOpSerializer(many=True)


class RestoreSerializer(serializers.Serializer):
    revision = serializers.IntegerField()


class PointsField(serializers.ListField):
    child = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class LineCreateSerializer(serializers.Serializer):
    polygon = PointsField(min_length=3)
    baseline = PointsField(required=False, default=list)
    after = serializers.IntegerField(required=False, allow_null=True, help_text="insert after this line id")
    region = serializers.IntegerField(required=False, allow_null=True)


class MergeSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=2)


class SplitSerializer(serializers.Serializer):
    x = serializers.IntegerField(help_text="page x where the line is cut")


class SplitResultSerializer(serializers.Serializer):
    lines = LineOutSerializer(many=True)


class ReorderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField())


class ProcessSerializer(serializers.Serializer):
    steps = serializers.ListField(
        child=serializers.ChoiceField(choices=["prepare", "segmentation", "recognition"]), required=False
    )
    model = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="read with this model (its kind's step: recognition or segmentation) instead of the document's",
    )


TRAIN_KINDS = ["recognition", "segmentation"]  # what a document's or project's training trains


class TrainSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=TRAIN_KINDS,
        default="recognition",
        help_text="recognition: from the corrected lines; segmentation: from the pages whose lines people edited",
    )
    pages = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text="page ids to learn from (default: every page with corrected lines, or with edited lines)",
    )
    base = serializers.IntegerField(
        required=False, allow_null=True, help_text="model of that kind to fine-tune (default: the document's)"
    )
    minutes = serializers.FloatField(
        required=False, allow_null=True, help_text="time budget (default TRAINING_DEFAULT_MINUTES)"
    )
    epochs = serializers.IntegerField(required=False, allow_null=True, help_text="stop after this many epochs")


class ProjectTrainSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=TRAIN_KINDS,
        default="recognition",
        help_text="recognition: from the corrected lines of all its documents; segmentation: from their pages whose "
        "lines people edited",
    )
    base = serializers.IntegerField(
        required=False, allow_null=True, help_text="model of that kind to fine-tune (default: the project's)"
    )
    minutes = serializers.FloatField(
        required=False, allow_null=True, help_text="time budget (default TRAINING_DEFAULT_MINUTES)"
    )
    epochs = serializers.IntegerField(required=False, allow_null=True, help_text="stop after this many epochs")


class LineCreatedSerializer(LineOutSerializer):
    job = JobSerializer(help_text="the reading of the new line")


class CurvePointSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    epoch = serializers.IntegerField(allow_null=True)
    minutes = serializers.FloatField(allow_null=True)
    cer = serializers.FloatField(allow_null=True, help_text="on the held-out lines, %")
    f1 = serializers.FloatField(allow_null=True, help_text="line detection on the held-out pages, %")
    loss = serializers.FloatField(allow_null=True, help_text="training loss")


class FiguresSerializer(serializers.Serializer):
    cer = serializers.FloatField(allow_null=True, help_text="character error rate on its held-out lines, %")
    base_cer = serializers.FloatField(allow_null=True, help_text="its base model's CER on the same lines, %")
    f1 = serializers.FloatField(allow_null=True, help_text="segmentation: line detection F1 on its held-out pages")
    base_f1 = serializers.FloatField(
        required=False, allow_null=True, help_text="segmentation: its base model's line F1 on the same pages"
    )
    held_out_lines = serializers.IntegerField(allow_null=True)
    held_out_pages = serializers.IntegerField(allow_null=True)
    curve = CurvePointSerializer(many=True, help_text="the training curve")


class HtrModelSerializer(serializers.ModelSerializer):
    trained_by = serializers.CharField(source="trained_by.username", allow_null=True, read_only=True, default=None)
    cer = serializers.SerializerMethodField()
    base_cer = serializers.SerializerMethodField()
    f1 = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    summary = serializers.CharField(
        read_only=True, help_text='its figures in words: "base 35.0 → new 23.0 CER on 12 held-out corrected lines"'
    )

    class Meta:
        model = HtrModel
        fields = [
            "id",
            "name",
            "kind",
            "script",
            "language",
            "base",
            "project",
            "read_only",
            "trained_pages",
            "trained_lines",
            "trained_by",
            "trained_at",
            "created",
            "cer",
            "base_cer",
            "f1",
            "summary",
            "download_url",
        ]
        read_only_fields = fields

    def get_cer(self, model) -> float | None:
        return model.figures.get("cer")

    def get_base_cer(self, model) -> float | None:
        return model.figures.get("base_cer")

    def get_f1(self, model) -> float | None:
        return model.figures.get("f1")

    def get_download_url(self, model) -> str:
        return reverse("api-model-download", args=[model.pk])


class HtrModelDetailSerializer(HtrModelSerializer):
    figures = serializers.SerializerMethodField(help_text="figures and training curve")

    class Meta(HtrModelSerializer.Meta):
        fields = [*HtrModelSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    @extend_schema_field(FiguresSerializer)
    def get_figures(self, model) -> dict:
        return FiguresSerializer({"curve": [], **model.figures}).data


class JobsSerializer(serializers.Serializer):
    jobs = JobSerializer(many=True)


class ReviewLineSerializer(LineOutSerializer):
    min_confidence = serializers.FloatField(allow_null=True)
    mean_confidence = serializers.FloatField(allow_null=True)
    weak = serializers.ListField(child=serializers.IntegerField(), help_text="character positions under 0.5")


class SearchResultSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    page = serializers.IntegerField()
    page_number = serializers.IntegerField()
    document = serializers.IntegerField()
    document_title = serializers.CharField()
    layer = serializers.IntegerField()
    text = serializers.CharField()
    snippet = serializers.CharField(help_text="HTML: escaped text with matches in <mark>")
    corrected = serializers.BooleanField(
        help_text="written by a person (corrected or imported), not as a model read it"
    )
    score = serializers.FloatField(help_text="1: every word found as written; lower: partial or misspelt words")
    image = serializers.CharField(help_text="URL of the line's image, cut from the scan")


class SearchSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SearchResultSerializer(many=True)
    suggestion = serializers.CharField(
        allow_null=True, help_text="the query spelt as the lines found write it, when words were found only misspelt"
    )


class LineShapeSerializer(serializers.Serializer):
    polygon = PointsField(min_length=3, required=False)
    baseline = PointsField(required=False, help_text="[] removes it; else at least two points")
    region = serializers.IntegerField(required=False, allow_null=True, help_text="a region of the page; null: none")


class RegionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    page = serializers.IntegerField(write_only=True, required=False, help_text="the page to draw it on (create)")
    kind = serializers.CharField(required=False, help_text="text, paragraph, heading, marginalia, signature-mark…")
    order = serializers.IntegerField(read_only=True)
    polygon = PointsField(min_length=3, required=False)
    lines = serializers.ListField(child=serializers.IntegerField(), read_only=True, help_text="its lines' ids")
