"""HTML pages of the archive. Short views: permissions from permissions.py, data through the ORM or the JSON API."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.archive import htr_models, job_words, layout, training, training_panels
from portal.archive.forms import DocumentForm, MemberForm, ProjectForm, ProjectSettingsForm
from portal.archive.models import Document, HtrModel, Membership, Page, Project, Script
from portal.archive.permissions import (
    MEMBERS_ONLY_JOBS,
    can_edit_document,
    can_manage_document,
    can_read_document,
)
from portal.jobs.models import Job

# The letters the editor's keyboard offers for each script (then the document's own): French, with combining
# accents (acute, grave, circumflex, diaeresis, tilde) to put on any letter; pre-reform Russian.
KEYBOARDS = {
    Script.LATIN: "œæçſ\u0301\u0300\u0302\u0308\u0303",
    Script.CYRILLIC: "ѣіъѳѵѧѫѯѱҁ",
}
ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


def editor_keyboard(document: Document) -> str:
    """The editor's keys: the letters of the document's script, then its project's characters, then its own."""
    keys = ""
    for char in KEYBOARDS.get(document.script, "") + document.project.keyboard + document.keyboard:
        if char not in keys:
            keys += char
    return keys


class Hidden(Http404):
    """Missing, or there but not for this user (the two look alike): a 404, or the login page if anonymous."""


def _readable_document(request: HttpRequest, document_id: int) -> Document:
    """The document, or 404 for outsiders (a private document's existence is not revealed)."""
    document = Document.objects.select_related("project").filter(pk=document_id).first()
    if document is None or not can_read_document(document, request.user):
        raise Hidden(_("No such document."))
    return document


def _member_project(request: HttpRequest, project_id: int) -> tuple[Project, str]:
    project = Project.objects.filter(pk=project_id).first()
    role = project.role_of(request.user) if project else None
    if role is None:
        raise Hidden(_("No such project."))
    return project, role


def _project_for(request: HttpRequest, project_id: int, roles=(Membership.Role.OWNER,)) -> Project:
    """The project, for a member in one of `roles` (by default its owner); 404 for anyone else."""
    project, role = _member_project(request, project_id)
    if role not in roles:
        raise Http404(_("No such project."))
    return project


def _login_first(view):
    """Anonymous visitors of a page they cannot see are sent to log in; others get the view's own answer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Hidden:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise

    return wrapped


def home(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.none()
    if request.user.is_authenticated:
        projects = (
            Project.objects.all()
            if request.user.is_superuser
            else Project.objects.filter(Q(owner=request.user) | Q(memberships__user=request.user))
        )
        projects = projects.distinct().annotate(document_count=Count("documents", distinct=True))
    public_documents = (
        Document.objects.filter(is_public=True).select_related("project").annotate(page_count=Count("pages"))[:50]
    )
    return render(
        request,
        "archive/home.html",
        {
            "projects": projects,
            "public_documents": public_documents,
            # A published document's project stays private: its name is shown to the project's members only.
            "member_project_ids": {project.pk for project in projects},
            "project_form": ProjectForm(),
        },
    )


@require_POST
def project_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = ProjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The project was not created: %(errors)s") % {"errors": _form_errors(form)})
        return redirect("home")
    project = form.save(commit=False)
    project.owner = request.user
    project.save()
    return redirect("project", project_id=project.pk)


@_login_first
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project, role = _member_project(request, project_id)
    documents = project.documents.annotate(page_count=Count("pages"))
    memberships = project.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "archive/project.html",
        {
            "project": project,
            "role": role,
            "can_edit": role in (Membership.Role.OWNER, Membership.Role.EDITOR),
            "can_manage": role == Membership.Role.OWNER,
            "documents": documents,
            "memberships": memberships,
            "document_form": DocumentForm(initial={"script": project.script}),
            "member_form": MemberForm(project=project),
            "settings_form": ProjectSettingsForm(instance=project) if role == Membership.Role.OWNER else None,
            "models": project.htr_models.select_related("base").order_by("-created"),
            # what each document could train on: its corrected lines
            "corrected": [(document, training.corrected_total(document)) for document in documents],
            "training": training_panels.project_panel(request, project) if role is not None else None,
        },
    )


@require_POST
@_login_first
def project_update(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's settings, its editor keyboard included: its manager (owner) only."""
    project = _project_for(request, project_id)
    form = ProjectSettingsForm(request.POST, instance=project)
    if form.is_valid():
        form.save()
        messages.success(request, _("Project settings saved."))
    else:
        messages.error(request, _("The project settings were not saved: %(errors)s") % {"errors": _form_errors(form)})
    return redirect("project", project_id=project.pk)


@require_POST
@_login_first
def document_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id, (Membership.Role.OWNER, Membership.Role.EDITOR))
    form = DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The document was not created: %(errors)s") % {"errors": _form_errors(form)})
        return redirect("project", project_id=project.pk)
    document = form.save(commit=False)
    document.project = project
    if not request.POST.get("script"):
        document.script = project.script
    document.created_by = request.user
    document.save()
    return redirect("document", document_id=document.pk)


@require_POST
@_login_first
def member_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_for(request, project_id)
    form = MemberForm(request.POST, project=project)
    if form.is_valid():
        user = form.cleaned_data["username"]
        Membership.objects.update_or_create(project=project, user=user, defaults={"role": form.cleaned_data["role"]})
        messages.success(request, _("%(name)s is now a member.") % {"name": user.get_username()})
    else:
        messages.error(request, _form_errors(form))
    return redirect("project", project_id=project.pk)


@require_POST
@_login_first
def member_remove(request: HttpRequest, project_id: int, membership_id: int) -> HttpResponse:
    project = _project_for(request, project_id)
    get_object_or_404(Membership, pk=membership_id, project=project).delete()
    return redirect("project", project_id=project.pk)


def _page_jobs(pages: list[Page]) -> dict[int, dict]:
    """The newest active job of each page, as the event the websocket would send (a reload never loses progress)."""
    targets = {f"archive.page:{page.pk}": page for page in pages}
    found: dict[int, dict] = {}
    for job in Job.objects.filter(target__in=targets, status__in=ACTIVE).order_by("created"):
        page = targets[job.target]
        found[page.pk] = {**job.as_event(), "words": job_words.page_job_words(job.as_event(), page.state)}
    return found


def _page_failures(pages: list[Page]) -> dict[int, dict]:
    """{page id: its card's words and error} of the failed pages' last failed jobs."""
    targets = {f"archive.page:{page.pk}": page for page in pages}
    found: dict[int, dict] = {}
    for job in Job.objects.filter(target__in=targets, status=Job.Status.FAILED).order_by("created"):
        found[targets[job.target].pk] = job_words.page_failure(job)
    return found


@_login_first
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_document(request, document_id)
    pages = list(document.pages.annotate(line_count=Count("lines")))
    jobs = _page_jobs(pages)
    failures = _page_failures([page for page in pages if page.state == Page.State.FAILED and page.pk not in jobs])
    for page in pages:
        page.job = jobs.get(page.pk)
        page.failure = failures.get(page.pk)
    member = document.project.role_of(request.user) is not None
    document_jobs = [
        {**job.as_event(), "words": job_words.document_job_words(job.as_event())}
        for job in Job.objects.filter(target=f"archive.document:{document.pk}", status__in=ACTIVE)
        if member or job.kind not in MEMBERS_ONLY_JOBS  # a training is its project's business
    ]
    training_panel = training_panels.document_panel(request, document, pages) if member else None
    return render(
        request,
        "archive/document.html",
        {
            "training": training_panel,
            "document": document,
            "pages": pages,
            "document_jobs": document_jobs,
            "export_formats": [("text", _("Plain text")), ("alto", "ALTO"), ("page", "PAGE XML"), ("tei", "TEI P5")],
            "can_edit": can_edit_document(document, request.user),
            "can_manage": can_manage_document(document, request.user),
            "is_member": member,
            "settings_form": DocumentForm(instance=document),
            "page_config": {
                "documentId": document.pk,
                "canEdit": can_edit_document(document, request.user),
                "stateLabels": {value: str(label) for value, label in Page.State.choices},
                "stepStates": {step: str(state) for step, state in job_words.STEP_STATES.items()},
                "failureWords": job_words.page_failure_words(),
                "jobs": document_jobs + [page.job for page in pages if page.job],
                "training": training_panel["config"] if training_panel else None,
            },
        },
    )


@_login_first
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    """A model's figures and training curve, for those who may see it (a project's model: its members)."""
    model = htr_models.models_visible_to(request.user).filter(pk=model_id).first()
    if model is None:
        raise Hidden(_("No such model."))
    return render(
        request,
        "archive/model.html",
        {
            "model": model,
            "curve": (model.figures or {}).get("curve") or [],
            "curve_data": {
                "curve": (model.figures or {}).get("curve") or [],
                "base_cer": (model.figures or {}).get("base_cer"),
                "base_f1": (model.figures or {}).get("base_f1"),
                "metric": "f1" if model.kind == HtrModel.Kind.SEGMENTATION else "cer",
            },
            "documents": Document.objects.filter(Q(recognition_model=model) | Q(segmentation_model=model)).order_by(
                "title"
            )
            if model.project_id
            else Document.objects.none(),
        },
    )


@require_POST
@_login_first
def document_update(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_document(request, document_id)
    if not can_edit_document(document, request.user):
        raise Http404(_("No such document."))
    form = DocumentForm(request.POST, instance=document)
    if form.is_valid():
        form.save()
        messages.success(request, _("Document settings saved."))
    else:
        messages.error(request, _form_errors(form))
    return redirect("document", document_id=document.pk)


@require_POST
@_login_first
def document_publish(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_document(request, document_id)
    if not can_manage_document(document, request.user):
        raise Http404(_("No such document."))
    document.is_public = request.POST.get("publish") == "1"
    document.save(update_fields=["is_public", "updated"])
    if document.is_public:
        messages.success(request, _("The document is published: anyone may read it."))
    else:
        messages.success(request, _("The document is private again."))
    return redirect("document", document_id=document.pk)


@_login_first
def page_editor(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """The correction editor; the same viewer, read-only, for visitors of a published document."""
    document = _readable_document(request, document_id)
    page = get_object_or_404(Page, document=document, number=number)
    numbers = list(document.pages.values_list("number", flat=True))
    index = numbers.index(page.number)
    can_edit = can_edit_document(document, request.user) and request.GET.get("view") != "read"
    keyboard = editor_keyboard(document)
    focus_line = request.GET.get("line", "")
    config = {
        "pageId": page.pk,
        "documentId": document.pk,
        "pageNumber": page.number,
        "width": page.width,
        "height": page.height,
        "canEdit": can_edit,
        "direction": document.direction,
        "keyboard": list(keyboard),
        "focusLine": int(focus_line) if focus_line.isdigit() else None,
        "osdImages": static("vendor/openseadragon/images/"),
        "stateLabels": {value: str(label) for value, label in Page.State.choices},
    }
    return render(
        request,
        "archive/editor.html",
        {
            "document": document,
            "page": page,
            "page_count": len(numbers),
            "previous_number": numbers[index - 1] if index > 0 else None,
            "next_number": numbers[index + 1] if index + 1 < len(numbers) else None,
            "can_edit": can_edit,
            "keyboard": keyboard,
            "region_kinds": layout.REGION_KINDS.items(),
            "config": config,
        },
    )


def search(request: HttpRequest) -> HttpResponse:
    """The search form with its filters (the user's projects and their documents); search.js asks the API."""
    from portal.archive import search as searching
    from portal.archive.selectors import projects_visible_to
    from portal.entities import facets

    projects = list(projects_visible_to(request.user).prefetch_related("documents"))
    return render(
        request,
        "archive/search.html",
        {
            "query": request.GET.get("q", "").strip(),
            "projects": projects,
            "text_kinds": searching.TEXT_KINDS,
            "chosen": {
                key: request.GET.get(key, "").strip() for key in ("project", "document", "text", *facets.FILTERS)
            },
            "chips": facets.active_filters(request.GET),
            "date_error": facets.date_range_error(request.GET),
        },
    )


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
