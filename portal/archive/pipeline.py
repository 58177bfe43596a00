"""The page pipeline: prepare images → find lines → read them, one `Job` per page.

Each step is a Celery task (`tasks.py`) that calls `page_step` here. The steps of a page are chained; a step
whose job was cancelled or failed meanwhile does nothing, so a chain stops cleanly. Re-running a step replaces
what that step made for the page (its lines, its model layer's text) inside one transaction: no duplicates. So a
job whose worker died is resumed (portal/jobs/heartbeat.py) from the step it was at; the messages of the dead run
carry its attempt number and do nothing if they ever arrive.
"""

from __future__ import annotations

import logging
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction

from portal.archive import images, services
from portal.archive.models import Line, Page, Region, Transcription
from portal.jobs.heartbeat import beat_start, beat_stop, resumable
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_finish, job_progress, job_start

log = logging.getLogger(__name__)

STEPS = ("prepare", "segmentation", "recognition")
KIND = "page_pipeline"
_STATE = {"prepare": Page.State.PREPARING, "segmentation": Page.State.SEGMENTING, "recognition": Page.State.RECOGNISING}


def page_pipeline_start(*, page: Page, steps: list[str] | tuple[str, ...] = STEPS, user=None) -> Job:
    """Create the page's job and queue its steps once the surrounding transaction commits."""
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not steps:
        raise ValueError(f"unknown pipeline steps {unknown or steps}; choose from {', '.join(STEPS)}")
    steps = [s for s in STEPS if s in steps]
    job = Job.objects.create(
        kind=KIND,
        owner=user if user is not None and user.is_authenticated else None,
        target=f"archive.page:{page.pk}",
        group=f"document-{page.document_id}",
        params={"steps": steps},
        total=100 * len(steps),
        task_id=str(uuid4()),
    )
    transaction.on_commit(lambda: _enqueue(job, steps))
    return job


def _enqueue(job: Job, steps: list[str]) -> None:
    from celery import chain

    from portal.archive import tasks

    task_of = {"prepare": tasks.page_prepare, "segmentation": tasks.page_segment, "recognition": tasks.page_recognise}
    signatures = [task_of[step].si(job.pk, job.attempt) for step in steps]
    signatures[0] = signatures[0].set(task_id=job.task_id)
    try:
        chain(*signatures).apply_async()
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the job instead of a lost page
        log.exception("could not queue job %s", job.pk)
        job_fail(job, f"could not queue the work: {exc}")


def _page_failed(job: Job) -> None:
    page = job_page(job)
    if page is not None:
        Page.objects.filter(pk=page.pk).update(state=Page.State.FAILED)


@resumable(KIND, failed=_page_failed)
def page_pipeline_resume(job: Job) -> None:
    """Queue again the steps the job had not finished (a finished step's result is on the job)."""
    steps = [s for s in job.params.get("steps", list(STEPS)) if s not in job.result]
    job.task_id = str(uuid4())
    job.message = f"{steps[0]} (again: the worker stopped)"
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id, message=job.message)
    _enqueue(job, steps)


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
    try:
        if job.status == Job.Status.QUEUED:
            job_start(job, total=100 * len(steps), message=step)
        else:
            beat_start(job)
        if task_id:
            job.task_id = task_id  # so that a cancel revokes the step in flight
            Job.objects.filter(pk=job.pk).update(task_id=task_id)
        Page.objects.filter(pk=page.pk).update(state=_STATE[step])
        job_progress(job, done=100 * index, message=step)

        def report(fraction: float) -> None:
            job_progress(job, done=100 * index + int(100 * min(max(fraction, 0.0), 1.0)), message=step)

        result = STEP_FUNCTIONS[step](page, report)
        job.result = {**job.result, step: result}
        if index == len(steps) - 1:
            Page.objects.filter(pk=page.pk).update(state=Page.State.DONE)
            job_finish(job, result=job.result, message="done")
        else:
            Job.objects.filter(pk=job.pk, attempt=job.attempt).update(result=job.result)
            beat_stop(job, waiting=True)
    except JobSuperseded:
        log.warning("page %s: %s handed over to a newer run of job %s", page.pk, step, job.pk)
    except JobCancelled:
        Page.objects.filter(pk=page.pk).update(state=Page.State.DONE if page.lines.exists() else Page.State.UPLOADED)
    except Exception as exc:  # noqa: BLE001 - recorded on the job and the page
        log.exception("page %s: %s failed", page.pk, step)
        Page.objects.filter(pk=page.pk).update(state=Page.State.FAILED)
        job_fail(job, f"{step} failed: {exc}")


# --- the steps ------------------------------------------------------------------------------------------------------


def page_prepare(page: Page, report) -> dict:
    images.thumbnail_make(page)
    count = images.tiles_make(page, on_level=lambda done, total: report(done / total))
    return {"tiles": count}


def _segmenter():
    import htr

    return htr.Segmenter.load(settings.HTR_SEGMENTATION_MODEL, device=settings.HTR_DEVICE)


def _recognizer():
    import htr

    return htr.Recognizer.load(settings.HTR_RECOGNITION_MODEL, device=settings.HTR_DEVICE)


def page_segment(page: Page, report) -> dict:
    """Find the page's lines and replace its current ones (re-segmenting discards the old lines and their text)."""
    import htr

    image = htr.load_image(page.image.path)
    report(0.05)
    found = _segmenter().segment(
        image, on_progress=lambda stage, fraction: report(0.05 + 0.9 * fraction), rtl=page.document.direction == "rtl"
    )
    report(0.95)  # a last check before writing: a cancelled job writes nothing
    with transaction.atomic():
        Page.objects.select_for_update().filter(pk=page.pk).first()
        page.lines.all().delete()
        page.regions.all().delete()
        regions = {}
        for i, r in enumerate(found.regions):
            regions[r.id] = Region.objects.create(
                page=page, external_id=r.id[:100], kind=r.kind[:50], polygon=[list(p) for p in r.polygon], order=i
            )
        Line.objects.bulk_create(
            Line(
                page=page,
                region=regions.get(hl.region) if hl.region else None,
                external_id=hl.id[:100],
                polygon=[list(p) for p in hl.polygon],
                baseline=[list(p) for p in hl.baseline],
                order=i,
            )
            for i, hl in enumerate(found.lines)
        )
    return {"lines": len(found.lines), "regions": len(found.regions)}


def model_name_of(recognizer) -> str:
    return Path(recognizer.path).name if getattr(recognizer, "path", None) else "htr"


def page_recognise(page: Page, report) -> dict:
    """Read the page's lines into the model's layer: one transcription per line, a new revision where it changed."""
    import htr
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage

    lines = list(page.lines.order_by("order", "pk"))
    recognizer = _recognizer()
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
    name = model_name_of(recognizer)
    with transaction.atomic():
        layer = services.layer_for_model(document=page.document, model_name=name)
        alive = set(page.lines.values_list("pk", flat=True))
        for hl in read.lines:
            pk = int(hl.id)
            if pk in alive:  # a line deleted by someone meanwhile is not brought back
                services.transcription_write(
                    line=Line(pk=pk, page_id=page.pk), layer=layer, text=hl.text, confidences=hl.confidences,
                    model_name=name,
                )
        Transcription.objects.filter(layer=layer, line__page=page).exclude(line_id__in=alive).delete()
    return {"lines": len(read.lines), "layer": layer.pk, "model": name}


STEP_FUNCTIONS = {"prepare": page_prepare, "segmentation": page_segment, "recognition": page_recognise}
