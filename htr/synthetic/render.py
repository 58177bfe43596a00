"""Drawing a line of text as a handwriting-like ink mask, one character at a time.

Characters are placed one by one (advance and kerning from the font) so that each can be nudged off the
baseline and the spacing tightened or loosened like a hand's; a character the family lacks is taken from a
fallback family at a matching size. The result is an ink coverage mask (float32, 0 = paper, 1 = full ink)
that `htr.synthetic.augment` turns into a photographed page line.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from htr.synthetic.fonts import FontFamily, FontsMissing


def _pick_face(char: str, family: FontFamily, fallbacks: list[FontFamily]):
    face = family.face_for(char)
    if face is not None:
        return family, face
    for other in fallbacks:
        face = other.face_for(char)
        if face is not None:
            return other, face
    return None, None


def _x_height(font: ImageFont.FreeTypeFont) -> float:
    box = font.getbbox("о", anchor="ls")
    return max(1.0, -float(box[1]))


def render_mask(
    text: str,
    family: FontFamily,
    size: int,
    rng: random.Random,
    fallbacks: list[FontFamily] | None = None,
    tracking: float = 0.0,
    jitter: float = 0.0,
    word_space: float = 1.0,
) -> np.ndarray:
    """Ink mask of `text` in `family` at `size` px; tracking adds (or, negative, removes) space between
    characters as a fraction of size, jitter moves each character up or down by up to that fraction."""
    if not text.strip():
        raise ValueError("cannot render an empty line")
    fallbacks = [f for f in (fallbacks or []) if f is not family]
    font_cache: dict[tuple[str, str], ImageFont.FreeTypeFont] = {}
    main_face = family.face_for("о") or family.face_for("o") or family.faces[0]
    x_ref = _x_height(family.font(main_face, size))

    placed = []  # (x, dy, char, font)
    x = float(size) * 0.5
    previous: tuple[str, ImageFont.FreeTypeFont] | None = None
    for char in text:
        if char == " ":
            x += size * 0.28 * word_space
            previous = None
            continue
        owner, face = _pick_face(char, family, fallbacks)
        if face is None:
            raise FontsMissing(f"no font among {family.name} and its fallbacks has a glyph for {char!r}")
        key = (owner.name, str(face))
        font = font_cache.get(key)
        if font is None:
            face_size = size
            if owner is not family:  # match the x-height of the line's own family
                probe = owner.font(face, size)
                face_size = max(6, round(size * x_ref / _x_height(probe)))
            font = font_cache[key] = owner.font(face, face_size)
        if previous is not None and previous[1] is font:
            advance_pair = font.getlength(previous[0] + char) - font.getlength(previous[0])
            kern = advance_pair - font.getlength(char)
            x += kern
        dy = rng.uniform(-jitter, jitter) * size if jitter else 0.0
        placed.append((x, dy, char, font))
        x += font.getlength(char) + tracking * size
        previous = (char, font)

    width = int(x + size * 0.8)
    height = int(size * 2.4)
    baseline = int(size * 1.5)
    canvas = Image.new("L", (max(width, 8), height), 0)
    draw = ImageDraw.Draw(canvas)
    for px, dy, char, font in placed:
        draw.text((px, baseline + dy), char, font=font, fill=255, anchor="ls")
    mask = np.asarray(canvas, dtype=np.float32) / 255.0
    rows = np.flatnonzero(mask.max(axis=1) > 0.05)
    cols = np.flatnonzero(mask.max(axis=0) > 0.05)
    if rows.size == 0:
        raise FontsMissing(f"font family {family.name} drew nothing for {text!r} (glyphs without outlines?)")
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
