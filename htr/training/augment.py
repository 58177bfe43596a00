"""Training-time distortions of line ink images, so a model trained on a few hands reads unseen ones.

Each distortion stands for something that varies between writers or scans: slant (shear), letter size and
width (scale), pen width (erosion / dilation), focus (blur), paper grain (noise), faded ink (contrast).
"""

from __future__ import annotations

import cv2
import numpy as np


def augment_line(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A randomly distorted copy of a (height, width) uint8 ink image, same height, width may change."""
    height, width = ink.shape
    out = ink
    if rng.random() < 0.8:
        shear = rng.uniform(-0.35, 0.35)
        sx = rng.uniform(0.8, 1.2)
        sy = rng.uniform(0.8, 1.05)
        angle = np.deg2rad(rng.uniform(-1.5, 1.5))
        # Scale about the line's middle, shear along x, then a small rotation.
        a = np.array([[sx, -shear * sy], [0.0, sy]]) @ np.array(
            [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
        )
        new_w = max(8, int(width * sx + abs(shear) * height))
        centre_src = np.array([width / 2, height / 2])
        centre_dst = np.array([new_w / 2, height / 2 + rng.uniform(-0.06, 0.06) * height])
        t = centre_dst - a @ centre_src
        matrix = np.hstack([a, t[:, None]]).astype(np.float32)
        out = cv2.warpAffine(out, matrix, (new_w, height), flags=cv2.INTER_LINEAR, borderValue=0)
    r = rng.random()
    if r < 0.15:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    elif r < 0.35:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    if rng.random() < 0.25:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.4, 1.0))
    if rng.random() < 0.5:
        contrast = rng.uniform(0.5, 1.1)
        floor = rng.uniform(0, 30)
        out = np.clip(out.astype(np.float32) * contrast + floor * (out > 0), 0, 255)
    if rng.random() < 0.3:
        out = np.clip(out.astype(np.float32) + rng.normal(0, rng.uniform(4, 16), out.shape), 0, 255)
    return np.ascontiguousarray(out, dtype=np.uint8)
