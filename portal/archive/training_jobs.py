"""What every training job of the portal shares, whatever it trains (recognition: training.py, segmentation:
training_segmentation.py) and whatever it learns from (a document, or every document of a project: Scope).

A training starts after checking its budget, pages and base model, as one job per document or project at a time (a
second gets TrainingBusy: 409), queued on `training` once the transaction commits. It runs in a work folder that is
always removed; it reports its figures and curve so far on the job's result and its progress about once a second
(the cancel check rides on that report, so a cancel stops it within a batch); it registers the model
(project-scoped) only when it finished. A worker that dies leaves the job to the heartbeat, which fails it: a
training is never run twice. Each kind says only what differs: what it learns from, how it trains and scores.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.accounts.users import signed_in
from portal.archive import htr_models
from portal.archive import training_words as W
from portal.archive.models import Document, HtrModel, Line, Page, Project
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_finish, job_progress, job_start
from portal.jobs.queue import job_enqueue

log = logging.getLogger(__name__)

RECOGNITION = "model_training"  # the job kinds
SEGMENTATION = "segmentation_training"
KINDS = (RECOGNITION, SEGMENTATION)
REPORT_SECONDS = 1.0  # progress within an epoch, and how soon a cancel is noticed
TRAIN, HELD_OUT = "train", "held-out"  # the work folder's sources (page_write)


class TrainingError(ValueError):
    """A training that cannot start as asked (too few lines, an unknown base...): the message says why."""


class TrainingBusy(TrainingError):
    """The document (or project) is being trained on already."""


@dataclass
class Scope:
    """What a training learns from: one document (`document`), or every document of a project (`project`).
    `title` names its models."""

    project_id: int
    title: str
    script: str
    documents: list[Document]
    document: Document | None = None
    project: Project | None = None

    @classmethod
    def of_document(cls, document: Document) -> Scope:
        return cls(
            project_id=document.project_id,
            title=document.title,
            script=document.script,
            documents=[document],
            document=document,
        )

    @classmethod
    def of_project(cls, project: Project) -> Scope:
        documents = list(project.documents.order_by("pk"))
        return cls(
            project_id=project.pk, title=project.name, script=project.script, documents=documents, project=project
        )

    @property
    def target(self) -> str:
        return f"archive.document:{self.document.pk}" if self.document else f"archive.project:{self.project_id}"

    @property
    def noun(self) -> str:
        return "document" if self.document else "project"

    def whose(self, pages: list[int] | None) -> str:
        """Whose lines or pages a TrainingError counts ("this document has 3")."""
        if self.document is None:
            return "the documents of this project have"
        return "the chosen pages have" if pages is not None else "this document has"

    def chosen_model(self, model_kind: str) -> HtrModel | None:
        """The model of `model_kind` it reads with now (a document's, else its project's); None: the default."""
        return (self.document or self.project).chosen_model(model_kind)

    def corrected_lines(self, pages: list[int] | None = None) -> dict[int, list[tuple[Line, str]]]:
        """{page id: [(line, text)]} of the lines people wrote, in all its documents."""
        from portal.archive.training import corrected_lines

        found: dict[int, list[tuple[Line, str]]] = {}
        for document in self.documents:
            found.update(corrected_lines(document, pages))
        return found


# --- starting -------------------------------------------------------------------------------------------------------


def budget_checked(minutes: float | None, epochs: int | None) -> tuple[float | None, int | None]:
    """The training budget asked for, within the limits (neither: TRAINING_DEFAULT_MINUTES)."""
    if minutes is None and epochs is None:
        minutes = settings.TRAINING_DEFAULT_MINUTES
    if minutes is not None and not 0 < minutes <= settings.TRAINING_MAX_MINUTES:
        raise TrainingError(f"minutes must be more than 0 and at most {settings.TRAINING_MAX_MINUTES}")
    if epochs is not None and not 0 < epochs <= 1000:
        raise TrainingError("epochs must be between 1 and 1000")
    return minutes, epochs


def pages_checked(scope: Scope, pages: list[int] | None) -> None:
    if pages is not None:
        known = Page.objects.filter(document__in=scope.documents, pk__in=pages).values_list("pk", flat=True)
        unknown = set(pages) - set(known)
        if unknown:
            raise TrainingError(f"page(s) {', '.join(map(str, sorted(unknown)))} are not pages of this {scope.noun}")


def base_model(kind: str, scope: Scope, base_id: int | None = None, *, user=None) -> HtrModel:
    """The model a training of job `kind` fine-tunes: `base_id` (one the user sees, usable in the project), else the
    one the document (or project) reads with now, else the kind's shipped one."""
    training_kind = _kinds()[kind]
    model_kind = training_kind.model_kind
    if base_id is not None:
        model = htr_models.models_visible_to(user).filter(pk=base_id, kind=model_kind).first()
        if model is None:
            raise TrainingError(f"there is no {model_kind} model {base_id}")
        if not htr_models.model_usable_in(model, scope.project_id):
            raise TrainingError(f"model {base_id} belongs to another project")
        return model
    model = scope.chosen_model(model_kind) or training_kind.shipped(scope)
    if model is None:
        raise TrainingError(f"there is no {model_kind} model to start from")
    return model


def training_start(
    *,
    scope: Scope,
    kind: str,
    user,
    minutes: float | None = None,
    epochs: int | None = None,
    pages: list[int] | None = None,
    base_id: int | None = None,
    **options,
) -> Job:
    """Check what a training of job `kind` would learn from and queue it on `training` (once the transaction
    commits). TrainingBusy while another training of the document (or project) runs; TrainingError when it cannot
    start. `options`: its kind's own (recognition: `auto`)."""
    minutes, epochs = budget_checked(minutes, epochs)
    base = base_model(kind, scope, base_id, user=user)
    pages_checked(scope, pages)
    learns_from, more = _kinds()[kind].sources(scope, pages, **options)
    params = {"pages": learns_from, "base": base.pk, "minutes": minutes, "epochs": epochs, **more}
    return job_queue(scope=scope, user=user, kind=kind, params=params)


def active_training(target: str) -> Job | None:
    """The running training of a document or project (`archive.document:3`), of any kind: one at a time."""
    return Job.objects.filter(kind__in=KINDS, target=target, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).first()


def job_queue(*, scope: Scope, user, kind: str, params: dict) -> Job:
    """The training job of the document (or project), queued once the transaction commits; TrainingBusy while
    another training of it runs."""
    source = scope.document if scope.document is not None else scope.project
    with transaction.atomic():
        type(source).objects.select_for_update().filter(pk=source.pk).first()  # one start at a time
        running = active_training(scope.target)
        if running is not None:
            raise TrainingBusy(f"a training of this {scope.noun} is already running (job {running.pk})")
        job = Job.objects.create(
            kind=kind,
            owner=signed_in(user),
            target=scope.target,
            group=f"{scope.noun}-{source.pk}",
            params=params,
            total=100,
            message=W.message(W.WAITING),
            task_id=str(uuid4()),
        )
        from portal.archive import tasks

        job_enqueue(tasks.train_model.si(job.pk).set(task_id=job.task_id), job=job)
    return job


# --- running --------------------------------------------------------------------------------------------------------


def job_document(job: Job) -> Document | None:
    kind, _, pk = job.target.partition(":")
    return Document.objects.filter(pk=pk).select_related("project").first() if kind == "archive.document" else None


def job_project(job: Job) -> Project | None:
    kind, _, pk = job.target.partition(":")
    return Project.objects.filter(pk=pk).first() if kind == "archive.project" and pk.isdigit() else None


def job_scope(job: Job) -> Scope | None:
    """The document or project the training job learns from; None once it was deleted."""
    document = job_document(job)
    if document is not None:
        return Scope.of_document(document)
    project = job_project(job)
    return Scope.of_project(project) if project is not None else None


@dataclass(frozen=True)
class TrainingKind:
    """What a kind of training says of its own; the rest is here."""

    model_kind: str  # the HtrModel kind it trains
    shipped: Callable[[Scope], HtrModel | None]  # its base when the document (or project) chose none
    # (scope, page ids or None, **options) -> (the page ids it learns from, its own params); TrainingError: too few
    sources: Callable[..., tuple[list[int], dict]]
    train: Callable[[Job, Scope, Path], dict]  # (job, scope, work folder) -> its result
    summary: Callable[[dict], str]  # the result in words


def _kinds() -> dict[str, TrainingKind]:
    from portal.archive import training, training_segmentation

    return {RECOGNITION: training.TRAINING, SEGMENTATION: training_segmentation.TRAINING}


def training_run(*, job_id: int) -> None:
    """The training job: its kind's work in a work folder that is removed after. Every failure ends on the job; a
    cancelled one registers nothing."""
    job = Job.objects.filter(pk=job_id, kind__in=KINDS).first()
    if job is None or not job.is_active:
        return
    training_kind = _kinds()[job.kind]
    scope = job_scope(job)
    work = Path(settings.MODELS_DIR) / f"project-{scope.project_id if scope else 0}" / f".training-{job.pk}"
    try:
        job_start(job, total=100, message=W.message(W.GATHERING))
        if scope is None:
            raise TrainingError(
                f"the {'project' if job.target.startswith('archive.project') else 'document'} was deleted"
            )
        result = training_kind.train(job, scope, work)
        shutil.rmtree(work, ignore_errors=True)  # before the job says done: whoever sees it done sees no work left
        job_finish(job, result=result, message=result.get("outcome") or training_kind.summary(result))
    except JobSuperseded:
        log.warning("training job %s handed over", job_id)
    except JobCancelled:
        log.info("training job %s cancelled", job_id)
    except Exception as exc:  # noqa: BLE001 - recorded on the job
        log.exception("training job %s failed", job_id)
        job_fail(job, f"the training failed: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def page_write(folder: Path, page: Page, lines: list[tuple[Line, str]]) -> tuple[Path, object]:
    """The page's image (linked) and an ALTO file with these lines, as htr's training sources read them."""
    import htr.formats
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage

    folder.mkdir(parents=True, exist_ok=True)
    source = Path(page.image.path)
    image = folder / f"page-{page.number}{source.suffix.lower()}"
    try:
        os.symlink(source, image)
    except OSError:
        shutil.copyfile(source, image)
    hpage = HtrPage(
        image=image.name,
        width=page.width,
        height=page.height,
        lines=[
            HtrLine(
                id=f"l{line.pk}",
                polygon=[tuple(p) for p in line.polygon],
                baseline=[tuple(p) for p in line.baseline],
                text=text,
            )
            for line, text in lines
        ],
    )
    htr.formats.write_page(hpage, folder / f"page-{page.number}.xml", "alto")
    return image, hpage


def finite(value) -> float | None:
    return round(float(value), 2) if isinstance(value, int | float) and math.isfinite(value) else None


class Report:
    """A running training's word to the portal: its figures and curve so far on the job's result (a reload reads
    them), and its progress between 5 % and 95 % by the share of the budget spent, about once a second. Every
    report may raise JobCancelled: that is how a cancel reaches the training loop."""

    def __init__(self, job: Job, live: dict):
        self.job, self.live = job, live
        self.minutes, self.epochs = job.params.get("minutes"), job.params.get("epochs")
        self.reported = time.monotonic()
        self.save()

    def save(self) -> None:
        self.job.result = dict(self.live, curve=list(self.live["curve"]))
        Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt).update(result=self.job.result)

    def percent(self, minutes: float, epochs: float) -> int:
        """`minutes` spent and `epochs` done (fractions allowed) of the budget, as the job's percent done."""
        by_time = minutes / self.minutes if self.minutes else 0.0
        by_epoch = epochs / self.epochs if self.epochs else 0.0
        return 5 + int(90 * min(max(by_time, by_epoch), 1.0))

    def point(self, point: dict, message: str, done: int | None = None) -> None:
        """A validation point of the curve, always reported and pushed (the live curve grows by it)."""
        self.live["curve"].append(point)
        self.save()
        self.reported = time.monotonic()
        job_progress(self.job, done=self.job.done if done is None else done, message=message, force=True)

    def progress(self, *, minutes: float, epochs: float, message: str) -> None:
        """Progress within the training, about once a second."""
        if time.monotonic() - self.reported < REPORT_SECONDS:
            return
        self.reported = time.monotonic()
        job_progress(self.job, done=self.percent(minutes, epochs), message=message)


def config_args(job: Job, base: HtrModel, work: Path) -> dict:
    """What every htr training config takes from the job: the pages written (page_write) into `work`'s TRAIN and
    HELD_OUT folders, the new model's folder (`work`/model), the base and the budget."""
    return {
        "train": [str(work / TRAIN)],
        "val": [str(work / HELD_OUT)],
        "out": str(work / "model"),
        "base": str(base.directory),
        "minutes": job.params.get("minutes"),
        "epochs": job.params.get("epochs"),
        "device": settings.HTR_DEVICE,
    }


def model_name(scope: Scope) -> str:
    n = HtrModel.objects.filter(project_id=scope.project_id).count() + 1
    return f"{scope.title[:150]} v{n}"


@dataclass
class NewModel:
    """A trained model in the project's models folder, scored there before it is registered."""

    job: Job
    scope: Scope
    base: HtrModel
    name: str
    folder: Path

    def register(self, *, figures: dict, lines: int, pages: int) -> HtrModel:
        """The trained model in the registry, the project's own, after a last cancel check."""
        job_progress(self.job, done=99, message=W.message(W.REGISTERING))  # the last word of a cancel
        with transaction.atomic():
            return HtrModel.objects.create(
                name=self.name,
                kind=self.base.kind,
                script=self.base.script,
                language=self.base.language,
                base=self.base,
                path=str(self.folder),
                figures=figures,
                trained_lines=lines,
                trained_pages=pages,
                trained_by=self.job.owner,
                trained_at=timezone.now(),
                project_id=self.scope.project_id,
            )


@contextmanager
def new_model(job: Job, scope: Scope, base: HtrModel, work: Path) -> Iterator[NewModel]:
    """The model trained into `work`/model, moved into the project's models; the folder goes again when anything
    fails (or is cancelled) before the model is registered."""
    name = model_name(scope)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()[:60] or "model"
    folder = Path(settings.MODELS_DIR) / f"project-{scope.project_id}" / f"{slug}-{job.pk}"
    shutil.move(str(work / "model"), folder)
    try:
        yield NewModel(job=job, scope=scope, base=base, name=name, folder=folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
