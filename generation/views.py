"""Generation pages: the demo page (forms, active model, gallery), one job's page, results served with Range support."""

from __future__ import annotations

import mimetypes
import re

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from generation.forms import FORMS, offered_forms
from generation.registry import models_summary
from generation.services import (
    GenerationRefused,
    generation_cancel,
    generation_delete,
    generation_submit,
    job_folder,
)
from portal.jobs.consumers import job_visible_to
from portal.jobs.models import Job

GALLERY_SIZE = 48
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def session_key_of(request: HttpRequest) -> str:
    """Anonymous visitors own their jobs through the session; make sure there is one."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def visible_job(request: HttpRequest, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind__startswith="generation.").first()
    if job is None or not job_visible_to(job, request.user, request.session.session_key):
        raise Http404(_("No such generation."))
    return job


def own_jobs(request: HttpRequest):
    jobs = Job.objects.filter(kind__startswith="generation.")
    if request.user.is_authenticated:
        return jobs.filter(owner=request.user)
    return jobs.filter(owner=None, session_key=session_key_of(request))


def job_json(job: Job) -> dict:
    """The job event plus the URLs a page needs (files, websocket, cancel)."""
    data = job.as_event()
    base = reverse("generation:file", args=[job.pk, "x"])[:-1]
    data["files"] = [
        {**f, "url": base + f["name"], "download": base + f["name"] + "?download=1"}
        for f in (job.result or {}).get("files", [])
    ]
    data["files_base"] = base
    data["params"] = {k: v for k, v in job.params.items() if k != "inputs"}
    data["url"] = reverse("generation:job", args=[job.pk])
    data["cancel_url"] = reverse("generation:cancel", args=[job.pk])
    data["ws"] = f"/ws/jobs/{job.pk}/"
    return data


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def index(request: HttpRequest) -> HttpResponse:
    session_key_of(request)
    forms = {kind: form_class(auto_id=f"id_{kind}_%s") for kind, form_class in offered_forms().items()}
    return _render_index(request, forms, active=request.GET.get("tab", "text2image"))


def _render_index(request: HttpRequest, forms: dict, active: str, status: int = 200) -> HttpResponse:
    jobs = list(own_jobs(request)[:GALLERY_SIZE])
    return render(
        request,
        "generation/index.html",
        {
            "forms": forms,
            "active": active if active in forms else "text2image",
            "models": models_summary(),
            "jobs": [job_json(job) for job in jobs],
        },
        status=status,
    )


@require_POST
def submit(request: HttpRequest, kind: str) -> HttpResponse:
    form_class = FORMS.get(kind)
    if form_class is None:
        raise Http404(_("No such generation feature."))
    form = form_class(request.POST, request.FILES, auto_id=f"id_{kind}_%s")
    if not form.is_valid():
        if wants_json(request):
            messages = [str(m) for errors in form.errors.values() for m in errors]
            return JsonResponse(
                {"error": " ".join(messages), "fields": form.errors.get_json_data()},
                status=400,
            )
        forms = {k: (form if k == kind else c(auto_id=f"id_{k}_%s")) for k, c in offered_forms().items()}
        return _render_index(request, forms, kind, status=400)
    try:
        job = generation_submit(
            form=form,
            user=request.user,
            session_key=session_key_of(request),
            client_ip=client_ip(request),
        )
    except GenerationRefused as refused:
        if wants_json(request):
            return JsonResponse({"error": refused.message}, status=refused.status)
        return HttpResponse(
            refused.message,
            status=refused.status,
            content_type="text/plain; charset=utf-8",
        )
    if wants_json(request):
        return JsonResponse(job_json(job), status=202)
    return redirect("generation:job", job.pk)


@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = visible_job(request, job_id)
    if wants_json(request):
        return JsonResponse(job_json(job))
    return render(request, "generation/job.html", {"job": job_json(job)})


@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    job = visible_job(request, job_id)
    generation_cancel(job=job)
    job.refresh_from_db()
    return JsonResponse(job_json(job)) if wants_json(request) else redirect("generation:job", job.pk)


@require_POST
def job_delete(request: HttpRequest, job_id: int) -> HttpResponse:
    generation_delete(job=visible_job(request, job_id))
    return JsonResponse({"deleted": job_id}) if wants_json(request) else redirect("generation:index")


@require_GET
def result_file(request: HttpRequest, job_id: int, name: str) -> HttpResponse:
    """A result, to its owner only. Byte ranges are honoured so players can seek in a video."""
    job = visible_job(request, job_id)
    known = {f["name"] for f in (job.result or {}).get("files", [])}
    if not SAFE_NAME.match(name) or name not in known:
        raise Http404(_("No such file."))
    path = job_folder(job) / "results" / name
    if not path.is_file():
        raise Http404(_("The file is gone."))
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    size = path.stat().st_size
    match = re.match(r"bytes=(\d*)-(\d*)$", request.headers.get("Range", ""))
    if match and not request.GET.get("download"):
        start = int(match.group(1)) if match.group(1) else max(0, size - int(match.group(2) or 0))
        end = int(match.group(2)) if match.group(1) and match.group(2) else size - 1
        if start >= size or end < start:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        end = min(end, size - 1)
        with path.open("rb") as handle:
            handle.seek(start)
            body = handle.read(end - start + 1)
        response = HttpResponse(body, status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(
            path.open("rb"),
            content_type=content_type,
            as_attachment=bool(request.GET.get("download")),
            filename=name,
        )
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
