"""The generation task (queue `gpu` through CELERY_TASK_ROUTES "generation.*"): fetch by id, run the job.

The web process imports this module to queue the task; the worker-side code (torch, diffusers) is imported inside the
task, so only the worker loads it. A job whose worker died is resumed or failed through its heartbeat (portal/jobs).
"""

from celery import shared_task


@shared_task(name="generation.run")
def generation_run(job_id: int) -> None:
    from generation import running

    running.generation_run(job_id=job_id)
