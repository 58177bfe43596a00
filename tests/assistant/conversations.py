"""What the assistant's tests share: a picture to send, an archive page to ask about, waiting for the worker's answer."""

from __future__ import annotations

from pathlib import Path


def png_bytes(size=(320, 240), color=(200, 180, 140)) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).ellipse((40, 40, 200, 180), fill=(90, 120, 60))  # a photo-ish blob, no writing
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_archive_page(document, user, alto: Path, image: Path):
    """A real archive page with its ALTO ground-truth lines, stored through the archive's own upload service."""
    from portal.archive.uploads import document_upload

    pages, _jobs = document_upload(
        document=document,
        files=[(image.name, image.read_bytes()), (alto.name, alto.read_bytes())],
        user=user,
    )
    return pages[0]


def wait_for_message(message_id: int, timeout: float = 120):
    import time

    from assistant.models import Message

    deadline = time.monotonic() + timeout
    while True:
        message = Message.objects.get(pk=message_id)
        if message.status in (Message.Status.DONE, Message.Status.FAILED):
            return message
        if time.monotonic() > deadline:
            raise AssertionError(f"message {message_id} still {message.status} after {timeout}s")
        time.sleep(0.3)


def wait_for_read(conversation, timeout: float = 180):
    """Wait for the engine to finish reading an uploaded image (the Job row is the truth)."""
    import time

    from portal.jobs.models import Job

    deadline = time.monotonic() + timeout
    while Job.objects.get(pk=conversation.read_job_id).is_active:
        if time.monotonic() > deadline:
            raise AssertionError(f"reading still running after {timeout}s")
        time.sleep(0.5)
    conversation.refresh_from_db()
    return Job.objects.get(pk=conversation.read_job_id)
