"""JSON API of a page's regions (draw, retype, reshape, delete) and of reading order by region."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal.archive import layout, selectors, serializers
from portal.archive.api import error, require_edit
from portal.archive.models import Page, Region


def region_out(region: Region) -> dict:
    return {
        "id": region.pk,
        "kind": region.kind,
        "order": region.order,
        "polygon": region.polygon,
        "lines": list(region.lines.order_by("order").values_list("pk", flat=True)),
    }


class RegionViewSet(viewsets.GenericViewSet):
    serializer_class = serializers.RegionSerializer

    def get_queryset(self):
        documents = selectors.documents_readable_by(self.request.user)
        return Region.objects.filter(page__document__in=documents.values("pk")).select_related("page__document")

    @extend_schema(responses={201: serializers.RegionSerializer, 400: serializers.ErrorSerializer})
    def create(self, request):
        """Draw a region on a page (`page`, `polygon`, `kind`, default text); the lines inside it join it."""
        s = serializers.RegionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        documents = selectors.documents_readable_by(request.user)
        page = Page.objects.filter(pk=s.validated_data.get("page"), document__in=documents.values("pk")).first()
        if page is None:
            raise NotFound("no such page")
        require_edit(request, page.document)
        if "polygon" not in s.validated_data:
            return error("a region needs a polygon")
        region = layout.region_create(
            page=page, polygon=s.validated_data["polygon"], kind=s.validated_data.get("kind", "text")
        )
        return Response(region_out(region), status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: serializers.RegionSerializer, 400: serializers.ErrorSerializer})
    def partial_update(self, request, pk=None):
        """Change a region's type and/or outline."""
        region = self.get_object()
        require_edit(request, region.page.document)
        s = serializers.RegionSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        layout.region_update(region=region, polygon=s.validated_data.get("polygon"), kind=s.validated_data.get("kind"))
        return Response(region_out(region))

    def destroy(self, request, pk=None):
        """Remove a region; its lines stay, in no region."""
        region = self.get_object()
        require_edit(request, region.page.document)
        layout.region_delete(region=region)
        return Response(status=status.HTTP_204_NO_CONTENT)
