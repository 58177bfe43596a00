"""Submitting generation jobs as the page does, waiting for the real worker and reading their pictures; the
pictures tests give them."""

from __future__ import annotations

import io

from PIL import Image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, image: Image.Image):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, png_bytes(image), content_type="image/png")


def shape_picture(size: int = 32, colour=(220, 40, 40), background=(40, 80, 220)) -> Image.Image:
    image = Image.new("RGB", (size, size), background)
    from PIL import ImageDraw

    ImageDraw.Draw(image).ellipse([size // 4, size // 4, 3 * size // 4, 3 * size // 4], fill=colour)
    return image


def picture_form(**fields) -> dict:
    """The text-to-image form as the page posts it: one quick 32 px Kandinsky 2.2 picture of a red circle, but for
    `fields`."""
    return {
        "prompt": "a red circle",
        "aspect": "1:1",
        "side": 32,
        "steps": 2,
        "guidance": 4.0,
        "batch": 1,
        "model": "kandinsky22",
        **fields,
    }


def submit(client, kind: str, data: dict, status: int = 202) -> dict:
    """POST a feature's form as the page does (JSON answer); returns the job (or the error) JSON."""
    from django.urls import reverse

    response = client.post(reverse("generation:submit", args=[kind]), data, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content[:500]
    return response.json()


def finished(job: dict, timeout: float = 120):
    """Wait for the real worker to finish a submitted job; returns the Job row."""
    from tests.processes import wait_for_job

    return wait_for_job(job["id"], timeout=timeout)


def result_images(client, job) -> list[Image.Image]:
    from django.urls import reverse

    images = []
    for f in job.result["files"]:
        if f["type"] != "image":
            continue
        response = client.get(reverse("generation:file", args=[job.pk, f["name"]]))
        assert response.status_code == 200
        images.append(Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB"))
    return images
