"""Jobs and their files belong to whoever made them (a user, or an anonymous visitor's session)."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.jobs.models import Job
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def done_job(owner=None, session_key="") -> Job:
    return Job.objects.create(
        kind="generation.text2image",
        owner=owner,
        session_key=session_key,
        status="done",
        params={"prompt": "a red circle"},
        result={"files": [{"name": "text2image-1-1.png", "type": "image"}]},
    )


def test_another_user_cannot_see_a_job_or_its_files(client):
    job = done_job(owner=make_user("alice"))
    client.force_login(make_user("mallory"))
    assert client.get(reverse("generation:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("generation:file", args=[job.pk, "text2image-1-1.png"])).status_code == 404
    assert client.post(reverse("generation:cancel", args=[job.pk])).status_code == 404


def test_an_anonymous_visitor_sees_the_jobs_of_their_own_session_only(client):
    client.get(reverse("generation:index"))
    mine = done_job(session_key=client.session.session_key)
    other = done_job(session_key="someone-else")
    assert client.get(reverse("generation:job", args=[mine.pk])).status_code == 200
    assert client.get(reverse("generation:job", args=[other.pk])).status_code == 404
    assert Client().get(reverse("generation:job", args=[mine.pk])).status_code == 404


def test_a_file_not_listed_in_the_result_is_not_served(client):
    user = make_user("bob")
    job = done_job(owner=user)
    client.force_login(user)
    assert client.get(reverse("generation:file", args=[job.pk, "..%2F..%2Fsettings.py"])).status_code == 404
    assert client.get(reverse("generation:file", args=[job.pk, "other.png"])).status_code == 404


def test_the_api_lists_only_your_jobs_and_needs_a_login(api_client_for, tiny_models):
    alice, bob = make_user("alice2"), make_user("bob2")
    done_job(owner=alice)
    assert api_client_for(None).post("/api/generation/jobs/", {"kind": "text2image"}).status_code in (401, 403)
    assert len(api_client_for(alice).get("/api/generation/jobs/").json()) == 1
    assert api_client_for(bob).get("/api/generation/jobs/").json() == []
    models = api_client_for(None).get("/api/generation/models/").json()
    assert models["name"] == "tiny-random-k22" and models["kinds"]["kandinsky22_prior"]["state"] == "configured"
