"""Output sizes: aspect ratios rounded to what the active decoder accepts, read from its configs (no weights)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings

ASPECTS = {
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:4": (3, 4),
    "16:9": (16, 9),
    "9:16": (9, 16),
    "3:2": (3, 2),
    "2:3": (2, 3),
}


@lru_cache(maxsize=8)
def _decoder_geometry(decoder_dir: str) -> tuple[int, int]:
    """(size multiple, native side) of a Kandinsky 2.2 decoder folder."""
    folder = Path(decoder_dir)
    movq = json.loads((folder / "movq" / "config.json").read_text())
    unet = json.loads((folder / "unet" / "config.json").read_text())
    factor = 2 ** (len(movq["block_out_channels"]) - 1)
    sample = unet.get("sample_size") or 96
    sample = sample[0] if isinstance(sample, (list, tuple)) else sample
    return factor * factor, int(sample * factor)


def decoder_geometry() -> tuple[int, int]:
    decoder = settings.GENERATION_MODELS.get("kandinsky22_decoder")
    try:
        return _decoder_geometry(str(decoder))
    except (OSError, ValueError, KeyError):
        return (
            64,
            512,
        )  # the real Kandinsky 2.2 decoder: movq factor 8, trained at 512-768


def size_multiple() -> int:
    return decoder_geometry()[0]


def native_side() -> int:
    return decoder_geometry()[1]


def round_to(value: float, multiple: int) -> int:
    return max(multiple, round(value / multiple) * multiple)


def output_size(aspect: str, side: int | None, multiple: int | None = None) -> tuple[int, int]:
    """(width, height) with the long side ≈ `side` (default: the model's native side), both multiples the model takes."""
    multiple = multiple or size_multiple()
    side = side or native_side()
    w, h = ASPECTS[aspect]
    if w >= h:
        return round_to(side, multiple), round_to(side * h / w, multiple)
    return round_to(side * w / h, multiple), round_to(side, multiple)


def fit_to_multiple(width: int, height: int, max_side: int | None = None) -> tuple[int, int]:
    """An uploaded picture's size, scaled down to `max_side` if needed and rounded to the model's multiple."""
    multiple = size_multiple()
    max_side = max_side or settings.GENERATION_MAX_SIDE
    scale = min(1.0, max_side / max(width, height))
    return round_to(width * scale, multiple), round_to(height * scale, multiple)
