"""Training a recognition model from a document's corrected lines, in the portal.

A line counts as corrected when a person wrote its text (a revision by a person in the manual layer, or imported
ground truth that nothing replaced): the same rule that keeps it through a new reading (segmentation.py). Some of
those lines are held back (whole pages when there are 3 or more, else lines) and both the base model and the new one
are scored on exactly them, so the result says "base 35.0 → new 23.0 CER on N held-out corrected lines". The job
runs on the `training` queue; it reports each epoch (loss, validation CER, the curve so far) on the document's
channel, reports the batches within an epoch about once a second, stops within a batch once cancelled (the
check rides on that report), and registers the model (project-scoped) only when it finished.
A training is never run twice: a worker that dies leaves it to the heartbeat, which fails it.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portal.archive import htr_models
from portal.archive.models import Document, HtrModel, Layer, Line, Page, Transcription
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_finish, job_progress, job_start
from portal.jobs.queue import job_enqueue

log = logging.getLogger(__name__)

KIND = "model_training"
HELD_OUT_SHARE = 0.15  # of the corrected lines, for validation and the before/after figures
BATCH_REPORT_SECONDS = 1.0  # progress within an epoch, and how soon a cancel is noticed


class TrainingError(ValueError):
    """A training that cannot start as asked (too few lines, an unknown base...): the message says why."""


class TrainingBusy(TrainingError):
    """The document is being trained on already."""


# --- what there is to learn from ------------------------------------------------------------------------------------


def corrected_lines(document: Document, pages: list[int] | None = None) -> dict[int, list[tuple[Line, str]]]:
    """{page id: [(line, text)]} of the lines a person wrote, in reading order; `pages`: only these page ids."""
    people = Transcription.objects.filter(
        line__page__document=document,
        revisions__author__isnull=False,
        layer__kind__in=[Layer.Kind.MANUAL, Layer.Kind.GROUND_TRUTH],
    )
    if pages is not None:
        people = people.filter(line__page_id__in=pages)
    texts: dict[int, tuple[str, str]] = {}  # line id -> (layer kind, text); the manual layer wins
    for line_id, kind, text in people.values_list("line_id", "layer__kind", "text").distinct():
        if kind == Layer.Kind.MANUAL or line_id not in texts:
            texts[line_id] = (kind, text)
    with_manual = set(
        Transcription.objects.filter(line_id__in=texts, layer__kind=Layer.Kind.MANUAL).values_list("line_id", flat=True)
    )
    found: dict[int, list[tuple[Line, str]]] = {}
    for line in Line.objects.filter(pk__in=texts).order_by("page__number", "order", "pk"):
        kind, text = texts[line.pk]
        # imported text shown under a reading the manual layer took since is no longer what the page says
        if kind != Layer.Kind.MANUAL and line.pk in with_manual:
            continue
        if text.strip() and (len(line.polygon) >= 3 or len(line.baseline) >= 2):
            found.setdefault(line.page_id, []).append((line, text))
    return found


def corrected_counts(document: Document) -> dict[int, int]:
    """{page id: corrected lines} for the pages that have any."""
    return {pk: len(lines) for pk, lines in corrected_lines(document).items()}


@dataclass
class Split:
    train: dict[int, list[tuple[Line, str]]] = field(default_factory=dict)
    held_out: dict[int, list[tuple[Line, str]]] = field(default_factory=dict)
    by_page: bool = False

    @property
    def train_lines(self) -> int:
        return sum(len(v) for v in self.train.values())

    @property
    def held_out_lines(self) -> int:
        return sum(len(v) for v in self.held_out.values())


def held_out_split(lines: dict[int, list[tuple[Line, str]]], share: float = HELD_OUT_SHARE) -> Split:
    """Hold back about `share` of the lines: whole pages (spread through the document) when there are 3 pages or
    more, else every n-th line; at least 2 lines, never all."""
    total = sum(len(v) for v in lines.values())
    want = max(2, round(total * share))
    split = Split()
    if len(lines) >= 3:
        split.by_page = True
        order = list(lines)
        stride = max(2, round(1 / share))
        picked = order[stride // 2 :: stride] or [order[len(order) // 2]]
        chosen, count = [], 0
        for pk in picked + [pk for pk in order if pk not in picked]:
            if count >= want or len(chosen) >= len(order) - 1:
                break
            chosen.append(pk)
            count += len(lines[pk])
        for pk, page_lines in lines.items():
            (split.held_out if pk in chosen else split.train)[pk] = page_lines
        return split
    every = max(2, round(total / want))
    index = 0
    for pk, page_lines in lines.items():
        for item in page_lines:
            target = split.held_out if index % every == every // 2 else split.train
            target.setdefault(pk, []).append(item)
            index += 1
    return split


# --- starting -------------------------------------------------------------------------------------------------------


def base_model_of(document: Document, base_id: int | None = None, *, user=None) -> HtrModel:
    """The model to fine-tune: `base_id` (one the user sees, usable in the document's project), else the model
    that reads the document now."""
    if base_id is not None:
        model = htr_models.models_visible_to(user).filter(pk=base_id, kind=HtrModel.Kind.RECOGNITION).first()
        if model is None:
            raise TrainingError(f"there is no recognition model {base_id}")
        if not htr_models.model_usable_in(model, document.project_id):
            raise TrainingError(f"model {base_id} belongs to another project")
        return model
    _, model = htr_models.reading_model(document, HtrModel.Kind.RECOGNITION)
    model = model or htr_models.shipped_model(HtrModel.Kind.RECOGNITION, document.script)
    if model is None:
        raise TrainingError("there is no recognition model to start from")
    return model


def active_training(document: Document) -> Job | None:
    """The document's running training, of either kind: one at a time per document."""
    from portal.archive.training_segmentation import KIND as SEGMENTATION_KIND

    return Job.objects.filter(
        kind__in=[KIND, SEGMENTATION_KIND],
        target=f"archive.document:{document.pk}",
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    ).first()


def budget_checked(minutes: float | None, epochs: int | None) -> tuple[float | None, int | None]:
    """The training budget asked for, within the limits (neither: TRAINING_DEFAULT_MINUTES)."""
    if minutes is None and epochs is None:
        minutes = settings.TRAINING_DEFAULT_MINUTES
    if minutes is not None and not 0 < minutes <= settings.TRAINING_MAX_MINUTES:
        raise TrainingError(f"minutes must be more than 0 and at most {settings.TRAINING_MAX_MINUTES}")
    if epochs is not None and not 0 < epochs <= 1000:
        raise TrainingError("epochs must be between 1 and 1000")
    return minutes, epochs


def pages_checked(document: Document, pages: list[int] | None) -> None:
    if pages is not None:
        unknown = set(pages) - set(document.pages.filter(pk__in=pages).values_list("pk", flat=True))
        if unknown:
            raise TrainingError(f"page(s) {', '.join(map(str, sorted(unknown)))} are not pages of this document")


def training_start(
    *,
    document: Document,
    user,
    minutes: float | None = None,
    epochs: int | None = None,
    pages: list[int] | None = None,
    base_id: int | None = None,
    auto: bool = False,
) -> Job:
    """Check what the training would learn from and queue it (once the transaction commits) on `training`.
    TrainingBusy while another training of the document runs; TrainingError when it cannot start. `auto`: the
    document's automatic mode started it (kept only if it beats the current model, then re-reads)."""
    minutes, epochs = budget_checked(minutes, epochs)
    base = base_model_of(document, base_id, user=user)
    pages_checked(document, pages)
    lines = corrected_lines(document, pages)
    count = sum(len(v) for v in lines.values())
    needed = settings.TRAINING_MIN_LINES
    if count < needed:
        raise TrainingError(
            f"Training needs at least {needed} corrected lines; "
            f"{'the chosen pages have' if pages is not None else 'this document has'} {count}. "
            f"Correct {needed - count} more line{'s' if needed - count != 1 else ''} and try again."
        )
    return job_queue(
        document=document,
        user=user,
        kind=KIND,
        params={
            "pages": sorted(lines),
            "base": base.pk,
            "minutes": minutes,
            "epochs": epochs,
            "auto": auto,
            "corrected": corrected_total(document),
        },
    )


def job_queue(*, document: Document | None = None, project=None, user, kind: str, params: dict) -> Job:
    """The training job of the document (or the project), queued once the transaction commits; TrainingBusy while
    another training of it runs."""
    source = document if document is not None else project
    name = "document" if document is not None else "project"
    with transaction.atomic():
        type(source).objects.select_for_update().filter(pk=source.pk).first()  # one start at a time
        running = (
            active_training(document)
            if document is not None
            else Job.objects.filter(
                kind=KIND, target=f"archive.project:{project.pk}", status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
            ).first()
        )
        if running is not None:
            raise TrainingBusy(f"a training of this {name} is already running (job {running.pk})")
        job = Job.objects.create(
            kind=kind,
            owner=user if user is not None and user.is_authenticated else None,
            target=f"archive.{name}:{source.pk}",
            group=f"{name}-{source.pk}",
            params=params,
            total=100,
            message="waiting for a training worker",
            task_id=str(uuid4()),
        )
        job_enqueue(_training_task(job), job=job)
    return job


def corrected_total(document: Document) -> int:
    """How many lines of the document a person wrote, in one query (automatic mode counts them at every save)."""
    return (
        Transcription.objects.filter(
            line__page__document=document,
            revisions__author__isnull=False,
            layer__kind__in=[Layer.Kind.MANUAL, Layer.Kind.GROUND_TRUTH],
        )
        .exclude(text="")
        .values("line_id")
        .distinct()
        .count()
    )


def training_auto_maybe(*, document: Document, user) -> Job | None:
    """Automatic mode: once `retrain_every` lines were corrected since the last training started (all of them, for
    the first), fine-tune the model reading the document for TRAINING_AUTO_MINUTES. None when it is not time, one
    runs, or it cannot start."""
    if document.retrain_every <= 0:
        return None
    last = (
        Job.objects.filter(kind=KIND, target=f"archive.document:{document.pk}")
        .exclude(status__in=[Job.Status.FAILED, Job.Status.CANCELLED])
        .order_by("-created")
        .first()
    )
    if last is not None and last.is_active:
        return None
    count = corrected_total(document)
    since = count - int((last.params.get("corrected") or 0) if last else 0)
    if since < document.retrain_every or count < settings.TRAINING_MIN_LINES:
        return None
    try:
        return training_start(document=document, user=user, minutes=settings.TRAINING_AUTO_MINUTES, auto=True)
    except TrainingError as exc:
        log.info("document %s: no automatic training: %s", document.pk, exc)
        return None


def _training_task(job: Job):
    from portal.archive import tasks

    return tasks.train_model.si(job.pk).set(task_id=job.task_id)


# --- running --------------------------------------------------------------------------------------------------------


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


def _score(model_dir: Path, pages: list[tuple[Path, object]]) -> dict:
    import copy

    import htr
    from htr.evaluation import score_pages

    recognizer = htr.Recognizer.load(str(model_dir), device=settings.HTR_DEVICE)
    return score_pages(recognizer, [(image, copy.deepcopy(page)) for image, page in pages])


def model_name(source: Document | Scope) -> str:
    n = HtrModel.objects.filter(project_id=source.project_id).count() + 1
    return f"{source.title[:150]} v{n}"


def folder_name(name: str, job: Job) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]+', '-', name).strip('-').lower()[:60] or 'model'}-{job.pk}"


def job_document(job: Job) -> Document | None:
    kind, _, pk = job.target.partition(":")
    return Document.objects.filter(pk=pk).select_related("project").first() if kind == "archive.document" else None


@dataclass
class Scope:
    """What a training learns from: one document (`document`), or every document of a project (training_project.py).
    `title` names its models."""

    project_id: int
    title: str
    documents: list[Document]
    document: Document | None = None

    def corrected_lines(self, pages: list[int] | None = None) -> dict[int, list[tuple[Line, str]]]:
        found: dict[int, list[tuple[Line, str]]] = {}
        for document in self.documents:
            found.update(corrected_lines(document, pages))
        return found


def job_scope(job: Job) -> Scope | None:
    """The document or project the training job learns from; None once it was deleted."""
    from portal.archive.training_project import project_scope

    document = job_document(job)
    if document is not None:
        return Scope(project_id=document.project_id, title=document.title, documents=[document], document=document)
    return project_scope(job)


def training_run(*, job_id: int) -> None:
    """The training job (recognition, or segmentation: training_segmentation.py): write the corrected pages, score
    the base on the held-out ones, train, score the new model on them and register it. Every failure ends on the
    job; a cancelled one registers nothing."""
    from portal.archive import training_segmentation

    job = Job.objects.filter(pk=job_id, kind__in=[KIND, training_segmentation.KIND]).first()
    if job is None or not job.is_active:
        return
    scope = job_scope(job)
    work = Path(settings.MODELS_DIR) / f"project-{scope.project_id if scope else 0}" / f".training-{job.pk}"
    try:
        job_start(job, total=100, message="gathering the corrected lines")
        if scope is None:
            raise TrainingError(
                f"the {'project' if job.target.startswith('archive.project') else 'document'} was deleted"
            )
        if job.kind == training_segmentation.KIND:
            result = training_segmentation.segmentation_train(job, scope.document, work)
            message = training_segmentation.summary(result)
        else:
            result = _train(job, scope, work)
            message = result.get("outcome") or _summary(result)
        job_finish(job, result=result, message=message)
    except JobSuperseded:
        log.warning("training job %s handed over", job_id)
    except JobCancelled:
        log.info("training job %s cancelled", job_id)
    except Exception as exc:  # noqa: BLE001 - recorded on the job
        log.exception("training job %s failed", job_id)
        job_fail(job, f"the training failed: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _summary(result: dict) -> str:
    return (
        f"base {result['base_cer']:.1f} → new {result['cer']:.1f} CER on {result['held_out_lines']} held-out "
        "corrected lines"
    )


def _train(job: Job, scope: Scope, work: Path) -> dict:
    from htr.training.recognition import train_recognition

    params = job.params
    base = HtrModel.objects.filter(pk=params["base"]).first()
    if base is None:
        raise TrainingError(f"the base model {params['base']} is gone")
    lines = scope.corrected_lines(params.get("pages"))
    if sum(len(v) for v in lines.values()) < 2:
        raise TrainingError("the corrected lines are gone")
    split = held_out_split(lines)
    pages = {page.pk: page for page in Page.objects.filter(pk__in=lines)}
    train_dir, val_dir = work / "train", work / "held-out"
    for pk, page_lines in split.train.items():
        page_write(train_dir, pages[pk], page_lines)
    held_out = [page_write(val_dir, pages[pk], page_lines) for pk, page_lines in split.held_out.items()]
    job_progress(job, done=2, message=f"scoring {base.name} on {split.held_out_lines} held-out lines")
    base_scores = _score(base.directory, held_out)
    live = {
        "base": base.pk,
        "base_name": base.name,
        "base_cer": base_scores["cer"],
        "held_out_lines": base_scores["lines"],
        "trained_lines": split.train_lines,
        "curve": [],
    }
    result_save(job, live)
    job_progress(job, done=5, message="preparing the training lines")
    minutes, epochs = params.get("minutes"), params.get("epochs")

    def on_epoch(record: dict) -> None:
        point = {
            "step": record["step"],
            "epoch": record["epoch"],
            "minutes": record["minutes"],
            "cer": _finite(record.get("val_cer")),
            "f1": None,
            "loss": _finite(record.get("train_loss")),
        }
        live["curve"].append(point)
        result_save(job, live)
        by_time = record["minutes"] / minutes if minutes else 0.0
        by_epoch = record["epoch"] / epochs if epochs else 0.0
        cer = f", CER {point['cer']:.1f}" if point["cer"] is not None else ""
        job_progress(
            job,
            done=5 + int(90 * min(max(by_time, by_epoch), 1.0)),
            message=f"epoch {record['epoch']}: loss {point['loss']}{cer}",
        )

    reported = [time.monotonic()]

    def on_batch(info: dict) -> None:
        # About once a second: the progress within a long epoch, and the cancel check (JobCancelled goes through
        # the training loop, which stops within the batch).
        if time.monotonic() - reported[0] < BATCH_REPORT_SECONDS:
            return
        reported[0] = time.monotonic()
        by_time = info["minutes"] / minutes if minutes else 0.0
        by_epoch = (info["epoch"] - 1 + info["batch"] / info["batches"]) / epochs if epochs else 0.0
        job_progress(
            job,
            done=5 + int(90 * min(max(by_time, by_epoch), 1.0)),
            message=f"epoch {info['epoch']}: batch {info['batch']} of {info['batches']}",
        )

    out = work / "model"
    train_recognition(
        train=[str(train_dir)],
        val=[str(val_dir)],
        out=str(out),
        base=str(base.directory),
        minutes=minutes,
        epochs=epochs,
        device=settings.HTR_DEVICE,
        on_progress=on_epoch,
        on_batch=on_batch,
        progress_bar=False,
        checkpoint_minutes=10_000,
    )
    job_progress(job, done=96, message="scoring the new model on the held-out lines")
    name = model_name(scope)
    folder = Path(settings.MODELS_DIR) / f"project-{scope.project_id}" / folder_name(name, job)
    shutil.move(str(out), folder)
    try:
        scores = _score(folder, held_out)
        if params.get("auto") and not scores["cer"] < base_scores["cer"]:
            shutil.rmtree(folder, ignore_errors=True)
            outcome = (
                f"kept {base.name}: the new model read the {scores['lines']} held-out corrected lines at "
                f"{scores['cer']:.1f} CER, no better than {base_scores['cer']:.1f}"
            )
            return {
                **live,
                "model": None,
                "cer": scores["cer"],
                "held_out_lines": scores["lines"],
                "kept": False,
                "outcome": outcome,
                "reread_pages": [],
            }
        _log_base_cer(folder, base_scores["cer"])
        figures = htr_models.figures_read(folder, HtrModel.Kind.RECOGNITION)
        figures.update(
            cer=scores["cer"],
            base_cer=base_scores["cer"],
            held_out_lines=scores["lines"],
            held_out_pages=len(split.held_out) if split.by_page else None,
        )
        job_progress(job, done=99, message="registering the model")  # the last word of a cancel
        with transaction.atomic():
            model = HtrModel.objects.create(
                name=name,
                kind=HtrModel.Kind.RECOGNITION,
                script=base.script,
                language=base.language,
                base=base,
                path=str(folder),
                figures=figures,
                trained_lines=split.train_lines,
                trained_pages=len(split.train),
                trained_by=job.owner,
                trained_at=timezone.now(),
                project_id=scope.project_id,
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    corrected = {pk: len(page_lines) for pk, page_lines in scope.corrected_lines().items()}
    untouched = [  # the pages with lines nobody wrote: what a re-reading with the new model changes
        page.pk
        for page in Page.objects.filter(document__in=scope.documents)
        .annotate(line_count=Count("lines"))
        .order_by("document_id", "number")
        if corrected.get(page.pk, 0) < page.line_count
    ]
    result = {
        **live,
        "model": model.pk,
        "model_name": model.name,
        "cer": scores["cer"],
        "held_out_lines": scores["lines"],
        "trained_pages": len(split.train),
        "curve": figures["curve"],
        "uncorrected_pages": untouched,
    }
    if params.get("auto") and scope.document is not None:
        result.update(_auto_switch(scope.document, model, untouched, job.owner))
        result["outcome"] = (
            f"model {model.name}: {base_scores['cer']:.1f} → {scores['cer']:.1f} CER, "
            f"{len(result['reread_pages'])} page{'s' if len(result['reread_pages']) != 1 else ''} "
            "re-read"
        )
    return result


def _auto_switch(document: Document, model: HtrModel, pages: list[int], user) -> dict:
    """The automatic mode's new model beat the current one: the document reads with it from now on, and the pages
    with lines nobody wrote are read again (corrected lines keep their text)."""
    from portal.archive import pipeline

    reread = []
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(recognition_model=model)
        busy = set(
            Job.objects.filter(
                target__in=[f"archive.page:{pk}" for pk in pages], status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
            ).values_list("target", flat=True)
        )
        for page in Page.objects.filter(pk__in=pages).order_by("number"):
            if f"archive.page:{page.pk}" not in busy and page.lines.exists():
                pipeline.page_pipeline_start(page=page, steps=["recognition"], user=user)
                reread.append(page.pk)
    return {"kept": True, "reread_pages": reread}


def _finite(value) -> float | None:
    return round(float(value), 2) if isinstance(value, int | float) and math.isfinite(value) else None


def result_save(job: Job, result: dict) -> None:
    job.result = dict(result, curve=list(result["curve"]))
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(result=job.result)


def _log_base_cer(folder: Path, base_cer: float) -> None:
    """The base's CER on the same held-out lines goes into the model's own log (it travels with the ZIP)."""
    import json

    path = folder / "training_log.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["base_cer"] = base_cer
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except (OSError, ValueError):
        log.warning("could not write the base CER into %s", path)
