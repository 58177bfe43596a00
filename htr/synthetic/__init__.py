"""Synthetic handwritten-looking text lines, for pre-training a recogniser before an archive has transcribed
anything: random prose in the script's period spelling, drawn with handwriting-style fonts, then distorted and
laid on old paper.

    from htr.synthetic import LineGenerator, write_lines
    gen = LineGenerator(script="cyrillic", seed=0)
    write_lines("synth/train", 20000, gen)          # synth/train/manifest.tsv + synth/train/lines/*.jpg

CLI: `python -m htr.synthetic --out DIR --lines N --script cyrillic`. Fonts come from `scripts/fetch_fonts.sh`,
prose from `scripts/fetch_texts.sh`; nothing is downloaded while generating.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from htr.synthetic.augment import compose, distort_mask, finish, jpeg_quality
from htr.synthetic.fonts import FontFamily, FontsMissing, find_families
from htr.synthetic.orthography import to_prereform
from htr.synthetic.render import render_mask
from htr.synthetic.texts import TextSource

__all__ = [
    "FontsMissing",
    "LineGenerator",
    "LineSample",
    "find_families",
    "to_prereform",
    "write_lines",
]

LAYOUTS = ("tsv", "peter")


@dataclass
class LineSample:
    text: str
    image: np.ndarray  # RGB uint8 (sample), or gray ink on a 0 background (sample_ink)
    family: str


class LineGenerator:
    """Draws random lines; the same seed and arguments give the same lines."""

    def __init__(
        self,
        script: str = "cyrillic",
        *,
        font_dirs: list[str | Path] | None = None,
        families: list[str] | None = None,
        exclude_families: list[str] | None = None,
        text_files: list[str | Path] | None = None,
        passages: list[str] | None = None,
        seed: int = 0,
        heights: tuple[int, int] = (48, 96),
        x_heights: tuple[int, int] = (12, 24),
    ):
        self.script = script
        self.families: list[FontFamily] = find_families(script, font_dirs, include=families, exclude=exclude_families)
        self.texts = TextSource(script, text_files, passages=passages)
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.heights = heights
        self.x_heights = x_heights

    def _mask(self, text: str, family: FontFamily, size: int) -> np.ndarray:
        rng = self.rng
        mask = render_mask(
            text,
            family,
            size,
            rng,
            fallbacks=self.families,
            tracking=rng.gauss(-0.015, 0.03),
            jitter=rng.uniform(0, 0.05),
            word_space=rng.uniform(0.7, 1.4),
        )
        return distort_mask(mask, self.np_rng, size)

    def _pick(self) -> tuple[FontFamily, str, int]:
        """A font family, a text, and a font size giving an x-height in the generator's range."""
        family = self.rng.choice(self.families)
        text = self.texts.sample(self.rng)
        return family, text, max(10, round(self.rng.randint(*self.x_heights) / family.x_height_ratio))

    def sample(self) -> LineSample:
        rng = self.rng
        for _ in range(50):
            family, text, size = self._pick()
            try:
                mask = self._mask(text, family, size)
                neighbours = []
                for where in ("above", "below"):
                    if rng.random() < 0.3:
                        neighbours.append((self._mask(self.texts.sample(rng), family, size), where))
                ghost = self._mask(self.texts.sample(rng), family, size) if rng.random() < 0.12 else None
            except FontsMissing:
                continue  # a character no family has: draw another line
            image = compose(mask, self.np_rng, size, neighbours, ghost)
            image = finish(image, self.np_rng, rng.randint(*self.heights))
            return LineSample(text=text, image=image, family=family.name)
        raise FontsMissing(f"could not draw any line with the fonts {[f.name for f in self.families]}")

    def sample_ink(self) -> LineSample:
        """A line as the recogniser sees a cut-out line: bare ink (0 background, strokes up to 255) on no paper,
        cropped to the writing with a margin. Slant, baseline wave, elastic warp and pen width are drawn as in
        `sample`; paper, stains, ink colour and neighbouring lines are not, since cutting and ink mapping
        (htr.recognition.lines) take them away from real lines too."""
        for _ in range(50):
            family, text, size = self._pick()
            try:
                mask = self._mask(text, family, size)
            except FontsMissing:
                continue
            inked = mask > 0.05
            if not inked.any():
                continue
            # Stroke cores at full ink, as the percentile mapping of real lines puts them.
            peak = max(float(np.percentile(mask[inked], 90)), 0.3)
            ink = np.clip(mask * (255.0 / peak), 0, 255).astype(np.uint8)
            ys, xs = np.nonzero(ink > 40)  # never empty: the 90th percentile of the inked pixels maps above 40
            pad = max(2, size // 4)
            ink = cv2.copyMakeBorder(
                ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0
            )
            return LineSample(text=text, image=ink, family=family.name)  # texts.sample collapsed its spaces
        raise FontsMissing(f"could not draw any line with the fonts {[f.name for f in self.families]}")


def write_lines(
    out: str | Path,
    count: int,
    generator: LineGenerator,
    *,
    layout: str = "tsv",
    on_progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Writes `count` lines under `out` and returns the manifest (tsv layout) or the folder (peter layout).

    tsv: `manifest.tsv` (image path relative to it, TAB, text) and `lines/*.jpg`;
    peter: Digital Peter's layout, `images/<id>.jpg` with `words/<id>.txt`.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose one of {LAYOUTS}")
    if count < 1:
        raise ValueError("count must be at least 1")
    out = Path(out)
    image_dir = out / ("lines" if layout == "tsv" else "images")
    image_dir.mkdir(parents=True, exist_ok=True)
    if layout == "peter":
        (out / "words").mkdir(exist_ok=True)
    rows = []
    used: dict[str, int] = {}
    for i in range(count):
        sample = generator.sample()
        name = f"{i:06d}.jpg"
        bgr = cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR)
        cv2.imwrite(
            str(image_dir / name),
            bgr,
            [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality(generator.np_rng)],
        )
        if layout == "tsv":
            rows.append(f"lines/{name}\t{sample.text}")
        else:
            (out / "words" / f"{i:06d}.txt").write_text(sample.text + "\n", encoding="utf-8")
        used[sample.family] = used.get(sample.family, 0) + 1
        if on_progress is not None:
            on_progress(i + 1, count)
    info = {
        "script": generator.script,
        "lines": count,
        "layout": layout,
        "fonts": {
            f.name: {
                "licence": f.licence,
                "source": f.source,
                "lines": used.get(f.name, 0),
            }
            for f in generator.families
        },
        "texts": generator.texts.sources or ["built-in vocabulary"],
    }
    (out / "generation.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), encoding="utf-8")
    if layout == "tsv":
        manifest = out / "manifest.tsv"
        manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
        return manifest
    return out
