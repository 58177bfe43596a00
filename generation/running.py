"""Running one generation job in the worker: the feature its form names, its progress, its results and failures.

Worker-side (torch is imported here and in features.py/pipelines.py only); tasks.py imports this inside its task.
"""

from __future__ import annotations

import logging
import random
import time

import torch
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from PIL import Image

from generation import safety
from generation.files import job_folder
from generation.forms import FORMS, KIND_PREFIX
from generation.registry import ModelNotConfigured
from portal.jobs.models import Job
from portal.jobs.progress import failures_recorded, job_fail, job_finish, job_progress

log = logging.getLogger(__name__)


def generation_run(*, job_id: int) -> None:
    """Run one queued job. Every failure ends in the Job row; the worker itself carries on."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status in (Job.Status.DONE, Job.Status.CANCELLED):
        return  # deleted, or a redelivery after the job already finished
    form = FORMS.get(job.kind.removeprefix(KIND_PREFIX))
    if form is None:
        job_fail(job, f"unknown generation kind {job.kind!r}")
        return
    with failures_recorded(job, explain=_failure_message):
        import_string(form.runner)(job)


def _failure_message(job: Job, error: Exception) -> str:
    if isinstance(error, torch.cuda.OutOfMemoryError):
        torch.cuda.empty_cache()
        params = job.params
        return _(
            "The GPU ran out of memory for this request (%(w)s×%(h)s px, %(n)s images). Try a smaller "
            "size or fewer images."
        ) % {
            "w": params.get("width", "?"),
            "h": params.get("height", "?"),
            "n": params.get("batch", 1),
        }
    if isinstance(error, ModelNotConfigured | ValueError):
        return str(error)
    return _("Generation failed: %(error)s") % {"error": f"{type(error).__name__}: {error}"}


class Progress:
    """Steps done over all the pipelines one job runs; `callback(message)` is a diffusers step-end callback.

    The Job row (and with it the cancel check) is written at most every WRITE_EVERY seconds and at the last step:
    a small model makes a step in ~10 ms, and a database write per step would double its time.
    """

    WRITE_EVERY = 0.25

    def __init__(self, job: Job, total: int):
        self.job, self.total, self.done = job, total, 0
        self.written = 0.0

    def step(self, count: int = 1, message: str = "") -> None:
        self.done = min(self.total, self.done + count)
        now = time.monotonic()
        if self.done < self.total and now - self.written < self.WRITE_EVERY:
            return
        self.written = now
        job_progress(self.job, done=self.done, total=self.total, message=message)

    def callback(self, message: str):
        def on_step_end(pipe, step: int, timestep, tensors: dict) -> dict:
            self.step(1, message)
            return {}

        return on_step_end


def seed_of(params: dict) -> int:
    seed = params.get("seed")
    return int(seed) if seed is not None else random.randrange(2**32)


def input_image(job: Job, name: str, mode: str = "RGB") -> Image.Image:
    image = Image.open(job_folder(job) / "inputs" / f"{name}.png")
    if mode == "RGB" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image, mask=image.getchannel("A"))
        return flat
    return image.convert(mode)


def save_results(job: Job, images: list[Image.Image], *, prompt: str, extra: dict | None = None) -> dict:
    images, blocked = safety.screen(images, prompt=prompt)
    out = job_folder(job) / "results"
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i, image in enumerate(images):
        name = f"{job.kind.removeprefix('generation.')}-{job.pk}-{i + 1}.png"
        image.save(out / name)
        files.append(
            {
                "name": name,
                "type": "image",
                "width": image.width,
                "height": image.height,
            }
        )
    result = {
        "files": files,
        "blocked": blocked,
        "load_seconds": getattr(job, "load_seconds", None),
        **(extra or {}),
    }
    job_finish(job, result=result, message=_("Done"))
    return result
