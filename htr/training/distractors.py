"""Marks on a page that are not text lines, drawn onto segmentation training crops as negatives.

Archive scans carry stamps, pen flourishes and paraphs, ruling and the show-through of the other side. The
ground truth of the training sets has few of them, so the segmenter learned to call any dark stroke a line. Each
crop may get some of these drawn over it, with the target maps unchanged: what lies under them is still a line
where the ground truth says so, and they themselves are background.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def draw_distractors(image: np.ndarray, rng: np.random.Generator, chance: float = 0.35) -> np.ndarray:
    """`image` (float gray, paper ~1, ink ~0, one crop) with, at `chance` each, a stamp, a flourish, ruling
    and show-through."""
    out = image
    for draw, share in ((_stamp, 1.0), (_flourish, 1.0), (_ruling, 0.6)):
        if rng.random() < chance * share:
            strokes = np.zeros(image.shape, np.uint8)  # OpenCV draws text on 8-bit images only
            ink = draw(strokes, rng)
            out = np.minimum(out, 1 - (strokes.astype(np.float32) / 255) * (1 - ink))
    if rng.random() < chance * 0.6:
        out = _show_through(out, rng)
    return out.astype(np.float32)


def _stamp(image: np.ndarray, rng: np.random.Generator) -> float:
    """A round or oval archive stamp: two rings, letters set around them, a number in the middle."""
    h, w = image.shape
    centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
    radius = int(rng.uniform(0.08, 0.25) * min(h, w) + 20)
    ink = 255
    thickness = max(1, int(radius * rng.uniform(0.02, 0.05)))
    axes = (radius, int(radius * rng.uniform(0.7, 1.0)))
    cv2.ellipse(image, centre, axes, 0, 0, 360, ink, thickness, cv2.LINE_AA)
    inner = (int(axes[0] * 0.72), int(axes[1] * 0.72))
    cv2.ellipse(image, centre, inner, 0, 0, 360, ink, max(1, thickness // 2), cv2.LINE_AA)
    letters = int(rng.integers(12, 28))
    scale = radius / 140
    for i in range(letters):
        angle = 2 * math.pi * i / letters
        x = int(centre[0] + 0.86 * axes[0] * math.cos(angle))
        y = int(centre[1] + 0.86 * axes[1] * math.sin(angle))
        char = chr(int(rng.integers(65, 91)))
        cv2.putText(
            image,
            char,
            (x - int(8 * scale), y + int(8 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.6 * scale,
            ink,
            max(1, thickness // 2),
            cv2.LINE_AA,
        )
    if rng.random() < 0.6:
        label = "".join(chr(int(rng.integers(48, 58))) for _ in range(int(rng.integers(2, 5))))
        cv2.putText(
            image,
            label,
            (centre[0] - int(30 * scale), centre[1] + int(10 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.9 * scale,
            ink,
            max(1, thickness),
            cv2.LINE_AA,
        )
    return float(rng.uniform(0.25, 0.7))  # stamp inks (blue, red, violet) come out mid-grey


def _flourish(image: np.ndarray, rng: np.random.Generator) -> float:
    """A paraph or pen flourish: one long stroke of wide loops, with no letters in it."""
    h, w = image.shape
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    size = rng.uniform(0.1, 0.35) * min(h, w) + 20
    t = np.linspace(0, 2 * math.pi * rng.uniform(1.5, 4), 300)
    a, b = rng.uniform(0.5, 1.5, size=2)
    x = cx + size * (np.sin(a * t) + 0.3 * np.sin(3.1 * t))
    y = cy + size * 0.6 * (np.sin(b * t + rng.uniform(0, math.pi)) * np.cos(0.5 * t))
    points = np.stack([x, y], 1).astype(np.int32).reshape(-1, 1, 2)
    thickness = int(rng.integers(1, 5))
    cv2.polylines(image, [points], False, 255, thickness, cv2.LINE_AA)
    return float(rng.uniform(0.0, 0.4))


def _ruling(image: np.ndarray, rng: np.random.Generator) -> float:
    """Ruled lines or a frame: long, straight, thin."""
    h, w = image.shape
    ink = 255
    if rng.random() < 0.5:  # horizontal ruling at a regular pitch
        pitch = rng.uniform(25, 70)
        for y in np.arange(rng.uniform(0, pitch), h, pitch):
            cv2.line(image, (0, int(y)), (w, int(y + rng.uniform(-3, 3))), ink, 1, cv2.LINE_AA)
    else:  # a margin or frame line
        x = int(rng.uniform(0, w))
        cv2.line(image, (x, 0), (x + int(rng.uniform(-6, 6)), h), ink, int(rng.integers(1, 3)), cv2.LINE_AA)
    return float(rng.uniform(0.3, 0.8))


def _show_through(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The other side of the leaf seen through the paper: the crop mirrored, blurred and faint."""
    back = cv2.GaussianBlur(image[:, ::-1], (0, 0), rng.uniform(1.0, 2.5))
    strength = rng.uniform(0.15, 0.35)
    return np.minimum(image, 1 - strength * (1 - back))
