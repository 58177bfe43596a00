"""Archive reading goes ahead of assistant work queued before it (issue #12, finding 4), on the real worker."""

import pytest
from django.db import transaction

from assistant import services
from portal.archive.pipeline import page_pipeline_start
from portal.jobs.models import Job
from tests.factories import make_document, make_page_with_lines, make_project, make_user
from tests.processes import wait_for_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_archive_reading_queued_after_assistant_work_runs_first(celery_worker):
    owner = make_user("owner")
    page = make_page_with_lines(make_document(make_project(owner)), owner)
    wait_for_job(Job.objects.get(target=f"archive.page:{page.pk}").pk)
    visitor = services.Visitor(user=owner, session_key="")
    conversation = services.conversation_start(visitor=visitor, page=page, scope_name="document")

    with transaction.atomic():  # queued back to back when it commits, the assistant's first
        indexing = [services.scope_index_start(conversation=conversation, visitor=visitor) for _ in range(6)]
        reading = page_pipeline_start(page=page, steps=["prepare"], user=owner)
    started = {job.pk: wait_for_job(job.pk).started for job in [*indexing, reading]}

    # The worker may already hold the first indexing job when the reading arrives; it takes the reading next.
    after_reading = [j for j in indexing if started[j.pk] > started[reading.pk]]
    assert len(after_reading) >= len(indexing) - 1
