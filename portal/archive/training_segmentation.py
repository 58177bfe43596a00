"""Training a segmentation model from the pages whose lines people drew, deleted, merged or split (issue #11.6).

A page counts once a person changed its lines since a model last segmented it (Page.segmentation_edited, which a
model's new segmentation clears): all its lines, as they are now, are the truth. About one page in five (at least
one) is held back, and both the base model and the new one are scored on exactly those pages (line F1 at IoU 0.5),
so the result says "base 91.0 → new 95.2 line F1 on N held-out pages". The job is a training job
(training_jobs.py: queue `training`, one training of a document or project at a time, cancel within a step, nothing
registered unless it finished); it learns from one document or from every document of a project
(training_jobs.Scope). The model is the project's, and a document (or the project) segments with it once chosen
(`segmentation_model`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Count

from portal.archive import htr_models, training_jobs
from portal.archive import training_words as W
from portal.archive.models import Document, HtrModel, Page
from portal.archive.training_jobs import SEGMENTATION, Report, Scope, TrainingError, finite, page_write
from portal.jobs.models import Job
from portal.jobs.progress import job_progress

KIND = SEGMENTATION
MIN_PAGES = 2  # one to learn from, one to score on
HELD_OUT_SHARE = 0.2


def edited_pages(document: Document, pages: list[int] | None = None) -> list[Page]:
    """The pages with lines whose segmentation a person edited, in page order; `pages`: only these page ids."""
    return scope_edited_pages([document], pages)


def scope_edited_pages(documents: list[Document], pages: list[int] | None = None) -> list[Page]:
    """The edited pages (as edited_pages) of these documents, by document then page."""
    found = Page.objects.filter(document__in=documents, segmentation_edited__isnull=False).annotate(
        line_count=Count("lines")
    )
    if pages is not None:
        found = found.filter(pk__in=pages)
    return list(found.filter(line_count__gt=0).order_by("document_id", "number"))


def held_out_pages(pages: list[Page], share: float = HELD_OUT_SHARE) -> tuple[list[Page], list[Page]]:
    """(pages to learn from, pages held back): about `share` of them spread through the document, at least one,
    never all."""
    count = min(len(pages) - 1, max(1, round(len(pages) * share)))
    stride = len(pages) / count
    held = {round(stride * i + stride / 2 - 0.5) for i in range(count)}
    return [p for i, p in enumerate(pages) if i not in held], [p for i, p in enumerate(pages) if i in held]


def segmentation_sources(scope: Scope, pages: list[int] | None) -> tuple[list[int], dict]:
    """The edited pages to learn from (TrainingError unless there are MIN_PAGES) and the job's own params."""
    found = scope_edited_pages(scope.documents, pages)
    if len(found) < MIN_PAGES:
        raise TrainingError(
            f"Training a segmentation model needs at least {MIN_PAGES} pages whose lines a person edited (drew, "
            f"deleted, merged or split); {scope.whose(pages)} {len(found)}. Edit the lines of "
            f"{MIN_PAGES - len(found)} more page{'s' if MIN_PAGES - len(found) != 1 else ''} and try again."
        )
    return [p.pk for p in found], {} if scope.document else {"documents": len({p.document_id for p in found})}


def _detection(model_dir: Path, pages: list[tuple[Path, object]]) -> dict:
    """Line precision / recall / F1 (percent, IoU 0.5) of the model on these (image, true page) pairs."""
    import htr
    from htr.metrics import evaluate_pages

    segmenter = htr.Segmenter.load(str(model_dir), device=settings.HTR_DEVICE)
    found = [segmenter.segment(htr.load_image(image)) for image, _ in pages]
    scores = evaluate_pages(found, [page for _, page in pages])["detection"]
    return {k: round(float(scores[k]), 2) for k in ("precision", "recall", "f1")}


def segmentation_train(job: Job, scope: Scope, work: Path) -> dict:
    """The training job's work: write the edited pages, score the base on the held-out ones, fine-tune, score the
    new model on them and register it. Raises JobCancelled (within a step) once cancelled."""
    from htr.training import SegmentationTrainingConfig, train_segmentation

    params = job.params
    base = HtrModel.objects.filter(pk=params["base"], kind=HtrModel.Kind.SEGMENTATION).first()
    if base is None:
        raise TrainingError(f"the base model {params['base']} is gone")
    pages = scope_edited_pages(scope.documents, params.get("pages"))
    if len(pages) < MIN_PAGES:
        raise TrainingError("the pages whose lines a person edited are gone")
    train, held = held_out_pages(pages)
    trained_lines = 0
    for page in train:
        lines = list(page.lines.order_by("order", "pk"))
        trained_lines += len(lines)
        page_write(work / training_jobs.TRAIN, page, [(line, "") for line in lines])
    held_out = [
        page_write(work / training_jobs.HELD_OUT, page, [(line, "") for line in page.lines.order_by("order", "pk")])
        for page in held
    ]
    held_lines = sum(len(hpage.lines) for _, hpage in held_out)
    job_progress(job, done=2, message=W.message(W.SCORING_BASE_PAGES, model=base.name, pages=len(held)))
    base_scores = _detection(base.directory, held_out)
    live = {
        "kind": HtrModel.Kind.SEGMENTATION,
        "base": base.pk,
        "base_name": base.name,
        "base_f1": base_scores["f1"],
        "held_out_pages": len(held),
        "held_out_lines": held_lines,
        "trained_pages": len(train),
        "trained_lines": trained_lines,
        "curve": [],
    }
    report = Report(job, live)
    job_progress(job, done=5, message=W.message(W.PREPARING_PAGES))
    state = {"loss": None, "minutes": None}

    def on_progress(record: dict) -> None:
        if record["stage"] == "validation":
            point = {
                "step": record["step"],
                "epoch": None,
                "minutes": finite(state["minutes"]),
                "cer": None,
                "f1": finite(record.get("f1")),
                "loss": finite(state["loss"]),
            }
            report.point(point, W.message(W.STEP_F1, step=record["step"], f1=point["f1"]))
            return
        state["loss"], state["minutes"] = record["loss"], record["elapsed"] / 60
        report.progress(
            minutes=state["minutes"],
            epochs=record["step"] / record["of"] * (report.epochs or 0),
            message=W.message(W.STEP_LOSS, step=record["step"], loss=f"{record['loss']:.3f}"),
        )

    train_segmentation(
        SegmentationTrainingConfig(**training_jobs.config_args(job, base, work)), on_progress=on_progress
    )
    job_progress(job, done=96, message=W.message(W.SCORING_NEW_PAGES))
    with training_jobs.new_model(job, scope, base, work) as new:
        scores = _detection(new.folder, held_out)
        figures = htr_models.figures_read(new.folder, HtrModel.Kind.SEGMENTATION)
        figures.update(f1=scores["f1"], base_f1=base_scores["f1"], held_out_pages=len(held), held_out_lines=held_lines)
        model = new.register(figures=figures, lines=trained_lines, pages=len(train))
    return {
        **live,
        "model": model.pk,
        "model_name": model.name,
        "f1": scores["f1"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "curve": figures["curve"],
    }


def summary(result: dict) -> str:
    return (
        f"base {result['base_f1']:.1f} → new {result['f1']:.1f} line F1 on {result['held_out_pages']} held-out "
        f"page{'s' if result['held_out_pages'] != 1 else ''}"
    )


TRAINING = training_jobs.TrainingKind(
    model_kind=HtrModel.Kind.SEGMENTATION,
    shipped=lambda scope: (
        HtrModel.objects.filter(project=None, kind=HtrModel.Kind.SEGMENTATION).order_by("name").first()
    ),
    sources=segmentation_sources,
    train=segmentation_train,
    summary=summary,
)
