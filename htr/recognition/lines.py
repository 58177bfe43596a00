"""Line images for the recogniser: cut a line out of its page, normalise it, batch it.

The network sees "ink" images: uint8, background 0, ink up to 255, a fixed height. With ink as the bright
value, zero padding is background, so lines of different widths batch together without artefacts.
"""

from __future__ import annotations

import cv2
import numpy as np
import torch

from htr.images import to_gray
from htr.lines import Line

# The recognisers were trained on the mean of the channels (htr.images.to_gray's "mean").
GRAY = "mean"


def _to_ink(gray: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Background to 0, darkest ink to 255, from robust percentiles of the pixels inside the line."""
    values = gray[mask] if mask is not None and mask.any() else gray.reshape(-1)
    if values.size == 0:
        return np.zeros_like(gray)
    paper = float(np.percentile(values, 90))
    ink = float(np.percentile(values, 2))
    span = max(paper - ink, 24.0)
    out = np.clip((paper - gray.astype(np.float32)) * (255.0 / span), 0, 255).astype(np.uint8)
    if mask is not None:
        out[~mask] = 0
    return out


def _polygon_of(line: Line, page_height: int) -> np.ndarray:
    if len(line.polygon) >= 3:
        return np.asarray(line.polygon, dtype=np.int32)
    if len(line.baseline) >= 2:
        # No polygon: a band around the baseline, 3/4 of an estimated x-height span above, 1/4 below.
        base = np.asarray(line.baseline, dtype=np.int32)
        length = float(np.hypot(*(base[-1] - base[0])))
        above = int(max(12, min(page_height * 0.03, length * 0.15)))
        below = max(4, above // 3)
        top = base - np.array([0, above])
        bottom = (base + np.array([0, below]))[::-1]
        return np.concatenate([top, bottom]).astype(np.int32)
    raise ValueError(f"line {line.id!r} has neither a polygon nor a baseline")


def quarter_turns(line: Line) -> int:
    """How many quarter turns anticlockwise (np.rot90's k) bring the line's baseline to run left to right: 1 for a
    line written down the page, -1 for one written up it, 0 for one written across (or without a baseline)."""
    if len(line.baseline) < 2:
        return 0
    (x0, y0), (x1, y1) = line.baseline[0], line.baseline[-1]
    if abs(y1 - y0) <= abs(x1 - x0):
        return 0
    return 1 if y1 > y0 else -1


def crop_line(gray: np.ndarray, line: Line) -> np.ndarray:
    """The line's ink image at page resolution: the polygon's box, everything outside the polygon blanked, turned
    so that the writing runs left to right when the baseline runs down or up the page (a margin note)."""
    height, width = gray.shape[:2]
    polygon = _polygon_of(line, height)
    polygon[:, 0] = np.clip(polygon[:, 0], 0, width - 1)
    polygon[:, 1] = np.clip(polygon[:, 1], 0, height - 1)
    x0, y0 = polygon.min(axis=0)
    x1, y1 = polygon.max(axis=0) + 1
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.zeros((2, 2), dtype=np.uint8)
    crop = gray[y0:y1, x0:x1]
    mask = np.zeros(crop.shape, dtype=np.uint8)
    cv2.fillPoly(mask, [polygon - np.array([x0, y0])], 1)
    # A couple of pixels of slack: polygons from segmentation hug the strokes.
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=1).astype(bool)
    ink = _to_ink(crop, mask)
    turns = quarter_turns(line)
    return np.ascontiguousarray(np.rot90(ink, turns)) if turns else ink


def normalise_height(ink: np.ndarray, height: int, width_scale: float = 1.0) -> np.ndarray:
    """Scale to `height` keeping the aspect ratio (times `width_scale`), with a little background on both sides."""
    h, w = ink.shape[:2]
    if h < 1 or w < 1:
        return np.zeros((height, height // 2), dtype=np.uint8)
    new_w = max(1, round(w * height * width_scale / h))
    interpolation = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    scaled = cv2.resize(ink, (new_w, height), interpolation=interpolation)
    margin = height // 4
    return cv2.copyMakeBorder(scaled, 0, 0, margin, margin, cv2.BORDER_CONSTANT, value=0)


# Core normalisation: the band holding the bulk of the ink (the x-height of cursive writing) becomes this share of
# the output height, centred; ascenders and descenders get the rest.
CORE_SHARE = 0.36


def _band(profile: np.ndarray, smooth: int) -> tuple[int, int] | None:
    """The rows around the densest one whose smoothed ink is at least 40 % of its ink."""
    if profile.max() <= 0:
        return None
    profile = cv2.GaussianBlur(profile.astype(np.float32)[:, None], (1, smooth), 0).ravel()
    peak = int(profile.argmax())
    strong = profile >= 0.4 * profile[peak]
    top = peak
    while top > 0 and strong[top - 1]:
        top -= 1
    bottom = peak
    while bottom < len(profile) - 1 and strong[bottom + 1]:
        bottom += 1
    return top, bottom + 1


# Ruling, underlines and long horizontal flourishes: straight ink runs at least RULE_LENGTH box heights long, at
# one of RULE_SLOPES, at most RULE_THICKNESS of the box thick. No letter makes one; a rule in a stretch makes its
# densest rows, and the band locks onto it.
RULE_LENGTH = 2.0
RULE_SLOPES = (-0.02, 0.0, 0.02)
RULE_THICKNESS = 0.25
RULE_INK = 64


def long_strokes(ink: np.ndarray) -> np.ndarray | None:
    """The pixels of a line's long thin straight strokes (a ruled line, an underline, a dash across the line), or
    None where it has none.

    Runs are sought on the mask with every two columns pooled into one (which also bridges one-pixel breaks in a
    faint printed rule, and halves the cost), at a few slopes, so a rule that is not quite level is found whole.
    A run thicker than RULE_THICKNESS of the box is a block of ink (a dark background, a heavy scribble), not a
    rule, and is kept.
    """
    h, w = ink.shape
    pooled_w = w // 2
    length = (int(RULE_LENGTH * h) // 2) | 1  # odd: erosion and dilation centred alike
    if h < 4 or length < 4 or pooled_w < length:
        return None
    pooled = np.maximum(ink[:, 0 : pooled_w * 2 : 2], ink[:, 1 : pooled_w * 2 : 2])
    mask = (pooled >= RULE_INK).view(np.uint8)
    run = np.ones((1, length), np.uint8)
    thick = np.ones((max(3, int(RULE_THICKNESS * h)) + 1, 1), np.uint8)
    found = np.zeros_like(mask)
    for slope in RULE_SLOPES:
        # Shear the slope to level (rows shifted by slope * x, the whole image kept) and back.
        shift = int(np.ceil(abs(slope) * 2 * pooled_w))
        shear = np.float32([[1, 0, 0], [-2 * slope, 1, shift if slope > 0 else 0]])
        level = cv2.warpAffine(mask, shear, (pooled_w, h + shift), flags=cv2.INTER_NEAREST) if slope else mask
        runs = cv2.erode(level, run)
        if not cv2.countNonZero(runs):
            continue
        runs = cv2.dilate(runs, run)
        runs &= 1 - cv2.morphologyEx(runs, cv2.MORPH_OPEN, thick)
        if slope:
            runs = cv2.warpAffine(runs, shear, (pooled_w, h), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP)
        found |= runs
    if not cv2.countNonZero(found):
        return None
    # Back to full width, a pixel above and below for the rule's soft edges.
    found = cv2.dilate(np.repeat(found, 2, axis=1), np.ones((3, 1), np.uint8))
    strokes = np.zeros((h, w), dtype=bool)
    strokes[:, : pooled_w * 2] = found.astype(bool)
    return strokes


def core_band(ink: np.ndarray) -> tuple[np.ndarray, float] | None:
    """A line's core band (the x-height of its writing): its centre row at every column, and its height.

    The line is cut into stretches one box height wide; each inked stretch gives its densest band. The height is
    their median, and the centre is a robust straight fit through theirs, so a line that climbs or falls across
    the page is followed. Long thin straight strokes (long_strokes: ruling, underlines) are left out. None: no ink
    (besides such strokes).
    """
    h, w = ink.shape
    strokes = long_strokes(ink)
    if strokes is not None:
        # Where a letter crosses the stroke (ink above and below it), its pixels are kept: a stroke through the
        # letters must not cut their band in two.
        without = np.where(strokes, 0, ink).astype(ink.dtype)
        bridged = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((max(3, h // 8) | 1, 1), np.uint8))
        ink = np.where(strokes, bridged, ink).astype(ink.dtype)
    smooth = max(1, h // 10) | 1
    step = max(h, 8)
    xs, centres, heights = [], [], []
    for x in range(0, w, step):
        chunk = ink[:, x : x + step]
        if chunk.sum() < 0.02 * 255 * chunk.size:
            continue
        band = _band(chunk.sum(axis=1), smooth)
        if band is not None:
            xs.append(x + chunk.shape[1] / 2)
            centres.append((band[0] + band[1]) / 2)
            heights.append(band[1] - band[0])
    if not xs:
        whole = _band(ink.sum(axis=1), smooth)
        if whole is None:
            return None
        return np.full(w, (whole[0] + whole[1]) / 2, dtype=np.float32), float(whole[1] - whole[0])
    # A robust straight line through the stretches' centres (Theil-Sen: the median slope of all pairs), so a
    # stretch that caught a neighbouring line's letters or a flourish does not bend it.
    x, c = np.asarray(xs), np.asarray(centres)
    slope = 0.0
    if len(x) >= 2:
        i, j = np.triu_indices(len(x), 1)
        slope = float(np.clip(np.median((c[j] - c[i]) / (x[j] - x[i])), -0.3, 0.3))
    intercept = float(np.median(c - slope * x))
    centre = (intercept + slope * np.arange(w, dtype=np.float32)).astype(np.float32)
    return centre, float(np.median(heights))


def normalise_core(ink: np.ndarray, height: int, width_scale: float = 1.0) -> np.ndarray:
    """Scale so the line's core band is CORE_SHARE of `height`, and straighten it onto the middle row.

    This makes the letters the same size whatever the polygon's height (tight polygons from one tool, loose ones
    from another, small hands and large) and lines that climb or fall level. What falls outside is cut. The
    scale stays within 0.8-3× the plain box scale, so a line whose band is misjudged (a few letters, a stray
    mark) is not blown up or crushed.
    """
    h, w = ink.shape[:2]
    band = core_band(ink) if h >= 4 and w >= 1 else None
    if band is None:
        return normalise_height(ink, height, width_scale)
    centre, core = band
    box_scale = height / h
    scale = float(np.clip(CORE_SHARE * height / max(core, 1.0), 0.8 * box_scale, 3.0 * box_scale))
    new_w, new_h = max(1, round(w * scale * width_scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(ink, (new_w, new_h), interpolation=interpolation)
    # Output row v of column u comes from scaled row centre(u) + (v - height / 2).
    centre_scaled = (
        np.interp((np.arange(new_w, dtype=np.float32) + 0.5) / (scale * width_scale), np.arange(w), centre).astype(
            np.float32
        )
        * scale
    )
    map_y = (np.arange(height, dtype=np.float32)[:, None] - height / 2 + centre_scaled[None, :]).astype(np.float32)
    map_x = np.broadcast_to(np.arange(new_w, dtype=np.float32)[None, :], (height, new_w)).astype(np.float32)
    out = cv2.remap(scaled, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    margin = height // 4
    return cv2.copyMakeBorder(out, 0, 0, margin, margin, cv2.BORDER_CONSTANT, value=0)


NORMALISATIONS = {"box": normalise_height, "core": normalise_core}


def line_image(
    page_gray: np.ndarray,
    line: Line | None,
    height: int,
    width_scale: float = 1.0,
    normalisation: str = "box",
) -> np.ndarray:
    """The network's input for one line: from a page and its Line, or (line None) a whole line image.

    `normalisation` "box" scales the polygon's bounding box to `height`; "core" scales the writing's core band
    to a fixed share of it (normalise_core).
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"unknown line normalisation {normalisation!r}: expected one of {sorted(NORMALISATIONS)}")
    gray = to_gray(page_gray, GRAY)
    ink = crop_line(gray, line) if line is not None else _to_ink(gray)
    return NORMALISATIONS[normalisation](ink, height, width_scale)


def batch_tensor(images: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Pads ink images (same height) to one (B, 1, H, W) float tensor in [0, 1]; returns it and the widths."""
    height = images[0].shape[0]
    widths = [img.shape[1] for img in images]
    max_w = max(widths)
    max_w += (-max_w) % 4
    batch = np.zeros((len(images), 1, height, max_w), dtype=np.uint8)
    for i, img in enumerate(images):
        batch[i, 0, :, : img.shape[1]] = img
    return torch.from_numpy(batch).float().div_(255.0), torch.tensor(widths, dtype=torch.long)


def width_buckets(widths: list[int], batch_size: int, max_pixels: int | None = None) -> list[list[int]]:
    """Indices grouped by similar width, so little of each batch is padding."""
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        too_wide = max_pixels is not None and current and widths[i] * (len(current) + 1) > max_pixels
        if len(current) >= batch_size or too_wide:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
