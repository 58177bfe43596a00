"""Variations, mixing, inpainting and outpainting, each through the page endpoint and the real worker."""

import numpy as np
import pytest
from PIL import Image

from tests.factories import make_user
from tests.generation.jobs import (
    finished,
    result_images,
    shape_picture,
    submit,
    upload,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
COMMON = {"steps": 3, "guidance": 4.0, "seed": 7}


def test_it_makes_variations_of_an_uploaded_picture(client, generation_worker):
    client.force_login(make_user("varier"))
    job = finished(
        submit(
            client,
            "variations",
            {
                **COMMON,
                "image": upload("in.png", shape_picture()),
                "aspect": "1:1",
                "side": 32,
                "batch": 3,
            },
        )
    )
    assert job.status == "done", job.error
    images = result_images(client, job)
    assert len(images) == 3 and all(im.size == (32, 32) for im in images)
    assert job.done == job.total == 3


def test_it_mixes_a_text_and_a_picture_with_weights(client, generation_worker):
    client.force_login(make_user("mixer"))
    data = {
        **COMMON,
        "aspect": "1:1",
        "side": 32,
        "batch": 1,
        "text_1": "a red circle on a blue background",
        "weight_1": 3,
        "image_2": upload("b.png", shape_picture(colour=(40, 170, 60))),
        "weight_2": 1,
    }
    job = finished(submit(client, "mix", data))
    assert job.status == "done", job.error
    assert job.result["mix"].startswith("0.75×a red circle")  # weights normalised to sum 1
    assert len(result_images(client, job)) == 1


def test_it_refuses_to_mix_a_single_thing(client, db):
    client.force_login(make_user("lonely"))
    error = submit(
        client,
        "mix",
        {**COMMON, "aspect": "1:1", "batch": 1, "text_1": "a red circle"},
        status=400,
    )
    assert "at least two" in error["error"]


def test_inpainting_repaints_only_the_painted_area(client, generation_worker):
    client.force_login(make_user("restorer"))
    picture = shape_picture(64)
    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 24, 24))  # repaint the top-left corner only
    job = finished(
        submit(
            client,
            "inpaint",
            {
                **COMMON,
                "batch": 1,
                "prompt": "a green square",
                "image": upload("p.png", picture),
                "mask": upload("m.png", mask),
            },
        )
    )
    assert job.status == "done", job.error
    (result,) = result_images(client, job)
    assert result.size == picture.size
    before, after = np.asarray(picture).astype(int), np.asarray(result).astype(int)
    assert np.abs(after[40:, 40:] - before[40:, 40:]).max() <= 1  # far from the mask: untouched
    assert np.abs(after[:16, :16] - before[:16, :16]).mean() > 5  # inside: repainted


def test_inpainting_refuses_an_empty_mask(client, db):
    client.force_login(make_user("blank"))
    picture = shape_picture(32)
    error = submit(
        client,
        "inpaint",
        {
            **COMMON,
            "batch": 1,
            "prompt": "x",
            "image": upload("p.png", picture),
            "mask": upload("m.png", Image.new("L", (32, 32), 0)),
        },
        status=400,
    )
    assert "mask is empty" in error["error"]


def test_outpainting_extends_the_canvas_and_keeps_the_original(client, generation_worker):
    client.force_login(make_user("widener"))
    picture = shape_picture(32)
    job = finished(
        submit(
            client,
            "outpaint",
            {
                **COMMON,
                "batch": 1,
                "prompt": "a red circle on a blue background",
                "image": upload("p.png", picture),
                "left": 16,
                "right": 16,
                "top": 0,
                "bottom": 16,
            },
        )
    )
    assert job.status == "done", job.error
    (result,) = result_images(client, job)
    assert result.size == (64, 48)
    kept = np.asarray(result).astype(int)[4:28, 20:44]
    assert np.abs(kept - np.asarray(picture).astype(int)[4:28, 4:28]).max() <= 1
