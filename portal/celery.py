"""The Celery app. GPU work goes to the `gpu` queue (reading) and `training`; everything else to `default`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("skoropis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
