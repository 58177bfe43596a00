"""Samples and a colour-following score for a trained embedded model, generated through `from_pretrained`.

The score: for prompts "a <colour> <shape> on a <background> background", the nearest palette colour of the image
border (background) and of the pixels that differ most from it (the shape) are compared with the prompt.
"""

import json
import random
from pathlib import Path

import numpy as np
import torch
from diffusers import KandinskyV22Pipeline, KandinskyV22PriorPipeline
from PIL import Image

from generation.training.shapes import COLOURS, SHAPES, caption

GRID_PROMPTS = [
    ("circle", "red", "blue"),
    ("square", "yellow", "black"),
    ("triangle", "white", "green"),
    ("cross", "orange", "purple"),
    ("circle", "green", "white"),
    ("square", "blue", "orange"),
    ("triangle", "black", "yellow"),
    ("cross", "purple", "red"),
]


def nearest_colour(rgb: np.ndarray) -> str:
    names = list(COLOURS)
    palette = np.array([COLOURS[n] for n in names], dtype=float)
    return names[int(np.argmin(((palette - rgb) ** 2).sum(1)))]


def read_colours(image: Image.Image) -> tuple[str, str]:
    pixels = np.asarray(image.convert("RGB"), dtype=float)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = np.median(border, axis=0)
    distance = np.sqrt(((pixels - background) ** 2).sum(-1))
    far = pixels[distance > np.percentile(distance, 90)]
    return nearest_colour(background), nearest_colour(np.median(far, axis=0))


@torch.inference_mode()
def generate(prior, decoder, prompt: str, seed: int, steps: int = 25) -> Image.Image:
    generator = torch.Generator().manual_seed(seed)
    embeds = prior(prompt, num_inference_steps=steps, generator=generator, guidance_scale=4.0)
    return decoder(
        image_embeds=embeds.image_embeds,
        negative_image_embeds=embeds.negative_image_embeds,
        height=64,
        width=64,
        num_inference_steps=steps,
        guidance_scale=4.0,
        generator=generator,
    ).images[0]


def write_samples(model_dir: Path, count: int = 48) -> dict:
    prior = KandinskyV22PriorPipeline.from_pretrained(model_dir / "prior", dtype=torch.float32)
    decoder = KandinskyV22Pipeline.from_pretrained(model_dir / "decoder", dtype=torch.float32)
    prior.set_progress_bar_config(disable=True)
    decoder.set_progress_bar_config(disable=True)
    out = model_dir / "samples"
    out.mkdir(exist_ok=True)
    tiles = []
    for shape, colour, background in GRID_PROMPTS:
        row = [generate(prior, decoder, caption(shape, colour, background), seed) for seed in range(4)]
        row[0].save(out / f"{colour}-{shape}-on-{background}.png")
        tiles.append(row)
    grid = Image.new("RGB", (64 * 4, 64 * len(tiles)), "white")
    for y, row in enumerate(tiles):
        for x, image in enumerate(row):
            grid.paste(image, (64 * x, 64 * y))
    grid.resize((grid.width * 2, grid.height * 2), Image.NEAREST).save(out / "grid.png")

    rng = random.Random(1234)
    hits = {"background": 0, "shape_colour": 0}
    for i in range(count):
        shape = rng.choice(SHAPES)
        colour = rng.choice(list(COLOURS))
        background = rng.choice([c for c in COLOURS if c != colour])
        got_background, got_colour = read_colours(generate(prior, decoder, caption(shape, colour, background), 100 + i))
        hits["background"] += got_background == background
        hits["shape_colour"] += got_colour == colour
    score = {f"{k}_accuracy": round(v / count, 3) for k, v in hits.items()}
    score["prompts"] = count
    score["chance"] = round(1 / len(COLOURS), 3)
    (out / "score.json").write_text(json.dumps(score, indent=2))
    return score


@torch.inference_mode()
def write_feature_samples(model_dir: Path) -> list[str]:
    """One strip per picture feature (variations, mix, inpainting), drawn by the same diffusers classes."""
    from diffusers import KandinskyV22InpaintPipeline
    from diffusers.pipelines.kandinsky import KandinskyPriorPipelineOutput

    from generation.training.shapes import draw_shape

    prior = KandinskyV22PriorPipeline.from_pretrained(model_dir / "prior", dtype=torch.float32)
    decoder = KandinskyV22Pipeline.from_pretrained(model_dir / "decoder", dtype=torch.float32)
    inpaint = KandinskyV22InpaintPipeline.from_pretrained(
        model_dir / "decoder-inpaint", movq=decoder.movq, dtype=torch.float32
    )
    for pipe in (prior, decoder, inpaint):
        pipe.set_progress_bar_config(disable=True)
    out = model_dir / "samples"
    source = draw_shape("circle", "red", "blue", size=64, rng=random.Random(5))
    written = []

    def strip(name: str, images: list[Image.Image]) -> None:
        canvas = Image.new("RGB", (64 * len(images), 64), "white")
        for i, image in enumerate(images):
            canvas.paste(image.convert("RGB").resize((64, 64)), (64 * i, 0))
        canvas.resize((canvas.width * 2, canvas.height * 2), Image.NEAREST).save(out / name)
        written.append(name)

    generator = torch.Generator().manual_seed(0)

    def decode(pipe, embeds: KandinskyPriorPipelineOutput, **pictures) -> list[Image.Image]:
        """64 px pictures from the prior's embeddings (`pictures`: the inpainting decoder's image and mask)."""
        return pipe(
            **pictures,
            image_embeds=embeds.image_embeds,
            negative_image_embeds=embeds.negative_image_embeds,
            height=64,
            width=64,
            num_inference_steps=25,
            generator=generator,
        ).images

    pixels = prior.image_processor(source, return_tensors="pt").pixel_values
    embeds = KandinskyPriorPipelineOutput(
        image_embeds=prior.image_encoder(pixels).image_embeds.repeat(3, 1),
        negative_image_embeds=prior.get_zero_embed(3),
    )
    variations = decode(decoder, embeds)
    strip("variations.png", [source, *variations])  # the source, then three variations

    mixed = prior.interpolate(
        ["a yellow square on a black background", source],
        [0.5, 0.5],
        num_inference_steps=25,
        generator=generator,
    )
    mix = decode(decoder, mixed)
    strip("mix.png", [source, *mix])  # the picture, then 0.5 × picture + 0.5 × "a yellow square on black"

    mask = Image.new("L", (64, 64), 0)
    mask.paste(255, (0, 0, 64, 32))  # repaint the top half
    green = prior(
        "a green circle on a white background",
        num_inference_steps=25,
        generator=generator,
    )
    painted = decode(inpaint, green, image=source, mask_image=mask)
    strip("inpaint.png", [source, mask.convert("RGB"), *painted])  # picture, mask (white = repaint), result
    return written
