"""Text -> image through the page's endpoint, the real Celery worker and the models loaded with from_pretrained."""

import numpy as np
import pytest

from tests.factories import make_user
from tests.generation.jobs import finished, picture_form, result_images, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


def test_text_to_image_makes_a_batch_with_progress_and_the_same_seed_gives_the_same_pictures(client, generation_worker):
    client.force_login(make_user("painter"))
    data = picture_form(
        prompt="a red circle on a blue background", negative_prompt="a green square", steps=4, seed=1234, batch=2
    )
    first = finished(submit(client, "text2image", data))
    assert first.status == "done", first.error
    assert first.done == first.total == 4 + 4  # prior steps + decoder steps, each reported by callback_on_step_end
    assert first.result["seed"] == 1234
    images = result_images(client, first)
    assert [im.size for im in images] == [(32, 32), (32, 32)]

    again = finished(submit(client, "text2image", data))
    assert again.status == "done", again.error
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(images, result_images(client, again)))
    assert again.result["load_seconds"] == 0  # the second job found the pipelines loaded


def test_kandinsky3_makes_pictures_through_the_same_job_when_it_is_configured(client, generation_worker):
    client.force_login(make_user("k3"))
    data = picture_form(
        prompt="a green triangle", aspect="16:9", side=128, guidance=3.0, seed=5, batch=2, model="kandinsky3"
    )
    job = finished(submit(client, "text2image", data))
    assert job.status == "done", job.error
    assert job.result["model"] == "kandinsky3" and job.done == job.total == 2
    assert [im.size for im in result_images(client, job)] == [
        (128, 64),
        (128, 64),
    ]  # 72 rounded to 64


def test_text_to_image_honours_the_aspect_ratio(client, generation_worker):
    client.force_login(make_user("wide"))
    data = picture_form(prompt="a yellow square on a black background", aspect="16:9", side=64, guidance=1.0)
    job = finished(submit(client, "text2image", data))
    assert job.status == "done", job.error
    (image,) = result_images(client, job)
    assert image.size == (
        64,
        32,
    )  # 64 × 9/16 = 36, rounded to the tiny decoder's multiple of 16
