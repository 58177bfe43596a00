"""In Debian's Chromium: the video form is submitted, progress arrives over the websocket, and the mp4 plays."""

import os

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.generation.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]
os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's sync API runs an event loop here


def test_a_generated_clip_plays_in_chromium(daphne_url, generation_worker):
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    login = Client()
    login.force_login(make_user("viewer-of-clips"))
    session = login.cookies["sessionid"].value
    frames: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": session, "url": daphne_url}]
        )
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
        page.wait_for_function(
            "v => v.readyState >= 2 && v.duration > 0", arg=video, timeout=30_000
        )
        duration = video.evaluate("v => v.duration")
        video.evaluate("v => v.play()")
        start = video.evaluate("v => v.currentTime")
        page.wait_for_function(
            "([v, t]) => v.currentTime > t + 0.2", arg=[video, start], timeout=10_000
        )
        size = video.evaluate("v => [v.videoWidth, v.videoHeight]")
        poster = video.get_attribute("poster")
        download = page.locator("#current-job a[download]").first.get_attribute("href")
        browser.close()
    assert abs(duration - 1.5) < 0.2
    assert size == [256, 256]  # 32 px frames, upscaled for viewing
    assert (
        poster and poster.endswith("-poster.png") and download.endswith("?download=1")
    )
    assert any(
        '"status": "running"' in f or '"status":"running"' in f for f in frames
    )  # live progress
    assert not errors
