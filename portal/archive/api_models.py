"""JSON API of the HTR models: the ones a user may see, their figures and training curve, their files as a ZIP.

The shipped models are listed and downloaded by anyone logged in; a project's own models by its members only (to
anyone else they do not exist: 404).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated

from portal.archive import htr_models, serializers


class HtrModelViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return htr_models.models_visible_to(self.request.user)

    def get_serializer_class(self):
        return serializers.HtrModelSerializer if self.action == "list" else serializers.HtrModelDetailSerializer

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The model's folder (weights, config.json, model card, training log) as a ZIP."""
        model = self.get_object()
        try:
            data = htr_models.model_zip(model)
        except FileNotFoundError as exc:
            raise NotFound(str(exc)) from None
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{htr_models.zip_name(model)}.zip"'
        return response
