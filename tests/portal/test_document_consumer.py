"""ws/documents/<id>/: only readers join the room; they get the page states at once, then live job events."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from portal.archive.models import Document, Membership, Page, Project
from portal.jobs.models import Job
from portal.jobs.progress import job_push
from portal.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)


def as_user(user):
    """The project's routes with `user` in the scope, as AuthMiddlewareStack would put them."""
    router = URLRouter(websocket_urlpatterns)

    async def app(scope, receive, send):
        return await router({**scope, "user": user}, receive, send)

    return app


def make_document(public: bool = False):
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create_user("owner", password="pw-owner-12345")
    project = Project.objects.create(name="Fonds", owner=owner)
    document = Document.objects.create(project=project, title="Journal", is_public=public, created_by=owner)
    page = Page.objects.create(
        document=document, number=1, image="documents/1/pages/p.jpg", state=Page.State.SEGMENTING
    )
    return owner, document, page


async def connect(user, document):
    communicator = WebsocketCommunicator(as_user(user), f"/ws/documents/{document.pk}/")
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


def test_an_outsider_is_refused_before_joining_the_room():
    from django.contrib.auth import get_user_model

    _, document, _ = make_document()
    outsider = get_user_model().objects.create_user("outsider", password="pw-outsider-1")

    async def scenario():
        _, connected, code = await connect(outsider, document)
        assert not connected and code == 4403
        _, connected, code = await connect(AnonymousUser(), document)
        assert not connected and code == 4403

    async_to_sync(scenario)()


def test_a_member_gets_the_page_states_then_live_job_progress():
    owner, document, page = make_document()
    job = Job.objects.create(
        kind="page_pipeline",
        status=Job.Status.RUNNING,
        target=f"archive.page:{page.pk}",
        group=f"document-{document.pk}",
        total=300,
        done=120,
        message="segmentation",
    )

    def worker_finishes():
        job.done, job.status = 300, Job.Status.DONE
        job.save()
        Page.objects.filter(pk=page.pk).update(state=Page.State.DONE)
        job_push(job, force=True)  # what the worker does, through the real Redis channel layer

    async def scenario():
        communicator, connected, _ = await connect(owner, document)
        assert connected
        state = await communicator.receive_json_from(timeout=10)
        assert state["type"] == "document.state"
        assert state["pages"] == [
            {
                "type": "page",
                "id": page.pk,
                "number": 1,
                "original_name": page.original_name,
                "state": "segmenting",
                "lines": 0,
            }
        ]
        assert [j["id"] for j in state["jobs"]] == [job.pk] and state["jobs"][0]["percent"] == 40
        await sync_to_async(worker_finishes)()
        first = await communicator.receive_json_from(timeout=10)
        second = await communicator.receive_json_from(timeout=10)
        await communicator.disconnect()
        return first, second

    first, second = async_to_sync(scenario)()
    assert first["type"] == "job" and first["status"] == "done" and first["percent"] == 100
    assert second == {
        "type": "page",
        "id": page.pk,
        "number": 1,
        "original_name": page.original_name,
        "state": "done",
        "lines": 0,
    }


def test_anyone_may_follow_a_published_document():
    _, document, _ = make_document(public=True)

    async def scenario():
        communicator, connected, _ = await connect(AnonymousUser(), document)
        assert connected
        assert (await communicator.receive_json_from(timeout=10))["type"] == "document.state"
        await communicator.disconnect()

    async_to_sync(scenario)()


def test_a_viewer_member_may_follow_a_private_document():
    from django.contrib.auth import get_user_model

    _, document, _ = make_document()
    viewer = get_user_model().objects.create_user("viewer", password="pw-viewer-123")
    Membership.objects.create(project=document.project, user=viewer, role=Membership.Role.VIEWER)

    async def scenario():
        communicator, connected, _ = await connect(viewer, document)
        assert connected
        await communicator.disconnect()

    async_to_sync(scenario)()
