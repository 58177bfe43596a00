"""Training from every document of a project (issue #11.2, "from the document or project page"): the same jobs as a
document's, over all the project's pages: a recognition model from its corrected lines (training.py), a segmentation
model from the pages whose lines people edited (training_segmentation.py). The model is the project's, and the
project (its documents that name no model of their own) reads with it once chosen; then the pages nobody corrected
of those documents are read again with it.
"""

from __future__ import annotations

from django.db.models import Q

from portal.archive import htr_models, pipeline
from portal.archive.models import HtrModel, Page, Project
from portal.archive.permissions import can_train_and_choose_models
from portal.archive.training import KIND, lines_checked, uncorrected_pages
from portal.archive.training_jobs import Scope, base_model, budget_checked, job_project, job_queue
from portal.archive.training_segmentation import KIND as SEGMENTATION_KIND
from portal.archive.training_segmentation import pages_counted, scope_edited_pages
from portal.jobs.models import Job


def project_job_editable_by(job: Job, user) -> bool:
    """An owner or editor of the project a training job learns from may cancel it."""
    project = job_project(job)
    return project is not None and can_train_and_choose_models(project, user)


def project_base_model(project: Project, base_id: int | None = None, *, user=None) -> HtrModel:
    """The model to fine-tune: `base_id` (one the user sees, the shipped ones or the project's), else the project's
    model, else the shipped model of its script."""

    def projects() -> HtrModel | None:
        return project.recognition_model or htr_models.shipped_model(HtrModel.Kind.RECOGNITION, project.script)

    return base_model(HtrModel.Kind.RECOGNITION, project_id=project.pk, base_id=base_id, user=user, default=projects)


def project_training_start(
    *, project: Project, user, minutes: float | None = None, epochs: int | None = None, base_id: int | None = None
) -> Job:
    """Queue a training on the corrected lines of all the project's documents (on `training`, once the transaction
    commits). TrainingBusy while another training of the project runs; TrainingError when it cannot start."""
    minutes, epochs = budget_checked(minutes, epochs)
    base = project_base_model(project, base_id, user=user)
    scope = Scope.of_project(project)
    lines = scope.corrected_lines()
    lines_checked(sum(len(v) for v in lines.values()), "the documents of this project have")
    return job_queue(
        scope=scope,
        user=user,
        kind=KIND,
        base=base,
        minutes=minutes,
        epochs=epochs,
        pages=sorted(lines),
        auto=False,
        documents=Page.objects.filter(pk__in=lines).values("document_id").distinct().count(),
    )


def project_segmentation_base_model(project: Project, base_id: int | None = None, *, user=None) -> HtrModel:
    """The segmentation model to fine-tune: `base_id` (one the user sees, the shipped ones or the project's), else
    the project's segmentation model, else the shipped one."""

    def projects() -> HtrModel | None:
        shipped = HtrModel.objects.filter(project=None, kind=HtrModel.Kind.SEGMENTATION).order_by("name")
        return project.segmentation_model or shipped.first()

    return base_model(HtrModel.Kind.SEGMENTATION, project_id=project.pk, base_id=base_id, user=user, default=projects)


def project_segmentation_training_start(
    *, project: Project, user, minutes: float | None = None, epochs: int | None = None, base_id: int | None = None
) -> Job:
    """Queue a segmentation training on the pages whose lines a person edited, in all the project's documents (on
    `training`, once the transaction commits). TrainingBusy while another training of the project runs (of either
    kind); TrainingError when it cannot start."""
    minutes, epochs = budget_checked(minutes, epochs)
    base = project_segmentation_base_model(project, base_id, user=user)
    scope = Scope.of_project(project)
    found = scope_edited_pages(scope.documents)
    pages_counted(len(found), "the documents of this project have")
    return job_queue(
        scope=scope,
        user=user,
        kind=SEGMENTATION_KIND,
        base=base,
        minutes=minutes,
        epochs=epochs,
        pages=[p.pk for p in found],
        documents=len({p.document_id for p in found}),
    )


def project_reread_start(*, project: Project, user) -> list[Job]:
    """Read again, with the project's recognition model, the pages with lines nobody wrote of every document that
    reads with it (naming no model of its own, or that one); pages being processed are skipped. Corrected lines keep
    their text (pipeline.py). ValueError when the project has no model of its own to read with."""
    if project.recognition_model_id is None:
        raise ValueError("this project names no recognition model: choose one for it first")
    documents = list(
        project.documents.filter(
            Q(recognition_model__isnull=True) | Q(recognition_model_id=project.recognition_model_id)
        ).order_by("pk")
    )
    pages = Page.objects.filter(pk__in=uncorrected_pages(documents)).order_by("document_id", "number")
    return pipeline.pages_rerun(pages=pages, steps=["recognition"], user=user)
