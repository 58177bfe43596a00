"""The synthetic captioned dataset the embedded model learns from: one coloured shape on a plain background.

Captions name the shape, its colour and the background colour ("a red circle on a blue background"); position and
size vary freely, so they are what the model invents.
"""

import random

import numpy as np
from PIL import Image, ImageDraw

COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "yellow": (240, 210, 40),
    "white": (245, 245, 245),
    "black": (20, 20, 20),
    "purple": (140, 60, 180),
    "orange": (245, 140, 30),
}
SHAPES = ("circle", "square", "triangle", "cross")
TEMPLATES = (
    "a {colour} {shape} on a {background} background",
    "{colour} {shape} on {background}",
    "a {shape} in {colour} on a {background} background",
)
# Every word a caption or a sensible demo prompt may use; the tokenizer merges them into whole-word tokens.
VOCABULARY = sorted(
    set(COLOURS)
    | set(SHAPES)
    | {
        "a",
        "an",
        "the",
        "on",
        "in",
        "of",
        "with",
        "and",
        "background",
        "big",
        "small",
        "shape",
        "image",
        "picture",
    }
)


def draw_shape(shape: str, colour: str, background: str, *, size: int = 64, rng: random.Random) -> Image.Image:
    """Draw at 4x and downsample, so the edges are anti-aliased like a real photo's."""
    scale = 4
    big = size * scale
    image = Image.new("RGB", (big, big), COLOURS[background])
    draw = ImageDraw.Draw(image)
    radius = rng.uniform(0.18, 0.32) * big
    cx = rng.uniform(radius, big - radius)
    cy = rng.uniform(radius, big - radius)
    fill = COLOURS[colour]
    if shape == "circle":
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=fill)
    elif shape == "square":
        r = radius * 0.85
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=fill)
    elif shape == "triangle":
        draw.polygon(
            [
                (cx, cy - radius),
                (cx - radius, cy + radius * 0.8),
                (cx + radius, cy + radius * 0.8),
            ],
            fill=fill,
        )
    elif shape == "cross":
        w = radius * 0.35
        draw.rectangle([cx - radius, cy - w, cx + radius, cy + w], fill=fill)
        draw.rectangle([cx - w, cy - radius, cx + w, cy + radius], fill=fill)
    else:
        raise ValueError(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
    return image.resize((size, size), Image.LANCZOS)


def caption(shape: str, colour: str, background: str, template: int = 0) -> str:
    return TEMPLATES[template].format(shape=shape, colour=colour, background=background)


def sample_example(rng: random.Random, size: int = 64) -> tuple[Image.Image, str, tuple[str, str, str]]:
    shape = rng.choice(SHAPES)
    colour = rng.choice(list(COLOURS))
    background = rng.choice([c for c in COLOURS if c != colour])
    image = draw_shape(shape, colour, background, size=size, rng=rng)
    return (
        image,
        caption(shape, colour, background, rng.randrange(len(TEMPLATES))),
        (shape, colour, background),
    )


def make_dataset(
    count: int, *, seed: int = 0, size: int = 64
) -> tuple[np.ndarray, list[str], list[tuple[str, str, str]]]:
    """Images as uint8 (N, H, W, 3), their captions and (shape, colour, background) labels."""
    rng = random.Random(seed)
    images = np.empty((count, size, size, 3), dtype=np.uint8)
    captions, labels = [], []
    for i in range(count):
        image, text, label = sample_example(rng, size)
        images[i] = np.asarray(image)
        captions.append(text)
        labels.append(label)
    return images, captions, labels
