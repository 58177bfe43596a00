"""Celery tasks of the archive: each loads ids and calls a service (which reports progress on the job).

`attempt` is the run of the job a message belongs to (portal/jobs/heartbeat.py); None in messages queued before it.
"""

from celery import shared_task

from portal.archive import iiif_import as iiif
from portal.archive import pdfs, pipeline, training_jobs


@shared_task(name="archive.page_prepare", bind=True)
def page_prepare(self, job_id: int, attempt: int | None = None) -> None:
    pipeline.page_step(job_id=job_id, step="prepare", task_id=self.request.id or "", attempt=attempt)


@shared_task(name="archive.page_segment", bind=True)
def page_segment(self, job_id: int, attempt: int | None = None) -> None:
    pipeline.page_step(job_id=job_id, step="segmentation", task_id=self.request.id or "", attempt=attempt)


@shared_task(name="archive.page_recognise", bind=True)
def page_recognise(self, job_id: int, attempt: int | None = None) -> None:
    pipeline.page_step(job_id=job_id, step="recognition", task_id=self.request.id or "", attempt=attempt)


@shared_task(name="archive.pdf_render")
def pdf_render(job_id: int, attempt: int | None = None) -> None:
    pdfs.pdf_render(job_id=job_id, attempt=attempt)


@shared_task(name="archive.iiif_import")
def iiif_import(job_id: int, attempt: int | None = None) -> None:
    iiif.iiif_import(job_id=job_id, attempt=attempt)


@shared_task(name="archive.train_model")
def train_model(job_id: int) -> None:
    training_jobs.training_run(job_id=job_id)
