"""Vertical lines: margin notes written up or down the page, across the main text's direction.

The network learned horizontal lines (the sets hold 13 vertical lines in 13,900), so it cannot see a note written
down the margin. This finds them without a second network: after the main pass,

  1. `vertical_candidates`: the ink that no found line explains, kept only where it looks like writing (many
     letter-sized marks, no page edge or long rule), smeared along the vertical; a tall, narrow stack of such
     marks is a candidate block;
  2. each block is cut out of the page, turned a quarter (so writing that runs down the page stands upright), and
     segmented by the same network; its lines come back in page pixels with their baselines running down the page;
  3. `merge_vertical`: a found line that lies inside a block and not on a main line is kept; main-pass "lines"
     that the vertical lines cover (fragments of the rotated words) are dropped.

Which way a vertical line runs (down, or up the page) is not told apart here: the baseline runs down the page,
the commonest way in the sets (11 of their 13 vertical lines). The reader settles it
(`htr.recognition.Recognizer`: it reads a vertical line both ways and keeps the likelier, turning the baseline
round when the line runs up).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from htr.segmentation.postprocess import FoundLine

# A block must be at least this many line heights tall, and this many times taller than wide.
MIN_BLOCK_LENGTH = 4.0
MIN_BLOCK_ASPECT = 1.5
# Letter-sized marks only: a connected mark longer than this many line heights is a rule, an edge or a flourish.
MAX_MARK = 2.0
MIN_MARKS = 12
# A block found in the margin is searched this many line heights further up and down.
LENGTHEN = 5.0
MAX_BLOCKS = 6


@dataclass(frozen=True)
class Block:
    """A candidate block of vertical writing, (x0, y0, x1, y1) in page pixels."""

    x0: int
    y0: int
    x1: int
    y1: int


def _mask_of(lines: list[FoundLine], shape: tuple[int, int], scale: float) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for line in lines:
        pts = (np.asarray(line.polygon, np.float64) / scale).round().astype(np.int32)
        cv2.fillPoly(mask, [pts.reshape(-1, 1, 2)], 1)
    return mask


def text_span(lines: list[FoundLine]) -> tuple[float, float]:
    """Where the main text lies across the page (page pixels): most lines start after the first value and end
    before the second."""
    starts = [min(p[0] for p in line.baseline) for line in lines]
    ends = [max(p[0] for p in line.baseline) for line in lines]
    return float(np.percentile(starts, 10)), float(np.percentile(ends, 90))


def vertical_candidates(
    small: np.ndarray, lines: list[FoundLine], scale: float, line_height: float, page_size: tuple[int, int]
) -> list[Block]:
    """Blocks of writing-like ink in the margins beside the main text that stand tall and narrow (page pixels).

    small: the page in grey at the maps' size (the work happens there); lines: the lines found so far (page
    pixels); scale: page pixels per map pixel; line_height: the lines' height in map pixels; page_size: (width,
    height) in page pixels."""
    if line_height <= 0 or not lines:
        return []
    mh, mw = small.shape
    width, height = page_size
    block = max(3, int(4 * line_height)) | 1
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    # Only the margins: the main text's own ink, turned, would look like stacks too.
    left, right = text_span(lines)
    ink[:, max(0, int(left / scale)) : max(0, int(right / scale))] = 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if n <= 1:
        return []
    w, h, area = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_AREA]
    letter = (np.maximum(w, h) <= MAX_MARK * line_height) & (area >= max(2.0, 0.02 * line_height * line_height))
    # Marks that touch the page's border are the scan's edge or the binding, not writing.
    x0, y0 = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    letter &= (x0 > 0) & (y0 > 0) & (x0 + w < mw) & (y0 + h < mh)
    lut = np.zeros(n, np.uint8)
    lut[1:][letter] = 1
    marks = lut[labels]
    # Smear along the vertical, by less than the gap between two lines' ends: the letters of a word written down
    # the page join into a tall stack, the ends of lines written across stay apart.
    kx = max(1, round(0.2 * line_height))
    ky = max(2, round(0.5 * line_height))
    smeared = cv2.morphologyEx(marks, cv2.MORPH_CLOSE, np.ones((ky, kx), np.uint8))
    m, blobs, bstats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    # Marks in each stack: the distinct (stack, mark) pairs, counted by stack.
    on = marks > 0
    pairs = np.unique(blobs[on].astype(np.int64) * n + labels[on])
    marks_in = np.bincount(pairs // n, minlength=m)
    stacks: list[tuple[Block, int]] = []
    for i in range(1, m):
        bx, by, bw, bh, _area = (int(v) for v in bstats[i])
        if bh < 1.5 * line_height or bh < 1.5 * bw:  # a word written across, a line's end, a speck
            continue
        pad = 1.5 * line_height
        stacks.append(
            (
                Block(
                    x0=max(0, int((bx - pad) * scale)),
                    y0=max(0, int((by - pad) * scale)),
                    x1=min(width, int((bx + bw + pad) * scale)),
                    y1=min(height, int((by + bh + pad) * scale)),
                ),
                int(marks_in[i]),
            )
        )
    blocks = []
    for block, count in _merge_blocks(stacks):
        tall = (block.y1 - block.y0) / scale - 3 * line_height
        wide = (block.x1 - block.x0) / scale - 3 * line_height
        if tall >= MIN_BLOCK_LENGTH * line_height and tall >= MIN_BLOCK_ASPECT * wide and count >= MIN_MARKS:
            # Only the note's part in the margin was seen: where it runs on beside the text it may go further.
            reach = int(LENGTHEN * line_height * scale)
            blocks.append(Block(block.x0, max(0, block.y0 - reach), block.x1, min(height, block.y1 + reach)))
    blocks.sort(key=lambda b: b.y0 - b.y1)
    return blocks[:MAX_BLOCKS]


def _merge_blocks(stacks: list[tuple[Block, int]]) -> list[tuple[Block, int]]:
    """Overlapping blocks (the words of one line, the lines of one note) become one, their marks counted together."""
    merged = list(stacks)
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                (a, ca), (b, cb) = merged[i], merged[j]
                if a.x0 <= b.x1 and b.x0 <= a.x1 and a.y0 <= b.y1 and b.y0 <= a.y1:
                    merged[i] = (Block(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1)), ca + cb)
                    del merged[j]
                    changed = True
                    break
            if changed:
                break
    return merged


def turn_crop(image: np.ndarray, block: Block) -> np.ndarray:
    """The block cut out and turned a quarter anticlockwise: writing that runs down the page stands upright.

    Paper is added on the right up to the page's long side, so that the network, which scales its input to a fixed
    long side, sees the writing at the size it saw the page's."""
    turned = np.rot90(image[block.y0 : block.y1, block.x0 : block.x1], 1)
    long_side = max(image.shape[:2])
    if turned.shape[1] < long_side and turned.size:
        paper = np.median(turned.reshape(-1, *turned.shape[2:]), axis=0).astype(image.dtype)
        pad = np.empty((turned.shape[0], long_side - turned.shape[1], *turned.shape[2:]), image.dtype)
        pad[...] = paper
        turned = np.concatenate([turned, pad], axis=1)
    return np.ascontiguousarray(turned)


def turned_back(line: FoundLine, block: Block) -> FoundLine:
    """A line found in `turn_crop(…, block)` in page pixels: its baseline runs down the page."""
    width = block.x1 - block.x0

    def back(points):
        # np.rot90(k=1): turned[i, j] = crop[j, width - 1 - i], so (x, y) turned is (width - 1 - y, x) in the crop.
        return [(block.x0 + width - 1 - y, block.y0 + x) for x, y in points]

    return FoundLine(baseline=back(line.baseline), polygon=back(line.polygon))


def _area(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def _crossings(vertical: FoundLine, main: list[FoundLine], reach: float) -> int:
    """How many main baselines run through `vertical`, with at least `reach` pixels of baseline on each side."""
    xs = [p[0] for p in vertical.polygon]
    ys = [p[1] for p in vertical.polygon]
    vx0, vx1, vy0, vy1 = min(xs), max(xs), min(ys), max(ys)
    count = 0
    for line in main:
        bx = [p[0] for p in line.baseline]
        by = [p[1] for p in line.baseline]
        if vy0 <= float(np.mean(by)) <= vy1 and min(bx) <= vx0 - reach and max(bx) >= vx1 + reach:
            count += 1
    return count


def _outline(mask: np.ndarray, scale: float) -> list[tuple[int, int]]:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return []
    outline = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    outline = cv2.approxPolyDP(outline.reshape(-1, 1, 2).astype(np.float32), 1.0, True).reshape(-1, 2)
    return [(int(round(x * scale)), int(round(y * scale))) for x, y in outline.tolist()]


def merge_vertical(
    main: list[FoundLine], vertical: list[FoundLine], blocks: list[Block], page_size: tuple[int, int], scale: float
) -> list[FoundLine]:
    """Main lines plus the vertical lines that lie in their block and do not cross the main text. Main lines lose
    what they had of a vertical line (pieces of its turned words joined to them); one left with less than half of
    itself was only such pieces and goes. Masks at map resolution (`scale` page pixels a pixel)."""
    if not vertical:
        return main
    width, height = page_size
    shape = (max(1, round(height / scale)), max(1, round(width / scale)))
    line_height = float(np.median([max(p[1] for p in f.polygon) - min(p[1] for p in f.polygon) for f in main]))
    blocks_mask = np.zeros(shape, np.uint8)
    for b in blocks:
        blocks_mask[int(b.y0 / scale) : int(b.y1 / scale) + 1, int(b.x0 / scale) : int(b.x1 / scale) + 1] = 1
    kept: list[FoundLine] = []
    kept_union = np.zeros(shape, np.uint8)
    for line in sorted(vertical, key=lambda f: -abs(f.baseline[-1][1] - f.baseline[0][1])):
        m = _mask_of([line], shape, scale)
        area = max(1, _area(m))
        xs = [p[0] for p in line.baseline]
        ys = [p[1] for p in line.baseline]
        length = max(ys) - min(ys)
        if length < 1.5 * (max(xs) - min(xs)) or length < 2 * line_height:  # not a vertical line
            continue
        if _area(m & blocks_mask) < 0.6 * area or _area(m & kept_union) > 0.3 * area:
            continue
        if _crossings(line, main, line_height) >= 2:  # turned main text, not a note
            continue
        kept.append(line)
        kept_union |= m
    if not kept:
        return main
    out: list[FoundLine] = []
    for line in main:
        m = _mask_of([line], shape, scale)
        rest = m & (1 - kept_union)
        if _area(rest) >= _area(m):
            out.append(line)
        elif _area(rest) >= 0.5 * max(1, _area(m)):
            polygon = _outline(rest, scale)
            inside = {
                (x, y)
                for x, y in line.baseline
                if kept_union[min(shape[0] - 1, int(y / scale)), min(shape[1] - 1, int(x / scale))]
            }
            baseline = [p for p in line.baseline if p not in inside]
            if len(polygon) >= 3 and len(baseline) >= 2:
                out.append(FoundLine(baseline=baseline, polygon=polygon))
            else:
                out.append(line)
    return out + kept
