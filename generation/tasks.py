"""Celery tasks (queue `gpu` through CELERY_TASK_ROUTES "generation.*"): fetch by id, call the service.

acks_late + reject_on_worker_lost (settings) mean a job whose worker died is delivered again and starts over.
"""

from celery import shared_task

from generation.services import generation_run


@shared_task(name="generation.text_to_image")
def text_to_image(job_id: int) -> None:
    generation_run(job_id=job_id)


@shared_task(name="generation.variations")
def variations(job_id: int) -> None:
    generation_run(job_id=job_id)


@shared_task(name="generation.mix")
def mix(job_id: int) -> None:
    generation_run(job_id=job_id)


@shared_task(name="generation.inpaint")
def inpaint(job_id: int) -> None:
    generation_run(job_id=job_id)


@shared_task(name="generation.outpaint")
def outpaint(job_id: int) -> None:
    generation_run(job_id=job_id)


@shared_task(name="generation.video")
def video(job_id: int) -> None:
    generation_run(job_id=job_id)


TASKS = {
    "text2image": text_to_image,
    "variations": variations,
    "mix": mix,
    "inpaint": inpaint,
    "outpaint": outpaint,
    "video": video,
}
