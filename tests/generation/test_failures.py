"""Failures end in the Job row with a message; the worker process survives them."""

import pytest
import torch
from PIL import Image

from generation import features, safety
from generation.running import generation_run
from portal.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_cuda_out_of_memory_fails_the_job_with_a_message_and_returns(monkeypatch):
    def runs_out_of_memory(job):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    monkeypatch.setattr(features, "text_to_image", runs_out_of_memory)
    job = Job.objects.create(kind="generation.text2image", params={"width": 2048, "height": 1024, "batch": 4})
    generation_run(job_id=job.pk)  # returns: the worker lives on
    job.refresh_from_db()
    assert job.status == "failed"
    assert "ran out of memory for this request (2048×1024 px, 4 images)" in job.error


def test_an_unknown_model_folder_fails_the_job_with_the_path(settings):
    settings.GENERATION_MODELS = {
        **settings.GENERATION_MODELS,
        "kandinsky22_prior": "/nonexistent/prior",
    }
    job = Job.objects.create(kind="generation.variations", params={"steps": 2, "guidance": 1, "batch": 1})
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "/nonexistent/prior is not a diffusers folder" in job.error


def test_a_finished_job_delivered_again_is_not_run_twice():
    job = Job.objects.create(kind="generation.text2image", status="done", result={"files": []})
    generation_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "done" and job.error == ""


def test_the_safety_hook_blacks_out_pictures_it_flags(settings):
    settings.GENERATION_SAFETY_CHECKER = "generation.safety.block_words_checker"
    settings.GENERATION_BLOCKED_WORDS = ["forbidden"]
    pictures = [Image.new("RGB", (8, 8), "red")] * 2
    kept, blocked = safety.screen(pictures, prompt="a red circle")
    assert blocked == 0 and kept[0].getpixel((0, 0)) == (255, 0, 0)
    screened, blocked = safety.screen(pictures, prompt="a forbidden circle")
    assert blocked == 2 and screened[0].getpixel((0, 0)) == (0, 0, 0)
