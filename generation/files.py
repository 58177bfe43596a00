"""Where a generation job's files live: its uploaded pictures (`inputs/`) and what it made (`results/`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from portal.jobs.models import Job


def job_folder(job: Job) -> Path:
    return Path(settings.MEDIA_ROOT) / "generation" / str(job.pk)
