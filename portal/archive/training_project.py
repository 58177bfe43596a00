"""A project's trainings: the same jobs as a document's over all its documents' pages (training_jobs.training_start
with Scope.of_project: a recognition model from their corrected lines, a segmentation model from their pages whose
lines people edited). The model is the project's, and the project (its documents that name no model of their own)
reads with it once chosen; then the pages nobody corrected of those documents are read again with it (here, with
who may cancel a project's training).
"""

from __future__ import annotations

from django.db.models import Q

from portal.archive import pipeline
from portal.archive.models import Page, Project
from portal.archive.permissions import can_train_and_choose_models
from portal.archive.training import uncorrected_pages
from portal.archive.training_jobs import job_project
from portal.jobs.models import Job


def project_job_editable_by(job: Job, user) -> bool:
    """An owner or editor of the project a training job learns from may cancel it."""
    project = job_project(job)
    return project is not None and can_train_and_choose_models(project, user)


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
