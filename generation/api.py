"""JSON API for generation (token or session users): models, submit, list, one job, cancel.

Anonymous visitors use the demo page, which submits through the HTML views with a CSRF token.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from generation.forms import FORMS
from generation.registry import models_summary
from generation.serializers import (
    GenerationErrorSerializer,
    GenerationJobSerializer,
    GenerationModelsSerializer,
    GenerationSubmitSerializer,
)
from generation.services import GenerationRefused, generation_cancel, generation_submit
from generation.views import client_ip, job_json
from portal.jobs.models import Job


class ModelsView(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(responses=GenerationModelsSerializer, operation_id="generation_models")
    def get(self, request):
        return Response(models_summary())


class JobsView(APIView):
    """GET: your generation jobs. POST (multipart): `kind` (text2image, variations, mix, inpaint, outpaint, video)
    and that feature's fields; answers 202 with the job, 400 with the form errors, 429/503 when limits refuse."""

    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        responses=GenerationJobSerializer(many=True),
        operation_id="generation_jobs_list",
        description="Your latest 100 generation jobs, newest first.",
    )
    def get(self, request):
        jobs = Job.objects.filter(kind__startswith="generation.", owner=request.user)[:100]
        return Response([job_json(job) for job in jobs])

    @extend_schema(
        request={
            "multipart/form-data": GenerationSubmitSerializer,
            "application/x-www-form-urlencoded": GenerationSubmitSerializer,
        },
        responses={
            202: GenerationJobSerializer,
            400: GenerationErrorSerializer,
            429: GenerationErrorSerializer,
            503: GenerationErrorSerializer,
        },
        operation_id="generation_jobs_create",
    )
    def post(self, request):
        kind = request.data.get("kind", "")
        form_class = FORMS.get(kind)
        if form_class is None:
            return Response(
                {"error": f"unknown kind {kind!r}; one of {', '.join(FORMS)}"},
                status=400,
            )
        form = form_class(request.data, request.FILES)
        if not form.is_valid():
            messages = [str(m) for errors in form.errors.values() for m in errors]
            return Response(
                {"error": " ".join(messages), "fields": form.errors.get_json_data()},
                status=400,
            )
        try:
            job = generation_submit(
                form=form,
                user=request.user,
                session_key="",
                client_ip=client_ip(request),
            )
        except GenerationRefused as refused:
            return Response({"error": refused.message}, status=refused.status)
        return Response(job_json(job), status=status.HTTP_202_ACCEPTED)


def _own_job(request, job_id: int) -> Job:
    job = get_object_or_404(Job, pk=job_id, kind__startswith="generation.")
    if not (request.user.is_superuser or job.owner_id == request.user.pk):
        raise Http404
    return job


class JobView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        responses={200: GenerationJobSerializer, 404: None},
        operation_id="generation_job_retrieve",
    )
    def get(self, request, job_id: int):
        return Response(job_json(_own_job(request, job_id)))


class JobCancelView(APIView):
    permission_classes = (permissions.IsAuthenticated,)

    @extend_schema(
        request=None,
        responses={200: GenerationJobSerializer, 404: None},
        operation_id="generation_job_cancel",
        description="Cancel the job if it is queued or running; answers the job as it is now.",
    )
    def post(self, request, job_id: int):
        job = _own_job(request, job_id)
        generation_cancel(job=job)
        job.refresh_from_db()
        return Response(job_json(job))
