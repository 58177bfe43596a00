"""What the document and project pages show their members about training: what a training would learn from (the
corrected lines, the edited pages), the models it may start from, and the latest training of each kind. Who may
train and choose models is permissions.can_train_and_choose_models, here as for the API."""

from django.conf import settings
from django.http import HttpRequest

from portal.archive import htr_models, training, training_segmentation, training_words
from portal.archive.models import Document, HtrModel, Page, Project
from portal.archive.permissions import can_train_and_choose_models
from portal.archive.training_jobs import RECOGNITION, SEGMENTATION, Scope, TrainingError, base_model
from portal.jobs.models import Job


def project_panel(request: HttpRequest, project: Project) -> dict:
    """What a project training would learn from (every document's corrected lines, or its pages whose lines people
    edited), the bases of each kind it may start from and the latest project training of each kind, which its
    members see."""
    scope = Scope.of_project(project)
    counts = {pk: len(lines) for pk, lines in scope.corrected_lines().items()}
    edited = training_segmentation.scope_edited_pages(scope.documents)
    jobs = Job.objects.filter(target=scope.target).order_by("-created")
    latest = jobs.filter(kind=training.KIND).first()
    latest_segmentation = jobs.filter(kind=training_segmentation.KIND).first()
    reading, segmenting = base_or_none(RECOGNITION, scope), base_or_none(SEGMENTATION, scope)
    bases = usable_models(request, project.pk, HtrModel.Kind.RECOGNITION)
    segmenters = usable_models(request, project.pk, HtrModel.Kind.SEGMENTATION)
    chosen = {project.recognition_model_id, project.segmentation_model_id}
    can_choose = can_train_and_choose_models(project, request.user)
    return {
        "lines": sum(counts.values()),
        "documents": Page.objects.filter(pk__in=counts).values("document_id").distinct().count(),
        "bases": bases,
        "all_bases": bases + segmenters,  # the project's form: its kind shows the bases of that kind
        "segmentation": {
            "bases": segmenters,
            "reading": segmenting,
            "pages": len(edited),
            "documents": len({page.document_id for page in edited}),
            "min_pages": training_segmentation.MIN_PAGES,
        },
        # what its members may choose for it, its own first; (model, whether the project reads with it now)
        "models": [
            (m, m.pk in chosen)
            for m in sorted(bases + segmenters, key=lambda m: (m.project_id is None, m.kind, m.name))
        ],
        "reading": reading,
        "can_choose": can_choose,
        "min_lines": settings.TRAINING_MIN_LINES,
        "default_minutes": settings.TRAINING_DEFAULT_MINUTES,
        "max_minutes": settings.TRAINING_MAX_MINUTES,
        "config": {
            "projectId": project.pk,
            "minLines": settings.TRAINING_MIN_LINES,
            "canChooseModels": can_choose,
            "messages": training_words.catalogue(),  # its jobs' messages in the reader's language
            "latest": latest.as_event() if latest else None,
            "latestSegmentation": latest_segmentation.as_event() if latest_segmentation else None,
        },
    }


def base_or_none(kind: str, scope: Scope) -> HtrModel | None:
    """The model a training of job `kind` would start from by default; None when there is none."""
    try:
        return base_model(kind, scope)
    except TrainingError:
        return None


def usable_models(request: HttpRequest, project_id: int, kind: str) -> list[HtrModel]:
    """The models of `kind` the user sees that the project may use (the shipped ones and its own)."""
    return [
        m
        for m in htr_models.models_visible_to(request.user).filter(kind=kind)
        if htr_models.model_usable_in(m, project_id)
    ]


def document_panel(request: HttpRequest, document: Document, pages: list[Page]) -> dict:
    """What the document page shows its members about models: the one reading it, the project's own with their
    figures, and (editors) what a training would learn from, with the latest training."""
    counts = training.corrected_counts(document)
    scope = Scope.of_document(document)
    reading, segmenting = base_or_none(RECOGNITION, scope), base_or_none(SEGMENTATION, scope)
    usable = usable_models(request, document.project_id, HtrModel.Kind.RECOGNITION)
    segmenters = usable_models(request, document.project_id, HtrModel.Kind.SEGMENTATION)
    can_choose = can_train_and_choose_models(document.project, request.user)
    jobs = Job.objects.filter(target=f"archive.document:{document.pk}").order_by("-created")
    latest = jobs.filter(kind=training.KIND).first()
    latest_segmentation = jobs.filter(kind=training_segmentation.KIND).first()
    last_counted = (
        Job.objects.filter(kind=training.KIND, target=f"archive.document:{document.pk}")
        .exclude(status__in=[Job.Status.FAILED, Job.Status.CANCELLED])
        .order_by("-created")
        .first()
    )
    last_auto = (
        Job.objects.filter(
            kind=training.KIND, target=f"archive.document:{document.pk}", status=Job.Status.DONE, params__auto=True
        )
        .order_by("-created")
        .first()
    )
    return {
        "auto_outcome": training.outcome_words(last_auto.result) if last_auto and last_auto.result else "",
        "auto_since": training.corrected_total(document)
        - int((last_counted.params.get("corrected") or 0) if last_counted else 0),
        "reading": reading,
        "models": [m for m in usable + segmenters if m.project_id is not None],
        "bases": usable,
        "segmentation": {
            "reading": segmenting,
            "bases": segmenters,
            "pages": training_segmentation.edited_pages(document),
            "min_pages": training_segmentation.MIN_PAGES,
        },
        "pages": [(page, counts[page.pk]) for page in pages if page.pk in counts],
        "can_choose": can_choose,
        "lines": sum(counts.values()),
        "min_lines": settings.TRAINING_MIN_LINES,
        "default_minutes": settings.TRAINING_DEFAULT_MINUTES,
        "max_minutes": settings.TRAINING_MAX_MINUTES,
        "config": {
            "minLines": settings.TRAINING_MIN_LINES,
            "projectId": document.project_id,
            "canChooseModels": can_choose,
            "messages": training_words.catalogue(),  # its jobs' messages in the reader's language
            "readingModel": reading.pk if reading else None,
            "latest": latest.as_event() if latest else None,
            "latestSegmentation": latest_segmentation.as_event() if latest_segmentation else None,
            # the pages with lines nobody wrote: what reading again with another model changes
            "uncorrected": [page.pk for page in pages if counts.get(page.pk, 0) < page.line_count],
        },
    }
