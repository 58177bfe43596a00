"""Text -> clip: keyframes + optical-flow in-betweens, H.264 mp4 (yuv420p, faststart) from imageio-ffmpeg's ffmpeg."""

import re
import subprocess

import imageio_ffmpeg
import pytest
from django.urls import reverse

from generation.services import job_folder
from tests.factories import make_user
from tests.generation.jobs import finished, shape_picture, submit, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]


def probe(path) -> str:
    done = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-hide_banner",
            "-i",
            str(path),
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr


def test_it_makes_an_h264_mp4_with_the_asked_length_fps_and_a_poster(client, generation_worker):
    client.force_login(make_user("director"))
    data = {
        "prompt": "a red circle on a blue background",
        "end_prompt": "a yellow circle on a blue background",
        "aspect": "16:9",
        "side": 64,
        "seconds": 1.5,
        "fps": 8,
        "keyframes_per_second": 2,
        "motion": "zoom-in",
        "strength": 0.5,
        "steps": 4,
        "guidance": 4.0,
        "seed": 3,
    }
    job = finished(submit(client, "video", data))
    assert job.status == "done", job.error
    assert job.done == job.total
    video, poster = job.result["files"]
    assert video["type"] == "video" and poster["type"] == "poster"
    assert video["frames"] == 12 and video["fps"] == 8 and job.result["keyframes"] == 4
    path = job_folder(job) / "results" / video["name"]
    info = probe(path)
    assert re.search(r"Video: h264 \(High\).*yuv420p", info), info
    assert "frame=   12" in info or "frame=12" in info.replace(" ", ""), info
    head = path.read_bytes()[:4096]
    assert head.index(b"moov") < head.index(b"mdat") if b"mdat" in head else b"moov" in head  # faststart

    response = client.get(
        reverse("generation:file", args=[job.pk, video["name"]]),
        HTTP_RANGE="bytes=0-99",
    )
    assert response.status_code == 206 and len(response.content) == 100
    assert response["Content-Type"] == "video/mp4"


def test_a_clip_can_start_from_a_picture(client, generation_worker):
    client.force_login(make_user("animator"))
    data = {
        "prompt": "a red circle on a blue background",
        "image": upload("start.png", shape_picture(48)),
        "aspect": "1:1",
        "side": 32,
        "seconds": 1,
        "fps": 6,
        "keyframes_per_second": 1,
        "motion": "pan-left",
        "strength": 0.4,
        "steps": 3,
        "guidance": 2.0,
    }
    job = finished(submit(client, "video", data))
    assert job.status == "done", job.error
    assert job.result["files"][0]["frames"] == 6 and job.result["keyframes"] == 2


def test_it_refuses_a_clip_longer_than_the_frame_limit(client, db, settings):
    settings.GENERATION_MAX_VIDEO_FRAMES = 50
    client.force_login(make_user("epic"))
    error = submit(
        client,
        "video",
        {
            "prompt": "a circle",
            "aspect": "1:1",
            "seconds": 10,
            "fps": 24,
            "keyframes_per_second": 1,
            "motion": "none",
            "strength": 0.5,
            "steps": 2,
            "guidance": 1,
        },
        status=400,
    )
    assert "240 frames is too many; the limit is 50" in error["error"]
