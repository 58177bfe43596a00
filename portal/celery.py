"""The Celery app. GPU work goes to the `gpu` queue (reading) and `training`; everything else to `default`.

Every worker looks for jobs whose worker died (portal/jobs/heartbeat.py) when it starts and then periodically, so
`make run` and any production layout get it with nothing more to run.
"""

import os

from celery import Celery
from celery.signals import task_postrun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
# Before any task imports torch (htr, diffusers, transformers): OpenMP threads that sleep instead of spinning, so a
# worker on a CPU it shares does not slow to a crawl (see htr/__init__.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

app = Celery("skoropis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _look_for_jobs_whose_worker_died(**kwargs) -> None:
    from portal.jobs.heartbeat import reaper_start

    reaper_start()


@task_postrun.connect
def _stop_beating(**kwargs) -> None:
    from portal.jobs.heartbeat import beat_stop_all

    beat_stop_all()
