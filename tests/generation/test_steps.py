"""Steps below what the pipelines can run are refused up front (400, nothing queued), not accepted and then failed
by the worker: one step (ZeroDivisionError in the Kandinsky prior's scheduler), or a clip whose steps × change per
keyframe leaves a keyframe no denoising step (an empty tensor in the img2img pipeline)."""

import pytest

from portal.jobs.models import Job
from tests.factories import make_user
from tests.generation.jobs import finished, result_images, submit

PICTURE = {
    "prompt": "a red circle",
    "aspect": "1:1",
    "side": 32,
    "guidance": 1.0,
    "batch": 1,
    "seed": 1,
    "model": "kandinsky22",
}
CLIP = {
    "prompt": "a red circle",
    "aspect": "1:1",
    "side": 32,
    "seconds": 1,
    "fps": 4,
    "keyframes_per_second": 2,
    "motion": "zoom-in",
    "guidance": 1.0,
    "seed": 1,
}


@pytest.mark.django_db
def test_one_step_is_refused_before_anything_is_queued(client):
    error = submit(client, "text2image", {**PICTURE, "steps": 1}, status=400)
    assert "Ensure this value is greater than or equal to 2." in error["error"]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_one_step_too(api_client_for):
    response = api_client_for(make_user("api-painter")).post(
        "/api/generation/jobs/", {"kind": "text2image", **PICTURE, "steps": 1}, format="multipart"
    )
    assert response.status_code == 400
    assert "greater than or equal to 2" in response.json()["error"]
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
def test_two_steps_make_a_picture(client, generation_worker):
    client.force_login(make_user("quick-painter"))
    job = finished(submit(client, "text2image", {**PICTURE, "steps": 2}))
    assert job.status == "done", job.error
    assert [im.size for im in result_images(client, job)] == [(32, 32)]


@pytest.mark.django_db
def test_a_clip_whose_keyframes_would_get_no_step_is_refused(client):
    error = submit(client, "video", {**CLIP, "steps": 2, "strength": 0.1}, status=400)
    assert (
        "2 steps at 0.1 change per keyframe leave no step to make a keyframe: use at least 10 steps" in error["error"]
    )
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(300)
def test_the_fewest_steps_that_give_each_keyframe_one_make_a_clip(client, generation_worker):
    client.force_login(make_user("quick-director"))
    job = finished(submit(client, "video", {**CLIP, "steps": 10, "strength": 0.1}))
    assert job.status == "done", job.error
