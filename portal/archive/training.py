"""Training a recognition model from the corrected lines of a document (or of every document of a project).

A line counts as corrected when a person wrote its text (a revision by a person in the manual layer, or imported
ground truth that nothing replaced): the same rule that keeps it through a new reading (segmentation.py). Some of
those lines are held back (whole pages when there are 3 or more, else lines) and both the base model and the new one
are scored on exactly them, so the result says "base 35.0 → new 23.0 CER on N held-out corrected lines". The job
is a training job (training_jobs.py: queue `training`, one at a time, cancel within a batch, nothing registered
unless it finished); it reports each epoch (loss, validation CER, the curve so far) and the batches within one.
Automatic mode (a document's `retrain_every`) keeps the new model only if it was judged on at least
TRAINING_AUTO_MIN_HELD_OUT held-out corrected lines and beats the current one on them, then re-reads; with fewer
held-out lines it does not train at all, and says so.
"""

from __future__ import annotations

import copy
import json
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import translation
from django.utils.translation import ngettext

from portal.archive import htr_models, training_jobs
from portal.archive import training_words as W
from portal.archive.models import Document, HtrModel, Layer, Line, Page, Transcription
from portal.archive.training_jobs import RECOGNITION, Report, Scope, TrainingError, finite, page_write
from portal.jobs.models import Job
from portal.jobs.progress import job_progress

log = logging.getLogger(__name__)

KIND = RECOGNITION
HELD_OUT_SHARE = 0.15  # of the corrected lines, for validation and the before/after figures
# why an automatic training kept the current model (its result's "reason")
TOO_FEW_HELD_OUT = "too_few_held_out"
NO_BETTER = "no_better"


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


def uncorrected_pages(documents) -> list[int]:
    """The ids of the pages of `documents` with lines nobody wrote (what reading again with another model changes),
    by document and page number."""
    corrected: dict[int, int] = {}
    for document in documents:
        corrected.update((pk, len(lines)) for pk, lines in corrected_lines(document).items())
    return [
        page.pk
        for page in Page.objects.filter(document__in=documents)
        .annotate(line_count=Count("lines"))
        .order_by("document_id", "number")
        if corrected.get(page.pk, 0) < page.line_count
    ]


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


def recognition_sources(scope: Scope, pages: list[int] | None, *, auto: bool = False) -> tuple[list[int], dict]:
    """The pages with corrected lines to learn from (TrainingError unless there are TRAINING_MIN_LINES lines) and the
    job's own params. `auto`: the document's automatic mode started it (kept only if it beats the current model,
    then re-reads)."""
    lines = scope.corrected_lines(pages)
    count, needed = sum(len(v) for v in lines.values()), settings.TRAINING_MIN_LINES
    if count < needed:
        raise TrainingError(
            f"Training needs at least {needed} corrected lines; {scope.whose(pages)} {count}. "
            f"Correct {needed - count} more line{'s' if needed - count != 1 else ''} and try again."
        )
    if scope.document is None:
        return sorted(lines), {
            "auto": auto,
            "documents": Page.objects.filter(pk__in=lines).values("document_id").distinct().count(),
        }
    return sorted(lines), {
        "auto": auto,
        "corrected": corrected_total(scope.document),
        # the rule an automatic training is judged by, as it stood when it was queued
        **({"min_held_out": settings.TRAINING_AUTO_MIN_HELD_OUT} if auto else {}),
    }


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
        return training_jobs.training_start(
            scope=Scope.of_document(document), kind=KIND, user=user, minutes=settings.TRAINING_AUTO_MINUTES, auto=True
        )
    except TrainingError as exc:
        log.info("document %s: no automatic training: %s", document.pk, exc)
        return None


# --- running --------------------------------------------------------------------------------------------------------


def _score(model_dir: Path, pages: list[tuple[Path, object]]) -> dict:
    import htr
    from htr.evaluation import score_pages

    recognizer = htr.Recognizer.load(str(model_dir), device=settings.HTR_DEVICE)
    return score_pages(recognizer, [(image, copy.deepcopy(page)) for image, page in pages])


def summary(result: dict) -> str:
    return (
        f"base {result['base_cer']:.1f} → new {result['cer']:.1f} CER on {result['held_out_lines']} held-out "
        "corrected lines"
    )


def recognition_train(job: Job, scope: Scope, work: Path) -> dict:
    """The job's work: write the corrected pages, score the base on the held-out ones, train, score the new model on
    them and register it (automatic mode: only if judged on TRAINING_AUTO_MIN_HELD_OUT held-out lines or more and
    better than the base, then re-read the uncorrected pages; with fewer held-out lines, no training)."""
    from htr.training import RecognitionTrainingConfig, train_recognition

    params = job.params
    base = HtrModel.objects.filter(pk=params["base"]).first()
    if base is None:
        raise TrainingError(f"the base model {params['base']} is gone")
    lines = scope.corrected_lines(params.get("pages"))
    if sum(len(v) for v in lines.values()) < 2:
        raise TrainingError("the corrected lines are gone")
    split = held_out_split(lines)
    pages = {page.pk: page for page in Page.objects.filter(pk__in=lines)}
    for pk, page_lines in split.train.items():
        page_write(work / training_jobs.TRAIN, pages[pk], page_lines)
    held_out = [
        page_write(work / training_jobs.HELD_OUT, pages[pk], page_lines) for pk, page_lines in split.held_out.items()
    ]
    job_progress(job, done=2, message=W.message(W.SCORING_BASE_LINES, model=base.name, lines=split.held_out_lines))
    base_scores = _score(base.directory, held_out)
    live = {
        "base": base.pk,
        "base_name": base.name,
        "base_cer": base_scores["cer"],
        "held_out_lines": base_scores["lines"],
        "trained_lines": split.train_lines,
        "curve": [],
    }
    report = Report(job, live)
    job_progress(job, done=5, message=W.message(W.PREPARING_LINES))

    def on_epoch(record: dict) -> None:
        point = {
            "step": record["step"],
            "epoch": record["epoch"],
            "minutes": record["minutes"],
            "cer": finite(record.get("val_cer")),
            "f1": None,
            "loss": finite(record.get("train_loss")),
        }
        words = (
            W.message(W.EPOCH_CER, epoch=record["epoch"], loss=point["loss"], cer=f"{point['cer']:.1f}")
            if point["cer"] is not None
            else W.message(W.EPOCH, epoch=record["epoch"], loss=point["loss"])
        )
        report.point(point, words, done=report.percent(record["minutes"], record["epoch"]))

    def on_batch(info: dict) -> None:
        report.progress(
            minutes=info["minutes"],
            epochs=info["epoch"] - 1 + info["batch"] / info["batches"],
            message=W.message(W.BATCH, epoch=info["epoch"], batch=info["batch"], batches=info["batches"]),
        )

    needed = int(params.get("min_held_out", settings.TRAINING_AUTO_MIN_HELD_OUT))
    if params.get("auto") and split.held_out_lines < needed:
        # a new model judged on so few lines could not replace the current one: no training to throw away
        return _kept(live, base, TOO_FEW_HELD_OUT, lines=split.held_out_lines, needed=needed)
    config = RecognitionTrainingConfig(**training_jobs.config_args(job, base, work), checkpoint_minutes=10_000)
    train_recognition(config, on_progress=on_epoch, on_batch=on_batch, progress_bar=False)
    job_progress(job, done=96, message=W.message(W.SCORING_NEW_LINES))
    with training_jobs.new_model(job, scope, base, work) as new:
        folder = new.folder
        scores = _score(folder, held_out)
        if params.get("auto") and (scores["lines"] < needed or not scores["cer"] < base_scores["cer"]):
            shutil.rmtree(folder, ignore_errors=True)
            reason = TOO_FEW_HELD_OUT if scores["lines"] < needed else NO_BETTER
            return _kept(live, base, reason, lines=scores["lines"], needed=needed, cer=scores["cer"])
        _log_base_cer(folder, base_scores["cer"])
        figures = htr_models.figures_read(folder, HtrModel.Kind.RECOGNITION)
        figures.update(
            cer=scores["cer"],
            base_cer=base_scores["cer"],
            held_out_lines=scores["lines"],
            held_out_pages=len(split.held_out) if split.by_page else None,
        )
        model = new.register(figures=figures, lines=split.train_lines, pages=len(split.train))
    untouched = uncorrected_pages(scope.documents)
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
        with translation.override("en"):
            result["outcome"] = outcome_words(result)
    return result


def _kept(live: dict, base: HtrModel, reason: str, *, lines: int, needed: int, cer: float | None = None) -> dict:
    """The result of an automatic training that kept the current model (`reason`: TOO_FEW_HELD_OUT, NO_BETTER)."""
    result = {
        **live,
        "model": None,
        "cer": cer,
        "held_out_lines": lines,
        "held_out_needed": needed,
        "kept": False,
        "reason": reason,
        "reread_pages": [],
    }
    with translation.override("en"):
        result["outcome"] = outcome_words(result)
    return result


def outcome_words(result: dict) -> str:
    """What an automatic training did, in the active language (the job's message says it in English; the document
    page, and training.js as it happens, in the reader's)."""
    lines = result.get("held_out_lines") or 0
    if result.get("kept"):
        pages = len(result.get("reread_pages") or [])
        return ngettext(
            "model %(model)s: %(base).1f → %(new).1f CER, %(pages)s page re-read",
            "model %(model)s: %(base).1f → %(new).1f CER, %(pages)s pages re-read",
            pages,
        ) % {"model": result.get("model_name"), "base": result["base_cer"], "new": result["cer"], "pages": pages}
    if result.get("reason") == TOO_FEW_HELD_OUT:
        return ngettext(
            "kept %(model)s: only %(lines)s held-out corrected line, %(needed)s needed",
            "kept %(model)s: only %(lines)s held-out corrected lines, %(needed)s needed",
            lines,
        ) % {"model": result.get("base_name"), "lines": lines, "needed": result.get("held_out_needed")}
    return ngettext(
        "kept %(model)s: the new model read the %(lines)s held-out corrected line at %(new).1f CER, no better "
        "than %(base).1f",
        "kept %(model)s: the new model read the %(lines)s held-out corrected lines at %(new).1f CER, no better "
        "than %(base).1f",
        lines,
    ) % {"model": result.get("base_name"), "lines": lines, "new": result["cer"], "base": result["base_cer"]}


def _auto_switch(document: Document, model: HtrModel, pages: list[int], user) -> dict:
    """The automatic mode's new model beat the current one: the document reads with it from now on, and the pages
    with lines nobody wrote are read again (corrected lines keep their text)."""
    from portal.archive import pipeline

    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(recognition_model=model)
        jobs = pipeline.pages_rerun(
            pages=Page.objects.filter(pk__in=pages).order_by("number"), steps=["recognition"], user=user
        )
    return {"kept": True, "reread_pages": [int(job.target.rpartition(":")[2]) for job in jobs]}


def _log_base_cer(folder: Path, base_cer: float) -> None:
    """The base's CER on the same held-out lines goes into the model's own log (it travels with the ZIP)."""
    path = folder / "training_log.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["base_cer"] = base_cer
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except (OSError, ValueError):
        log.warning("could not write the base CER into %s", path)


TRAINING = training_jobs.TrainingKind(
    model_kind=HtrModel.Kind.RECOGNITION,
    shipped=lambda scope: htr_models.shipped_model(HtrModel.Kind.RECOGNITION, scope.script),
    sources=recognition_sources,
    train=recognition_train,
    summary=summary,
)
