"""Loading the generation models, in the worker (which folders are installed: registry.py, web-side).

`settings.GENERATION_MODELS` maps a kind to a local diffusers folder (`save_pretrained` layout). Each is loaded with
the usual diffusers class and `from_pretrained`, fp16 on CUDA, once per worker process, and kept loaded between jobs;
pipelines that can share components do (img2img is `from_pipe` of the text-to-image decoder, the inpainting decoder
borrows its movq).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import torch
from diffusers import (
    AutoPipelineForText2Image,
    DiffusionPipeline,
    KandinskyV22Img2ImgPipeline,
    KandinskyV22InpaintPipeline,
    KandinskyV22Pipeline,
    KandinskyV22PriorPipeline,
)
from django.conf import settings

from generation.registry import ModelNotConfigured, model_dir, read_card

log = logging.getLogger(__name__)

_lock = threading.RLock()
_cache: dict[tuple, object] = {}
# every from_pretrained this process made (the benchmark shows a second job adds none)
LOADS: list[str] = []
__all__ = ["ModelNotConfigured", "model_dir", "kandinsky22", "kandinsky3", "video_keyframes", "pick_device"]


def pick_device(requested: str | None = None) -> tuple[torch.device, torch.dtype]:
    name = requested or settings.GENERATION_DEVICE or ("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(name)
    return device, (torch.float16 if device.type == "cuda" else torch.float32)


def _loaded(pipeline_class, path: Path, dtype: torch.dtype, **components):
    LOADS.append(f"{pipeline_class.__name__}:{path}")
    log.info("loading %s from %s (%s)", pipeline_class.__name__, path, dtype)
    pipe = pipeline_class.from_pretrained(path, dtype=dtype, **components)
    pipe.set_progress_bar_config(disable=True)
    return pipe


@dataclass
class Kandinsky22:
    """The Kandinsky 2.2 family, loaded once: prior, text-to-image, img2img and (if configured) inpainting."""

    prior: KandinskyV22PriorPipeline
    text2image: KandinskyV22Pipeline
    img2img: KandinskyV22Img2ImgPipeline
    inpaint: KandinskyV22InpaintPipeline | None
    device: torch.device
    dtype: torch.dtype
    card: dict = field(default_factory=dict)

    @property
    def scale_factor(self) -> int:
        """Image side / latent side; image sides must be multiples of its square (what Kandinsky rounds to)."""
        return self.text2image.movq_scale_factor

    @property
    def size_multiple(self) -> int:
        return self.scale_factor**2

    @property
    def native_size(self) -> int:
        return int(self.card.get("native_size") or self.text2image.unet.config.sample_size * self.scale_factor)


def kandinsky22(device: str | None = None) -> Kandinsky22:
    prior_dir, decoder_dir = (
        model_dir("kandinsky22_prior"),
        model_dir("kandinsky22_decoder"),
    )
    if prior_dir is None or decoder_dir is None:
        raise ModelNotConfigured("GENERATION_MODELS needs 'kandinsky22_prior' and 'kandinsky22_decoder'")
    inpaint_dir = model_dir("kandinsky22_inpaint")
    torch_device, dtype = pick_device(device)
    key = ("kandinsky22", prior_dir, decoder_dir, inpaint_dir, str(torch_device))
    with _lock:
        if key not in _cache:
            prior = _loaded(KandinskyV22PriorPipeline, prior_dir, dtype).to(torch_device)
            text2image = _loaded(KandinskyV22Pipeline, decoder_dir, dtype).to(torch_device)
            img2img = KandinskyV22Img2ImgPipeline.from_pipe(text2image)
            img2img.set_progress_bar_config(disable=True)
            inpaint = None
            if inpaint_dir is not None:
                inpaint = _loaded(
                    KandinskyV22InpaintPipeline,
                    inpaint_dir,
                    dtype,
                    movq=text2image.movq,
                ).to(torch_device)
            _cache[key] = Kandinsky22(
                prior,
                text2image,
                img2img,
                inpaint,
                torch_device,
                dtype,
                read_card(prior_dir),
            )
        return _cache[key]  # type: ignore[return-value]


def kandinsky3(device: str | None = None) -> DiffusionPipeline:
    path = model_dir("kandinsky3")
    if path is None:
        raise ModelNotConfigured("Kandinsky 3 is not configured (GENERATION_MODELS['kandinsky3'])")
    torch_device, dtype = pick_device(device)
    key = ("kandinsky3", path, str(torch_device))
    with _lock:
        if key not in _cache:
            _cache[key] = _loaded(AutoPipelineForText2Image, path, dtype).to(torch_device)
        return _cache[key]  # type: ignore[return-value]


def video_keyframes(device: str | None = None) -> KandinskyV22Img2ImgPipeline:
    """The img2img decoder that draws video keyframes: the configured 'video' folder, else the shared decoder."""
    path = model_dir("video")
    family = kandinsky22(device)
    if path is None or path == model_dir("kandinsky22_decoder"):
        return family.img2img
    key = ("video", path, str(family.device))
    with _lock:
        if key not in _cache:
            _cache[key] = _loaded(KandinskyV22Img2ImgPipeline, path, family.dtype).to(family.device)
        return _cache[key]  # type: ignore[return-value]
