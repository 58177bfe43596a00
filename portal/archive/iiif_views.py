"""IIIF in and out: a document's Presentation 3 manifest, its pages through the Image API (both readable by whoever
may read the document; others get 404, as everywhere in the API), and the import of a manifest into a project, from
the JSON API and from the project page.

IIIF viewers on other sites fetch these without cookies: the answers allow any origin (a private document answers
404 to them, since no credentials travel).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers as fields
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.archive import iiif, iiif_images, images, selectors, serializers
from portal.archive.iiif_import import ImportRefused, iiif_import_start
from portal.archive.models import Membership, Page, Project

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)
PRESENTATION_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'
IMAGE_TYPE = 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'


class AnyAccept(BaseContentNegotiation):
    """IIIF clients send all kinds of Accept headers; the answer is what it is (errors as JSON)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _base(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _json(request, data: dict, ld_type: str) -> HttpResponse:
    accept = request.headers.get("Accept", "")
    content_type = ld_type if "application/ld+json" in accept else "application/json"
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _readable_page(request, page_id: int) -> Page:
    documents = selectors.documents_readable_by(request.user)
    page = Page.objects.filter(pk=page_id, document__in=documents.values("pk")).select_related("document").first()
    if page is None:
        raise NotFound("no such page")
    return page


class IiifView(APIView):
    content_negotiation_class = AnyAccept


class ManifestView(IiifView):
    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    def get(self, request, document_id: int):
        """The document as a IIIF Presentation 3 manifest, its lines as `supplementing` annotations."""
        document = selectors.documents_readable_by(request.user).filter(pk=document_id).first()
        if document is None:
            raise NotFound("no such document")
        return _json(request, iiif.document_manifest(document, base=_base(request)), PRESENTATION_TYPE)


class ImageBaseView(IiifView):
    @extend_schema(responses={303: None}, description="Redirects to the page's info.json.")
    def get(self, request, page_id: int):
        page = _readable_page(request, page_id)
        response = HttpResponseRedirect(f"{iiif.image_service_url(_base(request), page)}/info.json", status=303)
        response["Access-Control-Allow-Origin"] = "*"
        return response


class ImageInfoView(IiifView):
    @extend_schema(responses={(200, "application/ld+json"): OpenApiTypes.OBJECT})
    def get(self, request, page_id: int):
        """The page's IIIF Image API 3 (level 1) description."""
        page = _readable_page(request, page_id)
        return _json(request, iiif_images.info(page, iiif.image_service_url(_base(request), page)), IMAGE_TYPE)


class ImageView(IiifView):
    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request, page_id: int, region: str, size: str, rotation: str, quality: str, fmt: str):
        """`{region}/{size}/{rotation}/{quality}.{format}` of the page's image."""
        page = _readable_page(request, page_id)
        try:
            wanted = iiif_images.image_request_read(page, region, size, rotation, quality, fmt)
            data, content_type = iiif_images.image_render(page, wanted)
        except iiif_images.ImageRequestError as exc:
            return Response({"error": str(exc)}, status=exc.status, headers={"Access-Control-Allow-Origin": "*"})
        except images.PageGone:
            raise NotFound("this page was just deleted") from None
        response = HttpResponse(data, content_type=content_type)
        response["Cache-Control"] = ("public" if page.document.is_public else "private") + ", max-age=3600"
        response["Access-Control-Allow-Origin"] = "*"
        response["Link"] = '<http://iiif.io/api/image/3/level1.json>;rel="profile"'
        return response


class ImportView(APIView):
    """POST a manifest's `url`, or a manifest file as `manifest`: a new document of the project, whose pages an
    `iiif_import` job fetches (see `jobs`)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": inline_serializer("IiifImportUrl", {"url": fields.URLField()}),
            "multipart/form-data": inline_serializer("IiifImportFile", {"manifest": fields.FileField()}),
        },
        responses={
            201: inline_serializer(
                "IiifImportStarted",
                {"document": serializers.DocumentSerializer(), "job": serializers.JobSerializer()},
            )
        },
    )
    def post(self, request, project_id: int):
        project = selectors.projects_visible_to(request.user).filter(pk=project_id).first()
        if project is None:
            raise NotFound("no such project")
        if project.role_of(request.user) not in EDIT_ROLES:
            return Response(
                {"error": "only the project's owner and editors may add documents"}, status=status.HTTP_403_FORBIDDEN
            )
        try:
            document, job = _start(project, request.user, request.data.get("url") or "", request.FILES.get("manifest"))
        except ImportRefused as exc:
            return Response({"error": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {
                "document": serializers.DocumentSerializer(document, context={"request": request}).data,
                "job": serializers.JobSerializer(job).data,
            },
            status=status.HTTP_201_CREATED,
        )


def _start(project: Project, user, url: str, upload):
    if upload is not None:
        return iiif_import_start(project=project, user=user, data=upload.read(), name=upload.name)
    return iiif_import_start(project=project, user=user, url=str(url))


@require_POST
def import_form(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project page's "Import from IIIF" form."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("project", args=[project_id]))
    project = selectors.projects_visible_to(request.user).filter(pk=project_id).first()
    if project is None or project.role_of(request.user) not in EDIT_ROLES:
        raise Http404(_("No such project."))
    try:
        document, _job = _start(
            project, request.user, request.POST.get("url", "").strip(), request.FILES.get("manifest")
        )
    except ImportRefused as exc:
        messages.error(request, _("Nothing was imported: %(reason)s") % {"reason": exc})
        return redirect("project", project_id=project.pk)
    messages.success(
        request,
        _("“%(title)s” is being imported: its pages are fetched in the background.") % {"title": document.title},
    )
    return redirect("document", document_id=document.pk)
