"""Registry and loading of the generation models.

`settings.GENERATION_MODELS` maps a kind to a local diffusers folder (`save_pretrained` layout). Each is loaded with
the usual diffusers class and `from_pretrained`, fp16 on CUDA, once per worker process, and kept loaded between jobs;
pipelines that can share components do (img2img is `from_pipe` of the text-to-image decoder, the inpainting decoder
borrows its movq).
"""

from __future__ import annotations

import json
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

log = logging.getLogger(__name__)

KINDS = {
    "kandinsky22_prior": "Kandinsky 2.2 prior (text/image -> CLIP image embedding)",
    "kandinsky22_decoder": "Kandinsky 2.2 decoder (CLIP image embedding -> image; also img2img)",
    "kandinsky22_inpaint": "Kandinsky 2.2 inpainting decoder (9-channel UNet)",
    "kandinsky3": "Kandinsky 3 text-to-image",
    "video": "keyframe decoder for video (a Kandinsky 2.2 decoder folder; default: the decoder above)",
}
CARD_FILE = "skoropis-model.json"  # optional: {"name", "description", "example_prompts", "native_size"}

_lock = threading.RLock()
_cache: dict[tuple, object] = {}
LOADS: list[
    str
] = []  # every from_pretrained this process made (the benchmark shows a second job adds none)


class ModelNotConfigured(Exception):
    """The feature needs a model kind that GENERATION_MODELS does not name."""


def model_dir(kind: str) -> Path | None:
    if kind not in KINDS:
        raise KeyError(f"unknown model kind {kind!r}; known: {', '.join(KINDS)}")
    raw = settings.GENERATION_MODELS.get(kind)
    if not raw:
        return None
    path = Path(raw)
    if not (path / "model_index.json").is_file():
        raise ModelNotConfigured(
            f"GENERATION_MODELS[{kind!r}] = {path} is not a diffusers folder (no model_index.json)"
        )
    return path


def pick_device(requested: str | None = None) -> tuple[torch.device, torch.dtype]:
    name = (
        requested
        or settings.GENERATION_DEVICE
        or ("cuda" if torch.cuda.is_available() else "cpu")
    )
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
        return int(
            self.card.get("native_size")
            or self.text2image.unet.config.sample_size * self.scale_factor
        )


def kandinsky22(device: str | None = None) -> Kandinsky22:
    prior_dir, decoder_dir = (
        model_dir("kandinsky22_prior"),
        model_dir("kandinsky22_decoder"),
    )
    if prior_dir is None or decoder_dir is None:
        raise ModelNotConfigured(
            "GENERATION_MODELS needs 'kandinsky22_prior' and 'kandinsky22_decoder'"
        )
    inpaint_dir = model_dir("kandinsky22_inpaint")
    torch_device, dtype = pick_device(device)
    key = ("kandinsky22", prior_dir, decoder_dir, inpaint_dir, str(torch_device))
    with _lock:
        if key not in _cache:
            prior = _loaded(KandinskyV22PriorPipeline, prior_dir, dtype).to(
                torch_device
            )
            text2image = _loaded(KandinskyV22Pipeline, decoder_dir, dtype).to(
                torch_device
            )
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
        raise ModelNotConfigured(
            "Kandinsky 3 is not configured (GENERATION_MODELS['kandinsky3'])"
        )
    torch_device, dtype = pick_device(device)
    key = ("kandinsky3", path, str(torch_device))
    with _lock:
        if key not in _cache:
            _cache[key] = _loaded(AutoPipelineForText2Image, path, dtype).to(
                torch_device
            )
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
            _cache[key] = _loaded(KandinskyV22Img2ImgPipeline, path, family.dtype).to(
                family.device
            )
        return _cache[key]  # type: ignore[return-value]


def read_card(prior_dir: Path) -> dict:
    for folder in (prior_dir, prior_dir.parent):
        card = folder / CARD_FILE
        if card.is_file():
            return json.loads(card.read_text())
    return {}


def models_summary() -> dict:
    """What the pages show: which folders are configured, the model card, what each feature will use."""
    kinds = {}
    for kind, description in KINDS.items():
        try:
            path = model_dir(kind)
            state = "configured" if path else "not configured"
        except ModelNotConfigured as error:
            path, state = None, str(error)
        kinds[kind] = {
            "description": description,
            "path": str(path) if path else None,
            "state": state,
        }
    card = {}
    prior = kinds["kandinsky22_prior"]["path"]
    if prior:
        card = read_card(Path(prior))
    return {
        "name": card.get("name") or (Path(prior).parent.name if prior else "none"),
        "description": card.get("description", ""),
        "example_prompts": card.get("example_prompts", []),
        "native_size": card.get("native_size"),
        "kinds": kinds,
        "inpaint_model": "dedicated inpainting decoder"
        if kinds["kandinsky22_inpaint"]["path"]
        else "not configured",
        "kandinsky3": bool(kinds["kandinsky3"]["path"]),
        "device": str(pick_device()[0]),
    }
