"""In Debian's Chromium: the video form is submitted, progress arrives over the websocket, and the mp4 plays."""

import os

import pytest
from django.test import Client

from tests.factories import make_user
from tests.processes import CHROMIUM_ARGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here


def test_a_generated_clip_plays_in_chromium(daphne_url, generation_worker, chromium):
    from playwright.sync_api import sync_playwright

    login = Client()
    login.force_login(make_user("viewer-of-clips"))
    session = login.cookies["sessionid"].value
    frames: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session, "url": daphne_url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda data: frames.append(data)),
        )
        page.goto(daphne_url + "/generation/?tab=video")
        assert page.locator(".model-name").inner_text() == "tiny-random-k22"
        form = page.locator("form[data-kind=video]")
        form.locator("textarea[name=prompt]").fill("a red circle on a blue background")
        form.locator("input[name=side]").fill("32")
        form.locator("input[name=seconds]").fill("1.5")
        form.locator("input[name=fps]").fill("8")
        form.locator("input[name=steps]").fill("3")
        form.locator("button[type=submit]").click()

        video = page.wait_for_selector("#current-job video", timeout=180_000)
        page.wait_for_function("v => v.readyState >= 2 && v.duration > 0", arg=video, timeout=30_000)
        duration = video.evaluate("v => v.duration")
        video.evaluate("v => v.play()")
        start = video.evaluate("v => v.currentTime")
        page.wait_for_function("([v, t]) => v.currentTime > t + 0.2", arg=[video, start], timeout=10_000)
        size = video.evaluate("v => [v.videoWidth, v.videoHeight]")
        poster = video.get_attribute("poster")
        download = page.locator("#current-job a[download]").first.get_attribute("href")
        browser.close()
    assert abs(duration - 1.5) < 0.2
    assert size == [256, 256]  # 32 px frames, upscaled for viewing
    assert poster and poster.endswith("-poster.png") and download.endswith("?download=1")
    assert any('"status": "running"' in f or '"status":"running"' in f for f in frames)  # live progress
    assert not errors


def test_a_mask_painted_on_the_canvas_repaints_only_that_area(daphne_url, generation_worker, tmp_path, chromium):
    import io

    import numpy as np
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from portal.jobs.models import Job
    from tests.generation.jobs import shape_picture
    from tests.processes import wait_for_job

    picture = tmp_path / "picture.png"
    shape_picture(64).save(picture)
    login = Client()
    user = make_user("mask-painter")
    login.force_login(user)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": login.cookies["sessionid"].value,
                    "url": daphne_url,
                }
            ]
        )
        page = context.new_page()
        page.goto(daphne_url + "/generation/?tab=inpaint")
        form = page.locator("form[data-kind=inpaint]")
        form.locator("input[name=image]").set_input_files(str(picture))
        canvas = page.wait_for_selector(".mask-canvas", state="visible")
        form.locator(".brush-size").fill("60")
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 10, box["y"] + 10)
        page.mouse.down()  # a stroke across the top quarter of the picture
        page.mouse.move(box["x"] + box["width"] - 10, box["y"] + 10, steps=8)
        page.mouse.move(box["x"] + box["width"] - 10, box["y"] + box["height"] / 4, steps=4)
        page.mouse.move(box["x"] + 10, box["y"] + box["height"] / 4, steps=8)
        page.mouse.up()
        form.locator("textarea[name=prompt]").fill("a green square")
        form.locator("input[name=steps]").fill("3")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("#current-job img.result", timeout=120_000)
        browser.close()
    job = wait_for_job(Job.objects.filter(owner=user).get().pk, timeout=10)
    assert job.status == "done", job.error
    mask = Image.open(job_folder_of(job) / "inputs" / "mask.png").convert("L")
    assert mask.size == (64, 64)
    painted = np.asarray(mask) > 127
    assert painted[:12].mean() > 0.5 and not painted[40:].any()  # the stroke, at the picture's own resolution
    response = login.get(job.result and f"/generation/jobs/{job.pk}/files/{job.result['files'][0]['name']}")
    result = np.asarray(Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB")).astype(int)
    original = np.asarray(Image.open(picture).convert("RGB")).astype(int)
    assert np.abs(result[44:] - original[44:]).max() <= 1


def job_folder_of(job):
    from generation.services import job_folder

    return job_folder(job)
