"""A training names the project's own models and their figures: its progress reaches the project's members in the
document's room and through the jobs API, never a visitor of the published document (who still follows the pages)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from portal.jobs.models import Job
from portal.jobs.progress import job_push
from tests.factories import make_document, make_project, make_user
from tests.portal.test_document_consumer import as_user

pytestmark = pytest.mark.django_db(transaction=True)


def published_with_a_training():
    owner = make_user("owner")
    viewer = make_user("viewer")
    document = make_document(make_project(owner, members={viewer: "viewer"}), public=True)
    training = Job.objects.create(
        kind="model_training",
        status=Job.Status.RUNNING,
        target=f"archive.document:{document.pk}",
        group=f"document-{document.pk}",
        total=100,
        done=40,
        message="epoch 2: batch 3 of 9",
        result={"base_name": "recognition-latin", "base_cer": 35.0, "curve": [{"epoch": 1, "cer": 30.1}]},
    )
    pipeline = Job.objects.create(
        kind="pdf_render",
        status=Job.Status.RUNNING,
        target=f"archive.document:{document.pk}",
        group=f"document-{document.pk}",
    )
    return document, viewer, training, pipeline


def follow(user, document, jobs: list[Job]) -> tuple[dict, list[dict]]:
    """The state on connect, then the events that reach `user` once each job pushes (the last one a marker)."""

    def push():
        for job in jobs:
            job.done += 1
            job.save()
            job_push(job, force=True)

    async def scenario():
        communicator = WebsocketCommunicator(as_user(user), f"/ws/documents/{document.pk}/")
        connected, _ = await communicator.connect(timeout=10)
        assert connected
        state = await communicator.receive_json_from(timeout=10)
        await sync_to_async(push)()
        events = []
        while not events or events[-1].get("id") != jobs[-1].pk:
            events.append(await communicator.receive_json_from(timeout=10))
        await communicator.disconnect()
        return state, events

    return async_to_sync(scenario)()


def test_a_visitor_of_a_published_document_hears_nothing_of_its_training():
    document, _, training, pipeline = published_with_a_training()
    state, events = follow(AnonymousUser(), document, [training, pipeline])
    assert [job["id"] for job in state["jobs"]] == [pipeline.pk]
    assert [event["id"] for event in events] == [pipeline.pk]


def test_a_member_of_the_project_follows_its_training_live():
    document, viewer, training, pipeline = published_with_a_training()
    state, events = follow(viewer, document, [training, pipeline])
    assert [job["id"] for job in state["jobs"]] == [training.pk, pipeline.pk]
    assert [event["id"] for event in events] == [training.pk, pipeline.pk]
    assert events[0]["result"]["base_cer"] == 35.0


def test_the_jobs_api_shows_a_training_to_members_only(api_client_for):
    document, viewer, training, pipeline = published_with_a_training()
    assert api_client_for(None).get(f"/api/jobs/{training.pk}/").status_code == 404
    assert api_client_for(make_user("stranger")).get(f"/api/jobs/{training.pk}/").status_code == 404
    assert api_client_for(viewer).get(f"/api/jobs/{training.pk}/").json()["result"]["base_cer"] == 35.0
    assert api_client_for(None).get(f"/api/jobs/{pipeline.pk}/").status_code == 200
