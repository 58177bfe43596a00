"""What the document page says about running jobs, in the reader's language (document.js follows the same rules
for the live updates): a page job's message is the pipeline's step name, a PDF's is English progress, a training's
is detailed in the Models panel. A failed page says which step failed in words; the error itself (English, as the
API gives it) is behind it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.archive import pipeline
from portal.archive.models import Page
from portal.archive.permissions import MEMBERS_ONLY_JOBS
from portal.jobs.models import Job

STEP_STATES = {**pipeline.STATES, "done": Page.State.DONE}


def page_failure_words() -> dict[str, str]:
    """{step: what a page card says when it failed there}; "": anywhere else."""
    return {
        "prepare": _("Preparing the images failed."),
        "segmentation": _("Finding the lines failed."),
        "recognition": _("Reading the lines failed."),
        "": _("The work on this page failed."),
    }


def page_failure(job: Job) -> dict:
    """A failed page job as its card shows it: the short words and the error behind them."""
    step = job.message.partition(" ")[0]
    failures = page_failure_words()
    return {"words": failures.get(step, failures[""]), "error": job.error}


def page_job_words(job: dict, state: str) -> str:
    """A page card's words for its job: the step in words only when the page's state does not say it already (a job
    reading a few lines leaves the page "Done")."""
    if job["status"] == Job.Status.QUEUED:
        return _("Waiting for a worker…")
    step, _sep, rest = job["message"].partition(" ")
    if step not in STEP_STATES:
        return job["message"]
    if rest:
        return _("Started again: the worker had stopped.")
    return "" if STEP_STATES[step] == state else str(STEP_STATES[step].label)


def document_job_words(job: dict) -> str:
    """The words of a document's job bar."""
    if job["kind"] == "pdf_render" and job["total"]:
        return _("Drawing the PDF pages: %(done)s of %(total)s") % {"done": job["done"], "total": job["total"]}
    if job["kind"] in MEMBERS_ONLY_JOBS:
        return _("A model is being trained: see Models below.")
    return job["message"]
