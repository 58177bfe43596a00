"""The page pipeline: prepare images → find lines → read them, one `Job` per page.

Each step is a Celery task (`tasks.py`) that calls `page_step` here. The steps of a page are chained; a step
whose job was cancelled or failed meanwhile does nothing, so a chain stops cleanly. Re-running a step replaces
what that step made for the page (its lines, its model layer's text) inside one transaction: no duplicates. So a
job whose worker died is resumed (portal/jobs/heartbeat.py) from the step it was at; the messages of the dead run
carry its attempt number and do nothing if they ever arrive.

What people wrote is never replaced: new lines take over the corrected ones (segmentation.py), and a reading goes
into the model's own layer, and into the manual layer only on lines no person wrote. The models are the job's
choice, else the document's (htr_models.reading_model). A job with `lines` in its params reads only those lines
(a line just drawn) and leaves the page's state alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.accounts.users import signed_in
from portal.archive import htr_models, images, segmentation, services
from portal.archive.models import HtrModel, Line, Page, Transcription
from portal.jobs.heartbeat import beat_start, beat_stop, resumable
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_finish, job_progress, job_start
from portal.jobs.queue import job_enqueue, job_send

log = logging.getLogger(__name__)

STEPS = ("prepare", "segmentation", "recognition")
KIND = "page_pipeline"
STATES = {"prepare": Page.State.PREPARING, "segmentation": Page.State.SEGMENTING, "recognition": Page.State.RECOGNISING}


def page_pipeline_start(
    *,
    page: Page,
    steps: list[str] | tuple[str, ...] = STEPS,
    user=None,
    models: dict[str, int] | None = None,
    lines: list[int] | None = None,
) -> Job:
    """Create the page's job and queue its steps once the surrounding transaction commits. `models`: the model id
    to read with for a step's kind ({"recognition": id}), instead of the document's; `lines`: read only these."""
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise ValueError(f"unknown pipeline steps {unknown or steps}; choose from {', '.join(STEPS)}")
    steps = [s for s in STEPS if s in steps]
    params: dict = {"steps": steps}
    for kind, pk in (models or {}).items():
        params[f"{kind}_model"] = pk
    if lines is not None:
        params["lines"] = list(lines)
    job = Job.objects.create(
        kind=KIND,
        owner=signed_in(user),
        target=f"archive.page:{page.pk}",
        group=f"document-{page.document_id}",
        params=params,
        total=100 * len(steps),
        task_id=str(uuid4()),
    )
    job_enqueue(_steps_chain(job, steps), job=job)
    return job


class RerunRefused(ValueError):
    """The page cannot be re-run as asked; the message says why."""


class PageBusy(RerunRefused):
    """The page has a queued or running job already."""


def page_rerun(*, page: Page, steps: list[str], user=None, models: dict[str, int] | None = None) -> Job:
    """Re-run steps on a page as a person asks: a page never prepared is prepared first; reading alone needs lines;
    a page with a job under way is left to it (PageBusy)."""
    if not page.thumbnail and "prepare" not in steps:
        steps = ["prepare", *steps]
    if "recognition" in steps and "segmentation" not in steps and not page.lines.exists():
        raise RerunRefused(f"page {page.number} has no lines to read; run segmentation first")
    active = Job.objects.filter(target=f"archive.page:{page.pk}", status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    if active.exists():
        raise PageBusy(f"page {page.number} is already being processed (job {active.first().pk})")
    with transaction.atomic():
        return page_pipeline_start(page=page, steps=steps, user=user, models=models)


def pages_rerun(
    *, pages: Iterable[Page], steps: list[str], user=None, models: dict[str, int] | None = None
) -> list[Job]:
    """Re-run `steps` on each page that can run them now (a document's or project's re-reading); the others are
    skipped. Corrected lines keep their text, as with any reading."""
    jobs = []
    for page in pages:
        try:
            jobs.append(page_rerun(page=page, steps=steps, user=user, models=models))
        except RerunRefused as exc:
            log.info("not re-run: %s", exc)
    return jobs


def _steps_chain(job: Job, steps: list[str]):
    """The steps as one chain; the first carries the job's task id, so a cancel revokes it before it starts."""
    from celery import chain

    from portal.archive import tasks

    task_of = {"prepare": tasks.page_prepare, "segmentation": tasks.page_segment, "recognition": tasks.page_recognise}
    signatures = [task_of[step].si(job.pk, job.attempt) for step in steps]
    signatures[0] = signatures[0].set(task_id=job.task_id)
    return chain(*signatures)


def lines_read_start(*, page: Page, lines: list[int], user=None) -> Job:
    """Read these lines of the page (a line just drawn), with the document's model."""
    return page_pipeline_start(page=page, steps=["recognition"], user=user, lines=lines)


def _page_failed(job: Job) -> None:
    page = job_page(job)
    if page is not None and "lines" not in job.params:
        Page.objects.filter(pk=page.pk).update(state=Page.State.FAILED)


@resumable(KIND, failed=_page_failed)
def page_pipeline_resume(job: Job) -> None:
    """Queue again the steps the job had not finished (a finished step's result is on the job)."""
    steps = [s for s in job.params.get("steps", list(STEPS)) if s not in job.result]
    job.task_id = str(uuid4())
    job.message = f"{steps[0]} (again: the worker stopped)"
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id, message=job.message)
    job_send(_steps_chain(job, steps), job=job)


def job_page(job: Job) -> Page | None:
    kind, _, pk = job.target.partition(":")
    return Page.objects.filter(pk=pk).select_related("document").first() if kind == "archive.page" else None


def page_step(*, job_id: int, step: str, task_id: str = "", attempt: int | None = None) -> None:
    """Run one step of a page's job; every failure ends on the job (job_fail), never as a lost exception.
    `attempt`: the run the message belongs to (None: any); a message of an older run does nothing."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.is_active or (attempt is not None and attempt != job.attempt):
        return
    page = job_page(job)
    steps = job.params.get("steps", list(STEPS))
    if page is None:
        job_fail(job, "the page was deleted")
        return
    index = steps.index(step)
    # A job reading a few lines leaves the page's state to the page's own runs.
    pages = Page.objects.filter(pk=page.pk) if "lines" not in job.params else Page.objects.none()
    try:
        if job.status == Job.Status.QUEUED:
            job_start(job, total=100 * len(steps), message=step)
        else:
            beat_start(job)
        if task_id:
            job.task_id = task_id  # so that a cancel revokes the step in flight
            Job.objects.filter(pk=job.pk).update(task_id=task_id)
        pages.update(state=STATES[step])
        job_progress(job, done=100 * index, message=step)

        def report(fraction: float) -> None:
            job_progress(job, done=100 * index + int(100 * min(max(fraction, 0.0), 1.0)), message=step)

        result = STEP_FUNCTIONS[step](page, report, job.params)
        job.result = {**job.result, step: result}
        if index == len(steps) - 1:
            pages.update(state=Page.State.DONE)
            job_finish(job, result=job.result, message="done")
        else:
            Job.objects.filter(pk=job.pk, attempt=job.attempt).update(result=job.result)
            beat_stop(job, waiting=True)
    except JobSuperseded:
        log.warning("page %s: %s handed over to a newer run of job %s", page.pk, step, job.pk)
    except JobCancelled:
        pages.update(state=Page.State.DONE if page.lines.exists() else Page.State.UPLOADED)
    except Exception as exc:  # noqa: BLE001 - recorded on the job and the page
        log.exception("page %s: %s failed", page.pk, step)
        pages.update(state=Page.State.FAILED)
        job_fail(job, f"{step} failed: {exc}")


# --- the steps ------------------------------------------------------------------------------------------------------


def page_prepare(page: Page, report, params: dict) -> dict:
    images.thumbnail_make(page)
    count = images.tiles_make(page, on_level=lambda done, total: report(done / total))
    return {"tiles": count}


def _segmenter(page: Page, params: dict):
    import htr

    path, _ = htr_models.reading_model(page.document, HtrModel.Kind.SEGMENTATION, params.get("segmentation_model"))
    return htr.Segmenter.load(path, device=settings.HTR_DEVICE)


def page_segment(page: Page, report, params: dict) -> dict:
    """Find the page's lines; they replace the old ones, except that lines people worked on are carried over or
    kept (segmentation.page_lines_replace)."""
    import htr

    image = htr.load_image(page.image.path)
    report(0.05)
    found = _segmenter(page, params).segment(
        image, on_progress=lambda stage, fraction: report(0.05 + 0.9 * fraction), rtl=page.document.direction == "rtl"
    )
    report(0.95)  # a last check before writing: a cancelled job writes nothing
    result = segmentation.page_lines_replace(page=page, found=found)
    Page.objects.filter(pk=page.pk).update(segmentation_edited=None)  # its lines are a model's now
    return result


def model_name_of(recognizer) -> str:
    return Path(recognizer.path).name if getattr(recognizer, "path", None) else "htr"


def page_recognise(page: Page, report, params: dict) -> dict:
    """Read the page's lines (or the job's `lines`) into the model's layer: one transcription per line, a new
    revision where it changed; the manual layer takes the reading on the lines no person wrote."""
    import htr
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage

    only = params.get("lines")
    lines = list(page.lines.filter(**({"pk__in": only} if only is not None else {})).order_by("order", "pk"))
    path, model = htr_models.reading_model(page.document, HtrModel.Kind.RECOGNITION, params.get("recognition_model"))
    if not lines:  # the lines to read were deleted meanwhile
        return {
            "lines": 0,
            "layer": None,
            "model": model.name if model else None,
            "model_id": model.pk if model else None,
        }
    recognizer = htr.Recognizer.load(path, device=settings.HTR_DEVICE)
    name = model.name if model is not None else model_name_of(recognizer)
    image = htr.load_image(page.image.path)
    hpage = HtrPage(
        image=page.original_name,
        width=page.width,
        height=page.height,
        lines=[HtrLine(id=str(line.pk), polygon=line.polygon, baseline=line.baseline) for line in lines],
    )
    read = recognizer.read_page(
        image, hpage, beam=settings.HTR_BEAM, on_batch=lambda done, total: report(0.9 * done / max(total, 1))
    )
    report(0.95)
    with transaction.atomic():
        layer = services.layer_for_model(document=page.document, model_name=name)
        alive = set(page.lines.values_list("pk", flat=True))
        written = []
        baselines = {str(line.pk): line.baseline for line in lines}
        for hl in read.lines:
            pk = int(hl.id)
            if pk in alive and [list(p) for p in hl.baseline] != [list(p) for p in baselines[hl.id]]:
                # The reader found a margin note written up the page, not down as segmentation guessed: its
                # baseline turns round, so exports and the editor show the way it is written.
                Line.objects.filter(pk=pk).update(baseline=[list(p) for p in hl.baseline])
            if pk in alive:  # a line deleted by someone meanwhile is not brought back
                services.transcription_write(
                    line=Line(pk=pk, page_id=page.pk),
                    layer=layer,
                    text=hl.text,
                    confidences=hl.confidences,
                    model_name=name,
                )
                written.append(pk)
        # `updated` says when the layer last read the line: the page shows the latest reading (selectors)
        Transcription.objects.filter(layer=layer, line_id__in=written).update(updated=timezone.now())
        if only is None:
            Transcription.objects.filter(layer=layer, line__page=page).exclude(line_id__in=alive).delete()
        services.page_reading_refresh(page=page, source=layer, line_ids=written)
    return {"lines": len(read.lines), "layer": layer.pk, "model": name, "model_id": model.pk if model else None}


STEP_FUNCTIONS = {"prepare": page_prepare, "segmentation": page_segment, "recognition": page_recognise}
