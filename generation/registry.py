"""Which generation models this server has: the folders `settings.GENERATION_MODELS` names and their cards.

Web-side: the pages and the API read this to offer only what is installed, without loading torch or diffusers
(`pipelines.py` loads the models, in the worker).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

KINDS = {
    "kandinsky22_prior": "Kandinsky 2.2 prior (text/image -> CLIP image embedding)",
    "kandinsky22_decoder": "Kandinsky 2.2 decoder (CLIP image embedding -> image; also img2img)",
    "kandinsky22_inpaint": "Kandinsky 2.2 inpainting decoder (9-channel UNet)",
    "kandinsky3": "Kandinsky 3 text-to-image",
    "video": "keyframe decoder for video (a Kandinsky 2.2 decoder folder; default: the decoder above)",
}
# The text-to-image models a person may choose, by the kind of folder each needs.
TEXT_TO_IMAGE_MODELS = {
    "kandinsky22": ("Kandinsky 2.2", "kandinsky22_decoder"),
    "kandinsky3": ("Kandinsky 3", "kandinsky3"),
}
# Optional card beside the prior: {"name", "description", "can_draw", "example_prompts", "native_size", "can_mix"}
CARD_FILE = "skoropis-model.json"


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


def is_installed(kind: str) -> bool:
    try:
        return model_dir(kind) is not None
    except ModelNotConfigured:
        return False


def text_to_image_models() -> list[tuple[str, str]]:
    """(value, label) of the text-to-image models whose folders are installed here."""
    return [(name, label) for name, (label, kind) in TEXT_TO_IMAGE_MODELS.items() if is_installed(kind)]


def read_card(prior_dir: Path) -> dict:
    for folder in (prior_dir, prior_dir.parent):
        card = folder / CARD_FILE
        if card.is_file():
            return json.loads(card.read_text())
    return {}


def active_card() -> dict:
    """The card of the configured Kandinsky 2.2 prior ({} when there is none)."""
    raw = settings.GENERATION_MODELS.get("kandinsky22_prior")
    return read_card(Path(raw)) if raw else {}


def can_mix() -> bool:
    """Whether the active model's mixes are worth offering: a card may say `"can_mix": false` when the model's image
    embeddings do not carry what a picture shows (the shipped shapes model), so a mix would be unrelated to its inputs."""
    return bool(active_card().get("can_mix", True))


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
    prior = kinds["kandinsky22_prior"]["path"]
    card = read_card(Path(prior)) if prior else {}
    return {
        "name": card.get("name") or (Path(prior).parent.name if prior else "none"),
        "description": card.get("description", ""),
        "can_draw": card.get("can_draw", ""),
        "example_prompts": card.get("example_prompts", []),
        "native_size": card.get("native_size"),
        "can_mix": bool(card.get("can_mix", True)),
        "kinds": kinds,
        "inpaint_model": "dedicated inpainting decoder" if kinds["kandinsky22_inpaint"]["path"] else "not configured",
        "kandinsky3": bool(kinds["kandinsky3"]["path"]),
        "text_to_image_models": [label for _value, label in text_to_image_models()],
        # The web process does not load torch; the worker picks its device when it loads the models.
        "device": settings.GENERATION_DEVICE or str(_("auto (the worker's GPU when it has one, else its CPU)")),
    }
