"""A socket opened while the user could read a document stops receiving its events once they no longer may
(issue #12): a member removed from the project, a stranger after the owner un-publishes. Real Redis channel layer."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from portal.archive.models import Document, Membership, Page
from portal.jobs.models import Job
from portal.jobs.progress import job_push
from portal.routing import websocket_urlpatterns
from tests.factories import make_document, make_project, make_user

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = {"type": "websocket.close", "code": 4403}


@pytest.fixture
def archive():
    """A private document with one page and a running job on it started by `member`, a viewer of the project."""
    owner, member = make_user("owner"), make_user("member")
    document = make_document(make_project(owner, members={member: "viewer"}))
    page = Page.objects.create(document=document, number=1, image="documents/1/pages/p.jpg")
    job = Job.objects.create(
        kind="page_pipeline",
        status=Job.Status.RUNNING,
        owner=member,
        target=f"archive.page:{page.pk}",
        group=f"document-{document.pk}",
        total=300,
        done=10,
    )
    return {"member": member, "document": document, "job": job}


def as_user(user):
    router = URLRouter(websocket_urlpatterns)

    async def app(scope, receive, send):
        return await router({**scope, "user": user}, receive, send)

    return app


def _progress(job: Job, done: int) -> None:
    """What the worker does: the row, then the event to the document's and the job's groups."""
    job.done = done
    job.save(update_fields=["done", "updated"])
    job_push(job, force=True)


def _remove(member, document) -> None:
    Membership.objects.filter(project=document.project, user=member).delete()


def _unpublish(document) -> None:
    Document.objects.filter(pk=document.pk).update(is_public=False)


async def _events_around(user, path: str, job: Job, revoke) -> tuple[dict, dict]:
    """The job event pushed while the user may read, then what comes after `revoke()`: an event, or the socket
    closing. (A document room follows each job event with its page's state.)"""
    communicator = WebsocketCommunicator(as_user(user), path)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    await communicator.receive_json_from(timeout=10)  # document.state / the job as it is now
    await sync_to_async(_progress)(job, 20)
    before = await communicator.receive_json_from(timeout=10)
    if path.startswith("/ws/documents/"):
        assert (await communicator.receive_json_from(timeout=10))["type"] == "page"
    await sync_to_async(revoke)()
    await sync_to_async(_progress)(job, 30)
    after = await communicator.receive_output(timeout=10)
    await communicator.disconnect()
    return before, after


@pytest.mark.parametrize("room", ["documents", "jobs"])
def test_a_removed_members_socket_stops_receiving_events(archive, room):
    member, document, job = archive["member"], archive["document"], archive["job"]
    path = f"/ws/documents/{document.pk}/" if room == "documents" else f"/ws/jobs/{job.pk}/"

    before, after = async_to_sync(_events_around)(member, path, job, lambda: _remove(member, document))

    assert before["type"] == "job" and before["done"] == 20
    assert after == REFUSED


@pytest.mark.parametrize("room", ["documents", "jobs"])
def test_a_strangers_socket_stops_receiving_events_once_the_document_is_unpublished(archive, room):
    document, job = archive["document"], archive["job"]
    Document.objects.filter(pk=document.pk).update(is_public=True)
    path = f"/ws/documents/{document.pk}/" if room == "documents" else f"/ws/jobs/{job.pk}/"

    before, after = async_to_sync(_events_around)(AnonymousUser(), path, job, lambda: _unpublish(document))

    assert before["type"] == "job" and before["done"] == 20
    assert after == REFUSED


def test_a_removed_member_may_not_open_the_socket_of_a_job_they_started(archive):
    member, job = archive["member"], archive["job"]
    _remove(member, archive["document"])

    async def scenario():
        communicator = WebsocketCommunicator(as_user(member), f"/ws/jobs/{job.pk}/")
        return await communicator.connect(timeout=10)

    assert async_to_sync(scenario)() == (False, 4403)
