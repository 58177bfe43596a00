"""Training a recognition model from the corrected lines of every document of a project (issue #11.2, "from the
document or project page"): the same job as a document's (training.py), over all the project's corrected pages; the
model is the project's, and the project (its documents that name no model of their own) reads with it once chosen.
"""

from __future__ import annotations

from django.conf import settings

from portal.archive import htr_models
from portal.archive.models import HtrModel, Membership, Page, Project
from portal.archive.training import KIND, Scope, TrainingError, budget_checked, job_queue
from portal.jobs.models import Job

EDIT_ROLES = (Membership.Role.OWNER, Membership.Role.EDITOR)


def job_project(job: Job) -> Project | None:
    kind, _, pk = job.target.partition(":")
    return Project.objects.filter(pk=pk).first() if kind == "archive.project" and pk.isdigit() else None


def project_scope(job: Job) -> Scope | None:
    project = job_project(job)
    if project is None:
        return None
    return Scope(project_id=project.pk, title=project.name, documents=list(project.documents.order_by("pk")))


def project_job_editable_by(job: Job, user) -> bool:
    """An owner or editor of the project a training job learns from may cancel it."""
    project = job_project(job)
    return project is not None and project.role_of(user) in EDIT_ROLES


def project_base_model(project: Project, base_id: int | None = None, *, user=None) -> HtrModel:
    """The model to fine-tune: `base_id` (one the user sees, the shipped ones or the project's), else the project's
    model, else the shipped model of its script."""
    if base_id is not None:
        model = htr_models.models_visible_to(user).filter(pk=base_id, kind=HtrModel.Kind.RECOGNITION).first()
        if model is None:
            raise TrainingError(f"there is no recognition model {base_id}")
        if not htr_models.model_usable_in(model, project.pk):
            raise TrainingError(f"model {base_id} belongs to another project")
        return model
    model = project.recognition_model or htr_models.shipped_model(HtrModel.Kind.RECOGNITION, project.script)
    if model is None:
        raise TrainingError("there is no recognition model to start from")
    return model


def project_training_start(
    *, project: Project, user, minutes: float | None = None, epochs: int | None = None, base_id: int | None = None
) -> Job:
    """Queue a training on the corrected lines of all the project's documents (on `training`, once the transaction
    commits). TrainingBusy while another training of the project runs; TrainingError when it cannot start."""
    minutes, epochs = budget_checked(minutes, epochs)
    base = project_base_model(project, base_id, user=user)
    scope = Scope(project_id=project.pk, title=project.name, documents=list(project.documents.all()))
    lines = scope.corrected_lines()
    count = sum(len(v) for v in lines.values())
    needed = settings.TRAINING_MIN_LINES
    if count < needed:
        raise TrainingError(
            f"Training needs at least {needed} corrected lines; the documents of this project have {count}. "
            f"Correct {needed - count} more line{'s' if needed - count != 1 else ''} and try again."
        )
    return job_queue(
        project=project,
        user=user,
        kind=KIND,
        params={
            "pages": sorted(lines),
            "base": base.pk,
            "minutes": minutes,
            "epochs": epochs,
            "auto": False,
            "documents": Page.objects.filter(pk__in=lines).values("document_id").distinct().count(),
        },
    )
