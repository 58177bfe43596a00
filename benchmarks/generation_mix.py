#!/usr/bin/env python
"""Does mixing work with a model? For random pairs of inputs (text + text, picture + picture, picture + text), the
two are mixed half and half as the mix feature does (the prior's `interpolate`, then the decoder), and the colours
of the result (its background and its shape, read as in generation/training/samples.py) are compared with each
input's: "either" counts results showing a colour of at least one input, "both" of each. A single prompt, for scale.

    python benchmarks/generation_mix.py                    # the shipped shapes model, 10 pairs, 15+15 steps
    python benchmarks/generation_mix.py --model /models/shapes-k22-tiny --pairs 20

Shipped shapes-k22-tiny, defaults (one CPU thread, 2-core machine shared with other work): one prompt alone shows
its colours 9/10; text + text either 9/10, both 6/10; picture + picture 10/10, 3/10; picture + text 10/10, 4/10. A mix
mostly shows one of its inputs, so the card says "can_mix": false and the page hides the feature.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from diffusers import KandinskyV22Pipeline, KandinskyV22PriorPipeline  # noqa: E402

from generation.training.samples import read_colours  # noqa: E402
from generation.training.shapes import COLOURS, SHAPES, draw_shape  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=REPO / "generation" / "models" / "shapes-k22-tiny")
    parser.add_argument("--pairs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    prior = KandinskyV22PriorPipeline.from_pretrained(args.model / "prior", dtype=torch.float32)
    decoder = KandinskyV22Pipeline.from_pretrained(args.model / "decoder", dtype=torch.float32)
    for pipe in (prior, decoder):
        pipe.set_progress_bar_config(disable=True)
    rng = random.Random(args.seed)

    def pick() -> tuple[str, str, str]:
        colour, background = rng.sample(list(COLOURS), 2)
        return rng.choice(list(SHAPES)), colour, background

    def text(p) -> str:
        return f"a {p[1]} {p[0]} on a {p[2]} background"

    def colours_of(embeds, negative, seed: int) -> set[str]:
        image = decoder(
            image_embeds=embeds,
            negative_image_embeds=negative,
            height=64,
            width=64,
            num_inference_steps=args.steps,
            guidance_scale=4.0,
            generator=torch.Generator().manual_seed(seed),
        ).images[0]
        return set(read_colours(image))

    score = {key: [0, 0] for key in ("text + text", "picture + picture", "picture + text")}
    single = 0
    with torch.inference_mode():
        for i in range(args.pairs):
            a, b = pick(), pick()
            pa, pb = draw_shape(*a, rng=rng), draw_shape(*b, rng=rng)
            alone = prior(text(a), num_inference_steps=args.steps, generator=torch.Generator().manual_seed(i))
            single += bool(colours_of(alone.image_embeds, alone.negative_image_embeds, i) & {a[1], a[2]})
            for key, inputs in (
                ("text + text", [text(a), text(b)]),
                ("picture + picture", [pa, pb]),
                ("picture + text", [pa, text(b)]),
            ):
                mixed = prior.interpolate(
                    inputs,
                    [0.5, 0.5],
                    num_inference_steps=args.steps,
                    generator=torch.Generator().manual_seed(i),
                    guidance_scale=4.0,
                )
                got = colours_of(mixed.image_embeds, mixed.negative_image_embeds, i)
                shows_a, shows_b = bool(got & {a[1], a[2]}), bool(got & {b[1], b[2]})
                score[key][0] += shows_a or shows_b
                score[key][1] += shows_a and shows_b
    print(f"model {args.model.name}, {args.pairs} pairs, {args.steps}+{args.steps} steps")
    print(f"one prompt alone: its colours in {single}/{args.pairs}")
    for key, (either, both) in score.items():
        print(f"{key:18} either input {either}/{args.pairs}   both inputs {both}/{args.pairs}")


if __name__ == "__main__":
    main()
