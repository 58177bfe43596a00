"""Training-time distortions of line ink images, so a model trained on a few hands reads unseen ones.

Each distortion stands for something that varies between writers or scans: slant (shear), letter size and
width (scale: some hands write twice as narrow as others), uneven letter spacing and wavy baselines (a smooth
elastic warp), pen width (erosion / dilation), focus (blur), paper grain (noise), faded ink (contrast).
"""

from __future__ import annotations

import cv2
import numpy as np

# Horizontal scale range, log-uniform: the train hands of cremma-mss-18 write 0.29-0.39 line heights a
# character, Diderot's Salon 0.18, so narrow writing has to be seen in training.
WIDTH_SCALE = (0.6, 1.3)


def augment_line(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A randomly distorted copy of a (height, width) uint8 ink image, same height, width may change."""
    height, width = ink.shape
    out = ink
    if rng.random() < 0.85:
        shear = rng.uniform(-0.4, 0.4)
        sx = float(np.exp(rng.uniform(*np.log(WIDTH_SCALE))))
        sy = rng.uniform(0.75, 1.05)
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
    if rng.random() < 0.5:
        out = elastic(out, rng)
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


def elastic(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A smooth warp along the line: letters drift apart or together (x) and the baseline waves (y).

    The displacement fields are random values at knots about one line height apart, interpolated smoothly, so
    letters keep their shape while spacing and baseline change as between writers.
    """
    height, width = ink.shape
    knots = max(2, width // height + 2)
    dx = cv2.resize(rng.normal(0, 0.12 * height, (1, knots)).astype(np.float32), (width, 1), cv2.INTER_CUBIC)
    dy = cv2.resize(rng.normal(0, 0.05 * height, (1, knots)).astype(np.float32), (width, 1), cv2.INTER_CUBIC)
    xs = np.arange(width, dtype=np.float32)[None, :] + dx
    ys = np.arange(height, dtype=np.float32)[:, None] + dy
    map_x = np.broadcast_to(np.clip(xs, 0, width - 1), (height, width)).astype(np.float32)
    map_y = np.broadcast_to(ys, (height, width)).astype(np.float32)
    return cv2.remap(ink, map_x, map_y, cv2.INTER_LINEAR, borderValue=0)
