"""From the network's maps to lines: baselines, polygons and reading order, with OpenCV and NumPy only.

Pure functions on arrays, so each step can be tested on hand-drawn maps. The maps are probabilities at
map resolution; `scale` turns map pixels into page pixels.

  1. Each connected blob of the *core* map (the x-height band) is a line candidate; fragments of one line
     broken at a word gap are joined when they sit end to end at the same height.
  2. The baseline is the column-wise mean of the *baseline* map's pixels that lie nearest that line.
  3. The polygon is the *region* map's pixels that lie nearest that line (each region pixel goes to its
     closest core), traced as an outline.
  4. Reading order: lines grouped into columns by horizontal overlap; text columns left to right (or right to
     left), then margin notes (columns with little writing) from the top down; lines top to bottom inside a column.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from htr.lines import Line, Point, Region
from htr.union_find import union_find


@dataclass(frozen=True)
class Thresholds:
    baseline: float = 0.5
    core: float = 0.5
    region: float = 0.5
    min_length: float = 1.0  # a line shorter than this many line heights is dropped
    max_join_gap: float = 2.0  # join fragments at most this many line heights apart


@dataclass
class FoundLine:
    """One line in page pixels, before it gets an id and an order."""

    baseline: list[Point]
    polygon: list[Point]


def _end_heights(ys: np.ndarray, xs: np.ndarray, x0: int, x1: int, reach: int) -> tuple[float, float]:
    left = ys[xs <= x0 + reach]
    right = ys[xs >= x1 - reach]
    return float(np.median(left)), float(np.median(right))


def label_lines(core: np.ndarray, thresholds: Thresholds | None = None) -> tuple[np.ndarray, float]:
    """Label image of line cores (0 = background, 1..n = lines) and the median core height in map pixels."""
    thresholds = thresholds or Thresholds()
    mask = (core > thresholds.core).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return np.zeros(core.shape, np.int32), 0.0
    areas = stats[1:, cv2.CC_STAT_AREA]
    # Line height from the big blobs only, so specks do not drag it down (all of them when all are specks).
    big = areas >= max(4, np.percentile(areas, 50) * 0.5)
    if not big.any():
        big = areas > 0
    core_h = float(np.median(np.clip(areas[big] / np.maximum(stats[1:, cv2.CC_STAT_WIDTH][big], 1), 1, None)))
    core_h = max(core_h, 1.0)
    keep = areas >= max(3.0, 0.5 * core_h * core_h)

    # Join fragments that continue each other: left fragment's right end near right fragment's left end.
    ids = [i + 1 for i in range(n - 1) if keep[i]]
    ys_all, xs_all = np.nonzero(labels)
    lab_all = labels[ys_all, xs_all]
    order = np.argsort(lab_all, kind="stable")
    bounds = np.searchsorted(lab_all[order], np.arange(n + 1))
    info = {}
    for i in ids:
        sel = order[bounds[i] : bounds[i + 1]]
        x0 = int(stats[i, cv2.CC_STAT_LEFT])
        x1 = x0 + int(stats[i, cv2.CC_STAT_WIDTH]) - 1
        yl, yr = _end_heights(ys_all[sel], xs_all[sel], x0, x1, max(1, int(core_h)))
        info[i] = (x0, x1, yl, yr)
    parent, find = union_find(n)
    took_left: set[int] = set()
    gap_max = thresholds.max_join_gap * core_h * 2.5  # a core is ~0.4 of a line's height
    for a in sorted(ids, key=lambda i: info[i][0]):
        _ax0, ax1, _, ayr = info[a]
        best, best_gap = None, None
        for b in ids:
            if b == a or b in took_left:
                continue
            bx0, bx1, byl, _ = info[b]
            gap = bx0 - ax1
            if gap < -core_h or gap > gap_max or bx1 <= ax1:
                continue
            if abs(byl - ayr) > 0.75 * core_h:
                continue
            if best_gap is None or gap < best_gap:
                best, best_gap = b, gap
        if best is not None:
            took_left.add(best)
            parent[find(best)] = find(a)
    lut = np.zeros(n, np.int32)
    roots: dict[int, int] = {}
    for i in ids:
        lut[i] = roots.setdefault(find(i), len(roots) + 1)
    return lut[labels], core_h


def nearest_line(line_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every pixel, the label of the closest line core and the distance to it (map pixels)."""
    if line_labels.max() == 0:
        return np.zeros_like(line_labels), np.full(line_labels.shape, np.inf, np.float32)
    src = (line_labels == 0).astype(np.uint8)
    dist, pix = cv2.distanceTransformWithLabels(src, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    lut = np.zeros(int(pix.max()) + 1, np.int32)
    zeros = src == 0
    lut[pix[zeros]] = line_labels[zeros]
    return lut[pix], dist


def _column_means(mask: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int):
    """Per (line, column): sum of weights and of weight * y, for the pixels of `mask`."""
    _h, w = mask.shape
    ys, xs = np.nonzero(mask)
    lab = labels[ys, xs]
    wt = weights[ys, xs].astype(np.float64)
    key = lab.astype(np.int64) * w + xs
    total = np.bincount(key, weights=wt, minlength=(n + 1) * w).reshape(n + 1, w)
    moment = np.bincount(key, weights=wt * ys, minlength=(n + 1) * w).reshape(n + 1, w)
    return total, moment


def _simplify(points: np.ndarray, epsilon: float, closed: bool) -> np.ndarray:
    approx = cv2.approxPolyDP(points.reshape(-1, 1, 2).astype(np.float32), epsilon, closed)
    return approx.reshape(-1, 2)


def _to_page(points: np.ndarray, scale: float, width: int, height: int) -> list[Point]:
    pts = np.rint((points + 0.5) * scale - 0.5).astype(int)
    pts[:, 0] = np.clip(pts[:, 0], 0, width - 1)
    pts[:, 1] = np.clip(pts[:, 1], 0, height - 1)
    out: list[Point] = []
    for x, y in pts.tolist():
        if not out or out[-1] != (x, y):
            out.append((x, y))
    return out


def maps_to_lines(
    maps: np.ndarray,
    scale: float,
    page_size: tuple[int, int],
    thresholds: Thresholds | None = None,
) -> list[FoundLine]:
    """maps: (3, h, w) probabilities (baseline, core, region); page_size: (width, height) in page pixels."""
    thresholds = thresholds or Thresholds()
    if maps.ndim != 3 or maps.shape[0] < 3:
        raise ValueError(f"expected maps of shape (3, h, w), got {maps.shape}")
    baseline_p, core_p, region_p = maps[0], maps[1], maps[2]
    width, height = page_size
    labels, core_h = label_lines(core_p, thresholds)
    n = int(labels.max())
    if n == 0:
        return []
    line_h = core_h * 2.5
    nearest, dist = nearest_line(labels)
    near = dist <= 1.2 * line_h

    # Baselines: weighted mean height of baseline pixels per column, per line.
    base_mask = (baseline_p > thresholds.baseline) & near & (nearest > 0)
    total, moment = _column_means(base_mask, nearest, baseline_p, n)
    core_mask = labels > 0
    ctotal, _ = _column_means(core_mask, labels, np.ones_like(core_p), n)
    # Bottom edge of each core, per column: the fallback baseline where the baseline map is silent.
    bottom = np.full((n + 1, labels.shape[1]), -1, np.int64)
    ys, xs = np.nonzero(core_mask)
    np.maximum.at(bottom, (labels[ys, xs], xs), ys)
    top_row = np.full(n + 1, labels.shape[0], np.int64)
    bottom_row = np.zeros(n + 1, np.int64)
    np.minimum.at(top_row, labels[ys, xs], ys)
    np.maximum.at(bottom_row, labels[ys, xs], ys)

    region_mask = (region_p > thresholds.region) & near
    found: list[FoundLine] = []
    for k in range(1, n + 1):
        cols = np.nonzero(ctotal[k] > 0)[0]
        if cols.size == 0:
            continue
        x0, x1 = int(cols[0]), int(cols[-1])
        if x1 - x0 + 1 < thresholds.min_length * line_h:
            continue
        bcols = np.nonzero(total[k] > 0)[0]
        bcols = bcols[(bcols >= x0 - line_h) & (bcols <= x1 + line_h)]
        if bcols.size >= 0.3 * (x1 - x0 + 1):
            pts = np.stack([bcols, moment[k, bcols] / total[k, bcols]], axis=1)
        else:
            pts = np.stack([cols, bottom[k, cols] + 0.5], axis=1).astype(np.float64)
        if pts.shape[0] >= 5:  # smooth the height a little: the map is a few pixels thick
            kernel = np.ones(5) / 5
            padded = np.pad(pts[:, 1], 2, mode="edge")
            pts[:, 1] = np.convolve(padded, kernel, mode="valid")
        base = _simplify(pts, max(0.5, 0.1 * core_h), closed=False)
        if base.shape[0] < 2:
            base = np.array([pts[0], pts[-1]])

        # Polygon: region pixels nearest to this line, joined along the baseline, outlined.
        pad = int(np.ceil(1.3 * line_h))
        bx0, bx1 = max(0, x0 - pad), min(labels.shape[1], x1 + pad + 1)
        by0, by1 = max(0, int(top_row[k]) - pad), min(labels.shape[0], int(bottom_row[k]) + pad + 1)
        sub = (region_mask[by0:by1, bx0:bx1] & (nearest[by0:by1, bx0:bx1] == k)) | (labels[by0:by1, bx0:bx1] == k)
        sub = sub.astype(np.uint8)
        band = (base - [bx0, by0]).astype(np.int32).reshape(-1, 1, 2)
        band[:, :, 1] -= round(core_h / 2)
        cv2.polylines(sub, [band], False, 1, thickness=max(1, round(core_h)))
        sub &= (nearest[by0:by1, bx0:bx1] == k).astype(np.uint8) | (labels[by0:by1, bx0:bx1] == k).astype(np.uint8)
        contours, _ = cv2.findContours(sub, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            continue
        outline = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64) + [bx0, by0]
        outline = _simplify(outline, max(0.5, 0.08 * core_h), closed=True)
        if outline.shape[0] < 3:
            continue
        baseline = _to_page(base, scale, width, height)
        polygon = _to_page(outline, scale, width, height)
        if len(baseline) < 2 or len(polygon) < 3:
            continue
        found.append(FoundLine(baseline=baseline, polygon=polygon))
    return found


def _x_extent(line: Line) -> tuple[int, int]:
    xs = [p[0] for p in (line.baseline or line.polygon)]
    return min(xs), max(xs)


def _height(line: Line) -> float:
    pts = line.baseline or line.polygon
    return sum(p[1] for p in pts) / len(pts)


def columns(lines: list[Line], overlap: float = 0.5) -> list[list[int]]:
    """Group line indices into columns: two lines share a column when their horizontal extents overlap by
    at least `overlap` of the shorter one (transitively)."""
    n = len(lines)
    parent, find = union_find(n)
    ext = [_x_extent(line) for line in lines]
    for i in range(n):
        for j in range(i + 1, n):
            a0, a1 = ext[i]
            b0, b1 = ext[j]
            shared = min(a1, b1) - max(a0, b0)
            shorter = max(1, min(a1 - a0, b1 - b0))
            if shared >= overlap * shorter:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def reading_order(lines: list[Line], rtl: bool = False, minor: float = 0.4) -> list[list[Line]]:
    """Lines grouped into columns, top to bottom inside each. The text columns come first, left to right (right to
    left if `rtl`); then the minor ones (margin notes, a page code in the margin: less than `minor` of the
    writing of the largest column), each in its own region, from the top of the page down, so a note in the left
    margin is never read before the text it annotates."""
    groups = columns(lines)
    writing = [sum(_x_extent(lines[i])[1] - _x_extent(lines[i])[0] for i in g) for g in groups]
    largest = max(writing, default=0)
    main = [g for g, w in zip(groups, writing) if w >= minor * largest]
    notes = [g for g, w in zip(groups, writing) if w < minor * largest]
    if rtl:
        main.sort(key=lambda g: -max(_x_extent(lines[i])[1] for i in g))
    else:
        main.sort(key=lambda g: min(_x_extent(lines[i])[0] for i in g))
    notes.sort(key=lambda g: min(_height(lines[i]) for i in g))
    return [sorted((lines[i] for i in g), key=_height) for g in main + notes]


def runs_down(line: Line) -> bool | None:
    """True if the line is written down the page, False if up it, None if across (its baseline's direction)."""
    pts = line.baseline or line.polygon
    dx, dy = pts[-1][0] - pts[0][0], pts[-1][1] - pts[0][1]
    if not line.baseline or abs(dy) <= abs(dx):
        return None
    return dy > 0


def _turned(line: Line, down: bool) -> Line:
    """The line in a frame where it reads across: writing that runs down the page turned a quarter anticlockwise,
    writing that runs up it a quarter clockwise (coordinates up to a shift, which ordering does not see)."""

    def turn(points: list[Point]) -> list[Point]:
        return [(y, -x) if down else (-y, x) for x, y in points]

    return Line(id=line.id, polygon=turn(line.polygon), baseline=turn(line.baseline))


def order_lines(found: list[FoundLine], rtl: bool = False) -> tuple[list[Line], list[Region]]:
    """Give found lines ids `l1`, `l2`… in reading order, and one region (`r1`…) per column.

    Lines written across come first (`reading_order`); lines written down or up the page (margin notes) follow,
    those of one note in one region, read as the note's writer would with the page turned."""
    raw = [Line(id="", polygon=f.polygon, baseline=f.baseline) for f in found]
    across = [line for line in raw if runs_down(line) is None]
    columns_ = reading_order(across, rtl=rtl)
    notes: list[list[Line]] = []
    for down in (True, False):
        turned = {id(line): _turned(line, down) for line in raw if runs_down(line) is down}
        originals = {id(t): line for line in raw if id(line) in turned for t in [turned[id(line)]]}
        for group in reading_order(list(turned.values())):
            notes.append([originals[id(t)] for t in group])
    notes.sort(key=lambda group: min(p[1] for line in group for p in line.polygon))
    ordered: list[Line] = []
    regions: list[Region] = []
    for c, column in enumerate(columns_ + notes, start=1):
        pts = np.array([p for line in column for p in line.polygon], np.int32)
        hull = cv2.convexHull(pts.reshape(-1, 1, 2)).reshape(-1, 2)
        region = Region(id=f"r{c}", polygon=[(int(x), int(y)) for x, y in hull.tolist()])
        regions.append(region)
        for line in column:
            line.region = region.id
            ordered.append(line)
    for i, line in enumerate(ordered, start=1):
        line.id = f"l{i}"
    return ordered, regions
