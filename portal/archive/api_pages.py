"""JSON API of pages (reading, images and tiles, segmentation editing, review, export) and lines (text, history)."""

from __future__ import annotations

import shutil

from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from portal.archive import exports, images, layout, pipeline, selectors, serializers, services, training
from portal.archive.api import (
    EDIT_REFUSED,
    FormatIsAnExportFormat,
    edit_body,
    error,
    models_requested,
    page_process,
    require_edit,
)
from portal.archive.models import Document, Layer, Line, Membership, Page, Revision, Transcription

LAYER_PARAM = OpenApiParameter("layer", int, description="layer id (default: manual if it has text, else latest model)")


def requested_layer(request, page: Page) -> Layer | None:
    raw = request.query_params.get("layer")
    if not raw:
        return selectors.page_reading_layer(page)
    layer = Layer.objects.filter(pk=raw if raw.isdigit() else -1, document_id=page.document_id).first()
    if layer is None:
        raise ValidationError({"error": f"layer {raw!r} is not a layer of this document"})
    return layer


def line_out(line: Line, t: Transcription | None, layer: Layer | None) -> dict:
    return {
        "id": line.pk,
        "order": line.order,
        "region": line.region_id,
        "polygon": line.polygon,
        "baseline": line.baseline,
        "text": t.text if t else "",
        "confidences": t.confidences if t else [],
        "version": t.version if t else 0,
        "layer": layer.pk if layer else None,
    }


def transcription_out(t: Transcription, author=None) -> dict:
    """`author`: the user who just saved it (saves a query), else read from the latest revision."""
    author = author.get_username() if author is not None else selectors.transcription_author(t)[0]
    return {
        "line": t.line_id,
        "layer": t.layer_id,
        "text": t.text,
        "version": t.version,
        "author": author,
        "updated": t.updated,
    }


def _image(path, content_type: str) -> FileResponse:
    response = FileResponse(open(path, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PageViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.PageDetailSerializer
    content_negotiation_class = FormatIsAnExportFormat

    def get_queryset(self):
        documents = selectors.documents_readable_by(self.request.user)
        return Page.objects.filter(document__in=documents.values("pk")).select_related("document__project")

    @extend_schema(parameters=[LAYER_PARAM], responses=serializers.PageDetailSerializer)
    def retrieve(self, request, pk=None):
        """The page, its regions, and its lines with their text in the requested layer."""
        page = self.get_object()
        layer = requested_layer(request, page)
        data = serializers.PageSerializer(page).data
        data["layer"] = serializers.LayerSerializer(layer).data if layer else None
        data["layers"] = serializers.LayerSerializer(selectors.page_layers(page), many=True).data
        data["regions"] = [
            {"id": r.pk, "kind": r.kind, "order": r.order, "polygon": r.polygon}
            for r in page.regions.order_by("order", "pk")
        ]
        data["lines"] = [line_out(line, t, layer) for line, t in selectors.page_lines_read(page, layer)]
        return Response(data)

    def perform_destroy(self, instance):
        require_edit(self.request, instance.document)
        folder = images.page_dir(instance)  # the scan and everything made from it
        with transaction.atomic():
            services.pages_lock(Page.objects.filter(pk=instance.pk))
            instance.delete()
            transaction.on_commit(lambda: shutil.rmtree(folder, ignore_errors=True))

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def image(self, request, pk=None):
        """The full scan."""
        page = self.get_object()
        content_type = "image/jpeg" if page.image.name.endswith(".jpg") else "image/png"
        return _image(page.image.path, content_type)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, pk=None):
        try:
            return _image(images.thumbnail_path(self.get_object()), "image/jpeg")
        except images.PageGone:
            raise NotFound("this page was just deleted") from None

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def dzi(self, request, pk=None):
        """The Deep Zoom descriptor; its `Url` points at the tile views."""
        page = self.get_object()
        tiles_url = request.build_absolute_uri(f"/api/pages/{page.pk}/tiles/")
        return HttpResponse(images.dzi_xml(page, tiles_url), content_type="application/xml")

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    def tile(self, request, pk=None, level=None, col=None, row=None):
        """One Deep Zoom tile."""
        page = self.get_object()
        level, col, row = int(level), int(col), int(row)
        if not images.tile_exists(page, level, col, row):
            raise NotFound(f"no tile {level}/{col}_{row} in this page's pyramid")
        try:
            return _image(images.tile_path(page, level, col, row), "image/jpeg")
        except images.PageGone:
            raise NotFound("this page was just deleted") from None

    @extend_schema(request=serializers.LineCreateSerializer, responses={201: serializers.LineCreatedSerializer})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Draw a new line (polygon, baseline), after line `after` or where its position puts it in reading order;
        `job` reads it with the document's model at once."""
        page = self.get_object()
        data = edit_body(request, page.document, serializers.LineCreateSerializer)
        with transaction.atomic():
            line = services.line_create(page=page, **data)
            job = pipeline.lines_read_start(page=page, lines=[line.pk], user=request.user)
        data = {**line_out(line, None, None), "job": serializers.JobSerializer(job).data}
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ReorderSerializer, responses=serializers.ReorderSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Set the reading order: every line id of the page, once each."""
        page = self.get_object()
        data = edit_body(request, page.document, serializers.ReorderSerializer)
        services.page_reorder(page=page, order=data["order"])
        return Response({"order": list(page.lines.order_by("order").values_list("pk", flat=True))})

    @extend_schema(request=None, responses=serializers.ReorderSerializer)
    @action(detail=True, methods=["post"], url_path="order-by-regions")
    def order_by_regions(self, request, pk=None):
        """Reading order region by region (in the regions' order); lines in no region last."""
        page = self.get_object()
        require_edit(request, page.document)
        return Response({"order": layout.page_order_by_regions(page=page)})

    @extend_schema(
        request=serializers.ProcessSerializer,
        parameters=[OpenApiParameter("steps", str, description="comma list, default segmentation,recognition")],
        responses={202: serializers.JobSerializer, 400: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def process(self, request, pk=None):
        """Re-run segmentation and recognition (or only `?steps=recognition`) on this page; `model`: with this
        model this time."""
        page = self.get_object()
        require_edit(request, page.document)
        job = page_process(request, page, models_requested(request, page.document))
        return Response(serializers.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(parameters=[LAYER_PARAM], responses=serializers.ReviewLineSerializer(many=True))
    @action(detail=True, methods=["get"])
    def review(self, request, pk=None):
        """Lines worst-first by their least sure character (lines without confidences last)."""
        page = self.get_object()
        layer = requested_layer(request, page)
        out = []
        for line, t in selectors.page_lines_read(page, layer):
            item = line_out(line, t, layer)
            conf = item["confidences"]
            item["min_confidence"] = min(conf) if conf else None
            item["mean_confidence"] = sum(conf) / len(conf) if conf else None
            item["weak"] = [i for i, c in enumerate(conf) if c < 0.5]
            out.append(item)
        out.sort(key=lambda i: (i["min_confidence"] is None, i["min_confidence"] or 0, i["order"]))
        return Response(out)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=list(exports.FORMATS), default="text"), LAYER_PARAM],
        responses={(200, "application/xml"): OpenApiTypes.BINARY, 400: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """One file: plain text, ALTO v4 or PAGE XML."""
        page = self.get_object()
        name, data, content_type = exports.page_export(
            page, request.query_params.get("format", "text"), requested_layer(request, page)
        )
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class LineViewSet(mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.LineOutSerializer

    def get_queryset(self):
        documents = selectors.documents_readable_by(self.request.user)
        return Line.objects.filter(page__document__in=documents.values("pk")).select_related("page__document__project")

    def perform_destroy(self, instance):
        require_edit(self.request, instance.page.document)
        services.line_delete(line=instance)

    @extend_schema(
        request=serializers.LineTextSerializer,
        responses={200: serializers.TranscriptionOutSerializer, 409: serializers.ConflictSerializer},
    )
    @action(detail=True, methods=["patch"])
    def text(self, request, pk=None):
        """Save a correction into the manual layer; a stale `version` answers 409 with what the line holds now."""
        line, role = selectors.line_with_role(int(pk) if str(pk).isdigit() else -1, request.user)
        if line is None or not (line.page.document.is_public or role is not None):
            raise Http404(f"No {Line._meta.object_name} matches the given query.")  # as get_object answers
        if role not in (Membership.Role.OWNER, Membership.Role.EDITOR):
            raise PermissionDenied(EDIT_REFUSED)
        s = serializers.LineTextSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        layer = None
        if data.get("layer") is not None:
            layer = Layer.objects.filter(pk=data["layer"], document_id=line.page.document_id).first()
            if layer is None:
                return error(f"layer {data['layer']} is not a layer of this document")
        try:
            t = services.line_text_save(
                line=line,
                text=data["text"],
                version=data["version"],
                user=request.user,
                layer=layer,
            )
        except services.EditConflict as conflict:
            return Response({"error": "conflict", "current": conflict.current()}, status=status.HTTP_409_CONFLICT)
        if line.page.document.retrain_every:
            document = Document.objects.select_related("project").get(pk=line.page.document_id)
            training.training_auto_maybe(document=document, user=request.user)
        return Response(transcription_out(t, author=request.user if t.version > data["version"] else None))

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def image(self, request, pk=None):
        """The line's image, cut from the scan (at most 80 pixels high), for whoever may read its document."""
        line = self.get_object()
        try:
            path = images.line_image_path(line)
        except images.PageGone:
            raise NotFound("this page was just deleted") from None
        if path is None:
            raise NotFound("this line has no shape on its page to cut an image from")
        return _image(path, "image/jpeg")

    @extend_schema(
        request=serializers.LineShapeSerializer,
        responses={200: serializers.LineOutSerializer, 400: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["patch"])
    def shape(self, request, pk=None):
        """Move a line's outline points, draw its baseline again, or put it in a region (null: none)."""
        line = self.get_object()
        data = edit_body(request, line.page.document, serializers.LineShapeSerializer)
        layout.line_reshape(
            line=line,
            polygon=data.get("polygon"),
            baseline=data.get("baseline"),
            region=data.get("region", "keep"),
        )
        layer = selectors.page_reading_layer(line.page)
        t = Transcription.objects.filter(line=line, layer=layer).first() if layer else None
        return Response(line_out(line, t, layer))

    @extend_schema(parameters=[LAYER_PARAM], responses=serializers.RevisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every version of the line's text in the layer, oldest first, with who made it and the diff."""
        line = self.get_object()
        return Response(services.line_history(line=line, layer=requested_layer(request, line.page)))

    @extend_schema(request=serializers.RestoreSerializer, responses=serializers.TranscriptionOutSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Bring back the text of an earlier revision as the newest manual version."""
        line = self.get_object()
        data = edit_body(request, line.page.document, serializers.RestoreSerializer)
        revision = Revision.objects.filter(pk=data["revision"], transcription__line=line).first()
        if revision is None:
            return error(f"revision {data['revision']} is not a revision of line {line.pk}")
        return Response(transcription_out(services.line_restore(line=line, revision=revision, user=request.user)))

    @extend_schema(request=serializers.SplitSerializer, responses=serializers.SplitResultSerializer)
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Cut the line in two at page x; the text is cut at the nearest word boundary."""
        line = self.get_object()
        data = edit_body(request, line.page.document, serializers.SplitSerializer)
        parts = services.line_split(line=line, x=data["x"], user=request.user)
        layer = selectors.page_reading_layer(line.page)
        texts = {t.line_id: t for t in Transcription.objects.filter(line__in=parts, layer=layer)}
        return Response({"lines": [line_out(p, texts.get(p.pk), layer) for p in parts]})

    @extend_schema(request=serializers.MergeSerializer, responses=serializers.LineOutSerializer)
    @action(detail=False, methods=["post"])
    def merge(self, request):
        """Join lines of one page into the first in reading order (texts joined with a space in each layer)."""
        s = serializers.MergeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        ids = s.validated_data["ids"]
        lines = list(self.get_queryset().filter(pk__in=ids))
        if len(lines) != len(set(ids)):
            raise NotFound("one of the lines does not exist")
        for line in lines:
            require_edit(request, line.page.document)
        merged = services.lines_merge(lines=lines, user=request.user)
        layer = selectors.page_reading_layer(merged.page)
        t = Transcription.objects.filter(line=merged, layer=layer).first() if layer else None
        return Response(line_out(merged, t, layer))
