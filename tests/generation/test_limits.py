"""Bad or excessive requests get a clear answer before anything is queued."""

import uuid

import pytest
from PIL import Image

from portal.jobs.models import Job
from tests.factories import make_user
from tests.generation.jobs import submit, upload

# The form offers only installed models: the tiny ones stand installed.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tiny_models")]
PROMPT = {
    "aspect": "1:1",
    "steps": 2,
    "guidance": 1.0,
    "batch": 1,
    "model": "kandinsky22",
}


def test_it_rejects_a_too_long_prompt(client, settings):
    settings.GENERATION_MAX_PROMPT_CHARS = 40
    error = submit(client, "text2image", {**PROMPT, "prompt": "a red circle " * 10}, status=400)
    assert "129 characters long; the limit is 40" in error["error"]
    assert not Job.objects.exists()


def test_it_rejects_an_empty_prompt(client):
    assert "Write a prompt" in submit(client, "text2image", {**PROMPT, "prompt": "  "}, status=400)["error"]


def test_it_rejects_a_too_large_size_and_too_many_steps(client, settings):
    settings.GENERATION_MAX_SIDE = 256
    error = submit(
        client,
        "text2image",
        {**PROMPT, "prompt": "a circle", "side": 4096, "steps": 5000},
        status=400,
    )
    assert "4096 px is too large; the limit is 256 px" in error["error"]
    assert "less than or equal to 100" in error["error"]


def test_it_rejects_an_upload_that_is_not_a_picture(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cat.png", b"%PDF-1.4 not a picture", content_type="image/png")
    error = submit(client, "variations", {**PROMPT, "image": fake}, status=400)
    assert "image" in error["error"].lower()


def test_it_rejects_a_picture_with_too_many_pixels(client, settings):
    settings.GENERATION_MAX_UPLOAD_PIXELS = 100 * 100
    error = submit(
        client,
        "variations",
        {**PROMPT, "image": upload("big.png", Image.new("RGB", (200, 120)))},
        status=400,
    )
    assert "200×120 pixels; the limit is" in error["error"]


def test_the_rate_limit_answers_429_with_a_message(client, settings):
    settings.GENERATION_RATE_LIMIT = 2
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    def ask():
        return client.post(
            "/generation/new/text2image/",
            {**PROMPT, "prompt": "a circle"},
            HTTP_ACCEPT="application/json",
            REMOTE_ADDR=ip,
        )

    for _ in range(2):
        accepted = ask()
        assert accepted.status_code == 202
        Job.objects.filter(pk=accepted.json()["id"]).update(status="cancelled")  # never run: no worker in this test
    response = ask()
    assert response.status_code == 429
    assert "Too many requests: 2 generations per" in response.json()["error"]


def test_a_full_queue_answers_503(client, settings):
    settings.GENERATION_MAX_QUEUE = 3
    owner = make_user("busy")
    Job.objects.bulk_create([Job(kind="generation.text2image", owner=owner) for _ in range(3)])
    error = submit(client, "text2image", {**PROMPT, "prompt": "a circle"}, status=503)
    assert "queue is full" in error["error"]


def test_one_person_cannot_hold_more_than_the_active_limit(client, settings):
    settings.GENERATION_MAX_ACTIVE_PER_USER = 2
    user = make_user("greedy")
    client.force_login(user)
    Job.objects.bulk_create([Job(kind="generation.video", owner=user, status="running") for _ in range(2)])
    error = submit(client, "text2image", {**PROMPT, "prompt": "a circle"}, status=429)
    assert "already have 2 generations waiting or running" in error["error"]
