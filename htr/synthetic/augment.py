"""From an ink mask to something that looks like a line cut from a photographed old page.

Each step stands for something the recogniser meets in archives: the writer's slant and wavering baseline
(shear, rotation, wave, elastic warp), pen width (erosion / dilation), iron-gall ink that browns and fades
unevenly, yellowed paper with stains, fibres, uneven light and ink showing through from the other side,
neighbouring lines' ascenders and descenders cut into the crop, focus, and JPEG compression.
"""

from __future__ import annotations

import cv2
import numpy as np

_INKS = [
    (35, 25, 20),
    (60, 38, 22),
    (85, 55, 30),
    (25, 25, 30),
    (50, 45, 40),
    (95, 70, 50),
    (40, 30, 55),
]
_PAPERS = [
    (232, 220, 190),
    (222, 205, 168),
    (240, 233, 214),
    (210, 190, 150),
    (228, 214, 185),
    (200, 185, 160),
    (245, 242, 235),
    (215, 200, 175),
]


def _smooth_noise(shape: tuple[int, int], scale: float, rng: np.random.Generator) -> np.ndarray:
    """Noise in [-1, 1] varying over about `scale` pixels."""
    h, w = shape
    sh, sw = max(2, int(h / scale) + 2), max(2, int(w / scale) + 2)
    small = rng.uniform(-1, 1, (sh, sw)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def distort_mask(mask: np.ndarray, rng: np.random.Generator, size: float) -> np.ndarray:
    """Slant, rotation, wavy baseline, elastic warp and pen width applied to an ink mask (width may change)."""
    h, w = mask.shape
    pad = int(size * 0.6)
    mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    h, w = mask.shape
    if rng.random() < 0.85:
        shear = rng.normal(0.15, 0.2)  # handwriting leans right more often than left
        angle = np.deg2rad(rng.uniform(-1.5, 1.5))
        a = np.array([[1.0, -shear], [0.0, 1.0]]) @ np.array(
            [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        )
        new_w = int(w + abs(shear) * h)
        t = np.array([new_w / 2, h / 2]) - a @ np.array([w / 2, h / 2])
        mask = cv2.warpAffine(
            mask,
            np.hstack([a, t[:, None]]).astype(np.float32),
            (new_w, h),
            flags=cv2.INTER_LINEAR,
        )
        h, w = mask.shape
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    dx = np.zeros((h, w), np.float32)
    dy = np.zeros((h, w), np.float32)
    if rng.random() < 0.7:  # wavy baseline
        amplitude = rng.uniform(0.02, 0.12) * size
        period = rng.uniform(4, 14) * size
        dy += amplitude * np.sin(2 * np.pi * xs / period + rng.uniform(0, 2 * np.pi))
    if rng.random() < 0.6:  # elastic warp
        strength = rng.uniform(0.02, 0.07) * size
        scale = rng.uniform(0.5, 1.2) * size
        dx += strength * _smooth_noise((h, w), scale, rng)
        dy += strength * _smooth_noise((h, w), scale, rng)
    if dx.any() or dy.any():
        mask = cv2.remap(mask, xs + dx, ys + dy, interpolation=cv2.INTER_LINEAR, borderValue=0)
    r = rng.random()
    k = max(2, round(size / 22))
    if r < 0.2:
        mask = cv2.erode(mask, np.ones((k, k), np.uint8))
    elif r < 0.45:
        mask = cv2.dilate(mask, np.ones((k, k), np.uint8))
    rows = np.flatnonzero(mask.max(axis=1) > 0.05)
    cols = np.flatnonzero(mask.max(axis=0) > 0.05)
    if rows.size:
        mask = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    return np.clip(mask, 0, 1)


def paper(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """An RGB float32 sheet: tinted, unevenly lit, grainy, sometimes stained."""
    h, w = shape
    base = np.array(_PAPERS[rng.integers(len(_PAPERS))], np.float32) + rng.normal(0, 8, 3)
    sheet = np.broadcast_to(base, (h, w, 3)).copy()
    light = 1.0 + rng.uniform(0.03, 0.15) * _smooth_noise((h, w), rng.uniform(0.5, 3) * h, rng)
    gradient = np.linspace(1 - rng.uniform(0, 0.12), 1, w, dtype=np.float32)[None, :]
    if rng.random() < 0.5:
        gradient = gradient[:, ::-1]
    sheet *= (light * gradient)[..., None]
    grain = _smooth_noise((h, w), rng.uniform(1.0, 3.0), rng) * rng.uniform(3, 10)
    sheet += grain[..., None]
    for _ in range(rng.poisson(0.8)):  # stains / foxing
        cy, cx = rng.uniform(0, h), rng.uniform(0, w)
        radius = rng.uniform(0.2, 1.2) * h
        yy, xx = np.ogrid[:h, :w]
        blob = np.exp(-(((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius**2))).astype(np.float32)
        blob *= 1 + 0.5 * _smooth_noise((h, w), radius / 2, rng)
        tint = np.array([rng.uniform(20, 45), rng.uniform(30, 60), rng.uniform(45, 80)], np.float32)
        sheet -= blob[..., None] * tint * rng.uniform(0.3, 1.0)
    return sheet


def compose(
    mask: np.ndarray,
    rng: np.random.Generator,
    size: float,
    neighbours: list[tuple[np.ndarray, str]] | None = None,
    show_through: np.ndarray | None = None,
) -> np.ndarray:
    """The ink mask laid on paper with margins: a uint8 RGB line image.

    `neighbours` are masks of other lines ("above" / "below") whose ascenders or descenders reach into the
    crop; `show_through` is a mask faintly visible from the back of the leaf (mirrored).
    """
    h, w = mask.shape
    top = int(size * rng.uniform(0.05, 0.45))
    bottom = int(size * rng.uniform(0.05, 0.45))
    left, right = int(size * rng.uniform(0.05, 0.6)), int(size * rng.uniform(0.05, 0.6))
    H, W = h + top + bottom, w + left + right
    coverage = np.zeros((H, W), np.float32)
    coverage[top : top + h, left : left + w] = mask
    for other, where in neighbours or []:
        oh, ow = other.shape
        reach = int(size * rng.uniform(0.15, 0.5))
        x0 = int(rng.uniform(-0.2, 0.2) * W)
        piece = other[oh - reach :, :] if where == "above" else other[:reach, :]
        y0 = 0 if where == "above" else H - piece.shape[0]
        xs, xe = max(0, x0), min(W, x0 + ow)
        if xe > xs and piece.shape[0] > 0:
            region = coverage[y0 : y0 + piece.shape[0], xs:xe]
            coverage[y0 : y0 + piece.shape[0], xs:xe] = np.maximum(region, piece[: region.shape[0], xs - x0 : xe - x0])
    sheet = paper((H, W), rng)
    if show_through is not None:
        ghost = cv2.resize(show_through[:, ::-1], (W, H), interpolation=cv2.INTER_LINEAR)
        ghost = cv2.GaussianBlur(ghost, (0, 0), max(1.0, size / 25))
        sheet *= (1 - rng.uniform(0.05, 0.2) * ghost)[..., None]
    ink = np.array(_INKS[rng.integers(len(_INKS))], np.float32) + rng.normal(0, 8, 3)
    opacity = rng.uniform(0.65, 1.0) * (
        1 + rng.uniform(0.05, 0.3) * _smooth_noise((H, W), size * rng.uniform(0.5, 3), rng)
    )
    alpha = np.clip(coverage * opacity, 0, 1)[..., None]
    image: np.ndarray = (sheet * (1 - alpha) + ink * alpha).astype(np.float32)
    if rng.random() < 0.5:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 0.9) * size / 40)
    image += rng.normal(0, rng.uniform(1, 7), image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def finish(image: np.ndarray, rng: np.random.Generator, target_height: int) -> np.ndarray:
    """Scaled to about `target_height` px (sometimes through a lower resolution), as an RGB uint8 array."""
    h, w = image.shape[:2]
    scale = target_height / h
    if rng.random() < 0.25:  # a low-resolution scan, upsampled again
        low = rng.uniform(0.45, 0.8) * scale
        image = cv2.resize(
            image,
            (max(4, int(w * low)), max(4, int(h * low))),
            interpolation=cv2.INTER_AREA,
        )
    return cv2.resize(image, (max(4, int(w * scale)), target_height), interpolation=cv2.INTER_AREA)


def jpeg_quality(rng: np.random.Generator) -> int:
    return int(rng.choice([rng.integers(30, 60), rng.integers(60, 95)], p=[0.3, 0.7]))
