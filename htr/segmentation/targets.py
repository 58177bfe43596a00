"""Ground truth lines drawn as the maps the network learns to predict, and the augmentation of a page.

Kept beside the model because the definition of a map (what "core" means, how thick a baseline is) belongs
to the model: training and post-processing must agree on it.
"""

from __future__ import annotations

import cv2
import numpy as np

from htr.lines import Line
from htr.segmentation.model import SegmentationConfig


def _interp_baseline_y(baseline: np.ndarray, x: np.ndarray) -> np.ndarray:
    order = np.argsort(baseline[:, 0])
    return np.interp(x, baseline[order, 0], baseline[order, 1])


def line_extents(polygon: np.ndarray, baseline: np.ndarray) -> tuple[float, float]:
    """(height above the baseline, depth below it) of a line, in the polygon's pixels."""
    by = _interp_baseline_y(baseline, polygon[:, 0])
    up = float(np.percentile(by - polygon[:, 1], 90))
    down = float(np.percentile(polygon[:, 1] - by, 90))
    return max(up, 1.0), max(down, 0.0)


def draw_targets(
    lines: list[tuple[np.ndarray, np.ndarray]],
    shape: tuple[int, int],
    config: SegmentationConfig,
) -> np.ndarray:
    """(3, h, w) float32 maps (baseline, core, region) for lines given as (polygon, baseline) point arrays,
    already in map pixels. Lines without a baseline get one along the bottom of their polygon."""
    h, w = shape
    maps = np.zeros((3, h, w), np.uint8)
    prepared = []
    for polygon, baseline in lines:
        if len(polygon) < 3:
            continue
        if len(baseline) < 2:
            x0, x1 = polygon[:, 0].min(), polygon[:, 0].max()
            y = np.percentile(polygon[:, 1], 80)
            baseline = np.array([[x0, y], [x1, y]], np.float64)
        up, _ = line_extents(polygon, baseline)
        prepared.append((polygon, baseline, up))
    if not prepared:
        return maps.astype(np.float32)
    line_h = float(np.median([up for _, _, up in prepared])) * 1.4
    thickness = max(1, round(config.baseline_width * line_h))
    for polygon, baseline, up in prepared:
        poly = np.round(polygon).astype(np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(maps[2], [poly], 1)
        base = np.round(baseline).astype(np.int32)
        cv2.polylines(maps[0], [base.reshape(-1, 1, 2)], False, 1, thickness=thickness)
        lift = max(1.0, config.core_height * up)
        band = np.concatenate([baseline, (baseline - [0, lift])[::-1]])
        cv2.fillPoly(maps[1], [np.round(band).astype(np.int32).reshape(-1, 1, 2)], 1)
    return maps.astype(np.float32)


def page_lines(lines: list[Line]) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (np.asarray(line.polygon, np.float64).reshape(-1, 2), np.asarray(line.baseline, np.float64).reshape(-1, 2))
        for line in lines
        if len(line.polygon) >= 3
    ]


def random_view(
    gray: np.ndarray,
    lines: list[tuple[np.ndarray, np.ndarray]],
    rng: np.random.Generator,
    config: SegmentationConfig,
    crop: int,
    augment: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """One training sample: a `crop`-pixel square of the page at network scale, scaled, rotated and
    recoloured at random, with its target maps. `gray` is the page, `lines` in its pixels."""
    h, w = gray.shape
    base = config.long_side / max(h, w)
    scale = base * (rng.uniform(0.75, 1.3) if augment else 1.0)
    angle = rng.uniform(-3.0, 3.0) if augment else 0.0
    # Centre the crop on text most of the time: empty margins teach little.
    pts = np.concatenate([p for p, _ in lines]) if lines else np.array([[w / 2, h / 2]])
    if rng.random() < 0.85:
        cx, cy = pts[rng.integers(len(pts))]
    else:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    m = np.asarray(cv2.getRotationMatrix2D((float(cx), float(cy)), angle, scale), np.float64)
    m[:, 2] += [crop / 2 - cx, crop / 2 - cy]
    if augment:
        m[:, 2] += rng.uniform(-crop / 4, crop / 4, size=2)
    interp = cv2.INTER_AREA if scale < 0.7 else cv2.INTER_LINEAR
    image = cv2.warpAffine(gray, m, (crop, crop), flags=interp, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    image = image.astype(np.float32) / 255.0
    if augment:
        if rng.random() < 0.3:
            image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.5, 1.5))
        contrast, brightness = rng.uniform(0.6, 1.4), rng.uniform(-0.15, 0.15)
        image = (image - image.mean()) * contrast + image.mean() + brightness
        if rng.random() < 0.3:
            image = image + rng.normal(0, 0.03, image.shape).astype(np.float32)
        image = np.clip(image, 0, 1) ** rng.uniform(0.7, 1.4)
    s = config.output_stride
    to_map = m / s
    moved = []
    for polygon, baseline in lines:
        poly = polygon @ to_map[:, :2].T + to_map[:, 2]
        bl = baseline @ to_map[:, :2].T + to_map[:, 2] if len(baseline) else baseline
        moved.append((poly, bl))
    maps = draw_targets(moved, (crop // s, crop // s), config)
    return image.astype(np.float32), maps
