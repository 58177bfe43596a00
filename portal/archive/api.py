"""JSON API: projects, members, documents (upload, process, export), jobs, search. Pages and lines: api_pages.py;
HTR models: api_models.py.

An object the user may not read answers 404 (its existence is not told); one they may read but not change, 403.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.archive import (
    exports,
    htr_models,
    pipeline,
    search,
    selectors,
    serializers,
    services,
    tei,
    training_jobs,
    uploads,
)
from portal.archive.models import Document, HtrModel, Membership, Page, Project
from portal.archive.permissions import (
    can_edit_document,
    can_manage_document,
    can_train_and_choose_models,
    document_change_check,
)
from portal.archive.training_jobs import Scope
from portal.archive.training_project import project_job_editable_by, project_reread_start
from portal.entities import facets as entity_facets
from portal.jobs.consumers import job_visible_to
from portal.jobs.models import Job
from portal.jobs.progress import job_cancel

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)


class FormatIsAnExportFormat(DefaultContentNegotiation):
    """`?format=` names the export format (text, alto, page) here, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return (
            super().select_renderer(request, renderers, format_suffix=None)
            if format_suffix
            else (renderers[0], renderers[0].media_type)
        )


def error(message: str, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"error": message}, status=code)


EDIT_REFUSED = "you may read this document but not change it"


def require_edit(request, document: Document) -> None:
    if not can_edit_document(document, request.user):
        raise PermissionDenied(EDIT_REFUSED)


def edit_body(request, document: Document, serializer_class) -> dict:
    """The checked body of a change to `document`: 403 for a user who may only read it, 400 for a bad body."""
    require_edit(request, document)
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return s.validated_data


def steps_requested(request, default: list[str]) -> list[str]:
    raw = request.query_params.get("steps") or request.data.get("steps")
    if not raw:
        return default
    steps = raw.split(",") if isinstance(raw, str) else list(raw)
    unknown = [s for s in steps if s not in pipeline.STEPS]
    if unknown:
        raise ValidationError(
            {"error": f"unknown step(s) {', '.join(unknown)}; choose from {', '.join(pipeline.STEPS)}"}
        )
    return steps


# A training's answers: its job, or why it did not start (bad request, not an editor, one already running).
TRAIN_RESPONSES = {
    202: serializers.JobSerializer,
    400: serializers.ErrorSerializer,
    403: serializers.ErrorSerializer,
    409: serializers.ErrorSerializer,
}

# The job kind of each `kind` a training request may ask for.
TRAINING_KINDS = {"recognition": training_jobs.RECOGNITION, "segmentation": training_jobs.SEGMENTATION}

DEFAULT_STEPS = ["segmentation", "recognition"]


def models_requested(request, document: Document) -> dict[str, int]:
    """{kind: id} of the `model` the request asks to read with (one the user sees, usable in the document's
    project, for a step it asks for); raises ValidationError otherwise."""
    raw = request.query_params.get("model") or request.data.get("model")
    if raw in (None, ""):
        return {}
    if isinstance(raw, bool) or not str(raw).isdigit():
        raise ValidationError({"error": "model must be a model id"})
    model = htr_models.models_visible_to(request.user).filter(pk=int(raw)).first()
    if model is None:
        raise ValidationError({"error": f"there is no model {raw}"})
    if not htr_models.model_usable_in(model, document.project_id):
        raise ValidationError({"error": f"model {raw} belongs to another project: only its own documents read with it"})
    step = "recognition" if model.kind == HtrModel.Kind.RECOGNITION else "segmentation"
    if step not in steps_requested(request, DEFAULT_STEPS):
        raise ValidationError({"error": f"model {raw} is a {model.kind} model: ask for the {step} step"})
    return {model.kind: model.pk}


def page_process(request, page: Page, models: dict[str, int] | None = None) -> Job:
    """Queue a page's re-run with the steps the request asks for (pipeline.page_rerun's rules)."""
    return pipeline.page_rerun(
        page=page, steps=steps_requested(request, DEFAULT_STEPS), user=request.user, models=models
    )


def training_started(request, serializer_class, scope: Scope) -> Response:
    """The training the request asks for (its kind, base, budget; a document's: its pages) of the document or
    project, queued: its job, 202."""
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    asked = dict(s.validated_data)
    kind, base_id = TRAINING_KINDS[asked.pop("kind")], asked.pop("base", None)
    job = training_jobs.training_start(scope=scope, kind=kind, user=request.user, base_id=base_id, **asked)
    return Response(serializers.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def _delete_files_later(path: Path) -> None:
    """Once the deletion of the rows commits (call it inside the atomic block that deletes them): a worker still
    writing a page's images checks that the page exists, and must not find it there after its folder went."""
    transaction.on_commit(lambda: shutil.rmtree(path, ignore_errors=True))


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.ProjectSerializer

    def get_queryset(self):
        return selectors.projects_visible_to(self.request.user).select_related("owner")

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def _require_owner(self, project: Project) -> None:
        if project.role_of(self.request.user) != Membership.Role.OWNER:
            raise PermissionDenied("only the project's owner may do this")

    def perform_update(self, serializer):
        project = serializer.instance
        models_only = set(serializer.validated_data) <= {"recognition_model", "segmentation_model"}
        if not (models_only and can_train_and_choose_models(project, self.request.user)):  # editors choose models
            self._require_owner(project)
        serializer.save()

    def perform_destroy(self, instance):
        self._require_owner(instance)
        documents = list(instance.documents.values_list("pk", flat=True))
        with transaction.atomic():
            services.pages_lock(Page.objects.filter(document__project=instance))
            instance.delete()
            for pk in documents:
                _delete_files_later(Path(settings.MEDIA_ROOT) / "documents" / str(pk))

    @extend_schema(
        request=serializers.ProjectTrainSerializer,
        responses=TRAIN_RESPONSES,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def train(self, request, pk=None):
        """Train a recognition model from the corrected lines of all the project's documents (owners and editors;
        job on the `training` queue): `base` model (default: the project's), `minutes` or `epochs`. `kind`
        "segmentation": a segmentation model from the pages of its documents whose lines people drew, deleted, merged
        or split; its result gives the line F1 of both on the held-out pages."""
        project = self.get_object()
        if not can_train_and_choose_models(project, request.user):
            return error("you may see this project but not train models on it", status.HTTP_403_FORBIDDEN)
        return training_started(request, serializers.ProjectTrainSerializer, Scope.of_project(project))

    @extend_schema(
        request=None,
        responses={202: serializers.JobsSerializer, 400: serializers.ErrorSerializer, 403: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def reread(self, request, pk=None):
        """Read again, with the project's recognition model, the pages nobody corrected of its documents that read
        with it (owners and editors): one recognition job per page; corrected lines keep their text."""
        project = self.get_object()
        if project.role_of(request.user) not in EDIT_ROLES:
            return error("you may see this project but not have its pages read again", status.HTTP_403_FORBIDDEN)
        try:
            jobs = project_reread_start(project=project, user=request.user)
        except ValueError as exc:
            return error(str(exc))
        return Response({"jobs": serializers.JobSerializer(jobs, many=True).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=serializers.MemberSerializer, responses=serializers.MemberSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        """List the members (anyone in the project) or add one (owner): {user: id or username, role}."""
        project = self.get_object()
        if request.method == "POST":
            self._require_owner(project)
            serializer = serializers.MemberSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            user = serializer.validated_data["user"]
            if user.pk == project.owner_id:
                return error("the project's owner is always its owner")
            member, _ = Membership.objects.update_or_create(
                project=project, user=user, defaults={"role": serializer.validated_data["role"]}
            )
            return Response(serializers.MemberSerializer(member).data, status=status.HTTP_201_CREATED)
        members = project.memberships.select_related("user").order_by("user__username")
        return Response(serializers.MemberSerializer(members, many=True).data)

    @extend_schema(methods=["PATCH"], request=serializers.MemberRoleSerializer, responses=serializers.MemberSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=True, methods=["patch", "delete"], url_path=r"members/(?P<user_id>\d+)")
    def member(self, request, pk=None, user_id=None):
        """Change a member's role, or remove them (owner only)."""
        project = self.get_object()
        self._require_owner(project)
        member = get_object_or_404(Membership, project=project, user_id=user_id)
        if request.method == "DELETE":
            member.delete()
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = serializers.MemberRoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member.role = serializer.validated_data["role"]
        member.save(update_fields=["role"])
        return Response(serializers.MemberSerializer(member).data)


@extend_schema(parameters=[OpenApiParameter("project", int, description="only this project's documents")])
class DocumentViewSet(viewsets.ModelViewSet):
    serializer_class = serializers.DocumentSerializer
    content_negotiation_class = FormatIsAnExportFormat

    def get_queryset(self):
        qs = selectors.documents_readable_by(self.request.user)
        project = self.request.query_params.get("project")
        if project and self.action == "list":
            if not project.isdigit():
                raise ValidationError({"error": "project must be a project id"})
            qs = qs.filter(project_id=int(project))
        return qs

    def perform_create(self, serializer):
        project = serializer.validated_data["project"]
        if project.role_of(self.request.user) not in EDIT_ROLES:
            raise PermissionDenied("only the project's owner and editors may add documents")
        defaults = {} if "script" in serializer.validated_data else {"script": project.script}
        serializer.save(created_by=self.request.user, **defaults)

    def perform_update(self, serializer):
        document = serializer.instance
        require_edit(self.request, document)
        data = serializer.validated_data
        if {"recognition_model", "segmentation_model"} & set(data) and not can_train_and_choose_models(
            document.project, self.request.user
        ):
            raise PermissionDenied("only the project's owners and editors choose the models that read it")
        document_change_check(document, self.request.user, project=data.get("project"), is_public=data.get("is_public"))
        serializer.save()

    def perform_destroy(self, instance):
        if not can_manage_document(instance, self.request.user):
            raise PermissionDenied("only the project's owner may delete a document")
        folder = Path(settings.MEDIA_ROOT) / "documents" / str(instance.pk)
        with transaction.atomic():
            services.pages_lock(instance.pages.all())
            instance.delete()
            _delete_files_later(folder)

    @extend_schema(
        request={"multipart/form-data": serializers.UploadSerializer},
        responses={201: serializers.UploadResultSerializer, 400: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request, pk=None):
        """Add pages: images, TIFF, PDF, ZIP, ALTO/PAGE XML beside its image, Digital Peter pairs in a ZIP.

        A PDF's pages are drawn by a worker: its `pdf_render` job (in `jobs`) adds them once all are drawn."""
        document = self.get_object()
        require_edit(request, document)
        files = request.FILES.getlist("files")
        for f in files:
            if f.size > settings.UPLOAD_MAX_BYTES:
                return error(
                    f"{f.name}: {uploads.size_text(f.size)}, more than the limit of "
                    f"{uploads.size_text(settings.UPLOAD_MAX_BYTES)}"
                )
        pages, jobs = uploads.document_upload(
            document=document, files=[(f.name, f.read()) for f in files], user=request.user
        )
        return Response(
            {
                "pages": serializers.PageSerializer(pages, many=True).data,
                "jobs": serializers.JobSerializer(jobs, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=serializers.PageSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def pages(self, request, pk=None):
        """All pages of the document in order (not paginated)."""
        document = self.get_object()
        return Response(serializers.PageSerializer(document.pages.order_by("number"), many=True).data)

    @extend_schema(
        request=serializers.ProcessSerializer,
        parameters=[OpenApiParameter("steps", str, description="comma list: prepare,segmentation,recognition")],
        responses={202: serializers.JobsSerializer, 400: serializers.ErrorSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def process(self, request, pk=None):
        """Re-run the pipeline on every page that is not being processed already; `model`: read with this model
        this time (the document keeps its own: PATCH the document to change it)."""
        document = self.get_object()
        require_edit(request, document)
        models = models_requested(request, document)
        jobs = pipeline.pages_rerun(
            pages=document.pages.order_by("number"),
            steps=steps_requested(request, DEFAULT_STEPS),
            user=request.user,
            models=models,
        )
        return Response({"jobs": serializers.JobSerializer(jobs, many=True).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=serializers.TrainSerializer,
        responses=TRAIN_RESPONSES,
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, FormParser])
    def train(self, request, pk=None):
        """Train a recognition model from the document's corrected lines (job on the `training` queue): `pages`
        (default: those with corrected lines), `base` model (default: the document's), `minutes` or `epochs`.
        The job's result names the new model and its CER beside the base's on the held-out corrected lines.
        `kind` "segmentation": a segmentation model from the pages whose lines people drew, deleted, merged or
        split; its result gives the line F1 of both on the held-out pages."""
        document = self.get_object()
        if not can_train_and_choose_models(document.project, request.user):
            return error("you may read this document but not train models on it", status.HTTP_403_FORBIDDEN)
        return training_started(request, serializers.TrainSerializer, Scope.of_document(document))

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=[*exports.FORMATS, "tei"], default="text")],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (200, "application/tei+xml"): OpenApiTypes.STR,
            400: serializers.ErrorSerializer,
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        """A ZIP with one file per page (text, ALTO v4 or PAGE XML), or one TEI P5 file for the whole document."""
        document = self.get_object()
        fmt = request.query_params.get("format", "text")
        if fmt == "tei":
            data = tei.document_tei(document, base=request.build_absolute_uri("/").rstrip("/"))
            response = HttpResponse(data, content_type="application/tei+xml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="document-{document.pk}-tei.xml"'
            return response
        data = exports.document_export(document, fmt)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="document-{document.pk}-{fmt}.zip"'
        return response


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.JobSerializer
    queryset = Job.objects.all()

    def get_object(self):
        job = get_object_or_404(Job, pk=self.kwargs["pk"])
        session_key = self.request.session.session_key if hasattr(self.request, "session") else None
        if not job_visible_to(job, self.request.user, session_key):
            raise get_object_or_404(Job.objects.none())
        return job

    @extend_schema(request=None, responses=serializers.JobSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Stop a queued or running job (its owner, or an editor of the page's document)."""
        job = self.get_object()
        page = pipeline.job_page(job)
        document = page.document if page is not None else training_jobs.job_document(job)
        allowed = job.owner_id == request.user.pk or (
            document is not None and can_edit_document(document, request.user)
        )
        allowed = allowed or project_job_editable_by(job, request.user)
        if not request.user.is_authenticated or not allowed:
            raise PermissionDenied("only the job's owner or an editor of its document may cancel it")
        job_cancel(job)
        job.refresh_from_db()
        return Response(serializers.JobSerializer(job).data)


class SearchView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description='words (each may be misspelt) and "exact phrases" in double quotes'
            ),
            OpenApiParameter("project", int),
            OpenApiParameter("document", int),
            OpenApiParameter(
                "text",
                str,
                enum=list(search.TEXT_KINDS),
                description="corrected: lines written by a person; machine: as a model read them",
            ),
        ],
        responses={200: serializers.SearchSerializer, 400: serializers.ErrorSerializer},
    )
    def get(self, request):
        """Lines matching `q` in documents you may read: whole or partial words, misspellings (trigram similarity),
        accents and pre-reform spellings folded, "exact phrases"; `suggestion`: the query spelt as the lines found
        write it, when words were found only misspelt."""
        params = {}
        for key in ("project", "document"):
            value = request.query_params.get(key)
            if value:
                if not value.isdigit():
                    return error(f"{key} must be an id")
                params[key] = int(value)
        text = request.query_params.get("text") or None
        if text is not None and text not in search.TEXT_KINDS:
            return error(f"text must be one of: {', '.join(search.TEXT_KINDS)}")
        q = request.query_params.get("q", "")
        if "\x00" in q:  # PostgreSQL refuses it in text
            return error("q must not contain a NUL character (%00)")
        found = search.search_run(user=request.user, q=q, text=text, **params)
        results = found.results
        try:  # people, places, dates: filters (person, place, organisation, date_from, date_to) and facets
            results, facets = entity_facets.search_refine(results=results, params=request.query_params)
        except entity_facets.FilterError as exc:
            return error(str(exc))
        return Response({"count": len(results), "results": results, "suggestion": found.suggestion, "facets": facets})
