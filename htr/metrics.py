"""Recognition and line-detection metrics, defined as the Digital Peter competition defines them.

CER = sum of character edit distances / sum of ground-truth lengths, WER the same over words, string accuracy =
share of lines read exactly; all in percent. Texts are compared after Unicode NFC and whitespace collapse.
Detection pairs lines one-to-one, greedily by descending polygon IoU, a pair counting at IoU >= 0.5. The figures
agree with the reference evaluator (shared/bench/htreval.py), which the tests check, including its two choices:
a line without a polygon is its baseline buffered by a quarter of the median ground-truth line height, and a
predicted line that touches no ground-truth line is ignored (ground truth often leaves stamps and notes out).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from htr.lines import Line, Page
from htr.union_find import union_find

IOU_MIN = 0.5
_DEFAULT_LINE_HEIGHT = 40.0  # the reference's fallback when the ground truth has no polygons


def normalize_text(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


@dataclass
class TextScore:
    """Running sums for CER / WER / string accuracy over many lines (and pages)."""

    char_errors: int = 0
    chars: int = 0
    word_errors: int = 0
    words: int = 0
    exact: int = 0
    lines: int = 0

    def add(self, truth: str, pred: str) -> None:
        t, p = normalize_text(truth), normalize_text(pred)
        self.char_errors += Levenshtein.distance(t, p)
        self.chars += len(t)
        self.word_errors += Levenshtein.distance(t.split(), p.split())
        self.words += len(t.split())
        self.exact += int(t == p)
        self.lines += 1

    def add_joined(self, truths: Sequence[str], pred: str) -> None:
        """Several true lines against one reading of them all (htr.metrics.joined_lines): the edit distance of the
        joined texts, over the true lines' own lengths (the spaces that join them are not counted as text)."""
        texts = [normalize_text(text) for text in truths]
        t, p = " ".join(texts), normalize_text(pred)
        self.char_errors += Levenshtein.distance(t, p)
        self.chars += sum(map(len, texts))
        self.word_errors += Levenshtein.distance(t.split(), p.split())
        self.words += len(t.split())
        self.exact += len(texts) * int(t == p)
        self.lines += len(texts)

    def add_insertion(self, pred: str) -> None:
        """A predicted line with no ground-truth counterpart: every character is an insertion."""
        p = normalize_text(pred)
        self.char_errors += len(p)
        self.word_errors += len(p.split())

    def report(self) -> dict[str, float]:
        return {
            "cer": 100 * self.char_errors / max(self.chars, 1),
            "wer": 100 * self.word_errors / max(self.words, 1),
            "string_accuracy": 100 * self.exact / max(self.lines, 1),
            "lines": self.lines,
            "char_errors": self.char_errors,
            "chars": self.chars,
            "word_errors": self.word_errors,
            "words": self.words,
        }


def _texts(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def evaluate_text(preds: Sequence[str], truths: Sequence[str]) -> dict[str, float]:
    """Line-by-line scores: cer, wer, string_accuracy (percent), lines, and the raw error and length sums."""
    if len(preds) != len(truths):
        raise ValueError(f"{len(preds)} predicted lines for {len(truths)} ground-truth lines; pair them first")
    score = TextScore()
    for pred, truth in zip(preds, truths):
        score.add(truth, pred)
    return score.report()


def cer(pred: str | Sequence[str], truth: str | Sequence[str]) -> float:
    """Character error rate in percent, of one line or summed over a list of lines."""
    return evaluate_text(_texts(pred), _texts(truth))["cer"]


def wer(pred: str | Sequence[str], truth: str | Sequence[str]) -> float:
    """Word error rate in percent, of one line or summed over a list of lines."""
    return evaluate_text(_texts(pred), _texts(truth))["wer"]


# Line detection --------------------------------------------------------------------------------------------------


def _height(line: Line) -> float:
    if len(line.polygon) >= 3:
        ys = [p[1] for p in line.polygon]
        return float(max(ys) - min(ys))
    return 0.0


def line_shape(line: Line, pad: float) -> BaseGeometry:
    """The line's area: its polygon made valid, else its baseline buffered by `pad`, else empty."""
    if len(line.polygon) >= 3:
        shape = Polygon(line.polygon).buffer(0)
        if not shape.is_empty:
            return shape
    if len(line.baseline) >= 2:
        return LineString(line.baseline).buffer(pad)
    return Polygon()


def _shapes(truth: Sequence[Line], pred: Sequence[Line]) -> tuple[list[BaseGeometry], list[BaseGeometry]]:
    heights = [h for h in map(_height, truth) if h > 0]
    pad = (float(np.median(heights)) if heights else _DEFAULT_LINE_HEIGHT) / 4
    return [line_shape(ln, pad) for ln in truth], [line_shape(ln, pad) for ln in pred]


def match_lines(
    truth: Sequence[Line], pred: Sequence[Line], iou: float = IOU_MIN
) -> tuple[list[tuple[int, int]], set[int]]:
    """One-to-one (truth index, pred index) pairs at IoU >= iou, greedy by descending IoU, and the indices of
    predicted lines that touch no ground-truth line (which scoring ignores)."""
    return _match_shapes(*_shapes(truth, pred), iou)


def _match_shapes(
    t_shapes: list[BaseGeometry], p_shapes: list[BaseGeometry], iou: float
) -> tuple[list[tuple[int, int]], set[int]]:
    if not p_shapes:
        return [], set()
    tree = STRtree(p_shapes)
    candidates: list[tuple[float, int, int]] = []
    touching: set[int] = set()
    for ti, t in enumerate(t_shapes):
        if t.is_empty:
            continue
        for pi in map(int, tree.query(t)):
            p = p_shapes[pi]
            if p.is_empty:
                continue
            if t.intersects(p):
                touching.add(pi)
            inter = t.intersection(p).area
            if inter <= 0:
                continue
            overlap = inter / (t.area + p.area - inter)
            if overlap >= iou:
                candidates.append((overlap, ti, pi))
    candidates.sort(reverse=True)
    used_t: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, ti, pi in candidates:
        if ti not in used_t and pi not in used_p:
            used_t.add(ti)
            used_p.add(pi)
            pairs.append((ti, pi))
    ignored = {i for i in range(len(p_shapes)) if i not in touching}
    return pairs, ignored


# A line left unmatched joins the line that holds at least this share of its area (htr.metrics.joined_lines).
JOIN_SHARE = 0.5


def joined_lines(
    truth: Sequence[Line], pred: Sequence[Line], iou: float = IOU_MIN
) -> list[tuple[list[int], list[int]]]:
    """Groups of (truth indices, pred indices) to compare as joined texts, so that a line found in pieces, or two
    lines found as one, is scored on its text and not as a miss plus insertions.

    Groups start from the one-to-one matches of `match_lines`; an unmatched predicted line joins the true line
    holding at least JOIN_SHARE of its area (a piece of that line), an unmatched true line the predicted line
    holding at least JOIN_SHARE of its area (merged into it). True lines are in their order; the predicted lines
    of one true line in order along its baseline, of several in their own order. A predicted line that touches
    no true line is in no group; one that joins nothing is a group without truth (an insertion).
    """
    t_shapes, p_shapes = _shapes(truth, pred)
    return _groups(truth, pred, t_shapes, p_shapes, *_match_shapes(t_shapes, p_shapes, iou))


def _groups(
    truth: Sequence[Line],
    pred: Sequence[Line],
    t_shapes: list[BaseGeometry],
    p_shapes: list[BaseGeometry],
    pairs: list[tuple[int, int]],
    ignored: set[int],
) -> list[tuple[list[int], list[int]]]:
    """joined_lines' groups from the shapes and one-to-one matches already made."""
    n = len(truth)
    parent, find = union_find(n + len(pred))
    for ti, pi in pairs:
        parent[find(n + pi)] = find(ti)
    matched_t, matched_p = {ti for ti, _ in pairs}, {pi for _, pi in pairs}

    def share(part: BaseGeometry, whole: BaseGeometry) -> float:
        if part.is_empty or whole.is_empty or part.area <= 0:
            return 0.0
        return part.intersection(whole).area / part.area

    for pi, p in enumerate(p_shapes):
        if pi in matched_p or pi in ignored:
            continue
        shares = [share(p, t) for t in t_shapes]
        if shares and max(shares) >= JOIN_SHARE:
            parent[find(n + pi)] = find(shares.index(max(shares)))
    for ti, t in enumerate(t_shapes):
        if ti in matched_t:
            continue
        shares = [share(t, p) for p in p_shapes]
        best = shares.index(max(shares)) if shares else None
        if best is not None and best not in ignored and shares[best] >= JOIN_SHARE:
            parent[find(ti)] = find(n + best)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for ti in range(n):
        groups.setdefault(find(ti), ([], []))[0].append(ti)
    for pi in range(len(pred)):
        if pi not in ignored:
            groups.setdefault(find(n + pi), ([], []))[1].append(pi)
    out = []
    for truths, preds in groups.values():
        if len(truths) == 1:
            preds.sort(key=lambda pi: _along(truth[truths[0]], pred[pi]))
        out.append((truths, preds))
    return out


def _along(line: Line, piece: Line) -> float:
    """Where `piece` lies along `line`'s baseline (left to right for a horizontal one)."""
    points = line.baseline if len(line.baseline) >= 2 else [(0, 0), (1, 0)]
    dx, dy = points[-1][0] - points[0][0], points[-1][1] - points[0][1]
    pts = piece.polygon or piece.baseline
    cx = sum(p[0] for p in pts) / max(len(pts), 1)
    cy = sum(p[1] for p in pts) / max(len(pts), 1)
    return cx * dx + cy * dy


@dataclass
class DetectionScore:
    """Running sums for line-detection precision / recall / F1 over pages."""

    matched: int = 0
    truth_lines: int = 0
    pred_lines: int = 0
    pred_lines_scored: int = 0
    pages: int = 0

    def add(
        self,
        pred: Sequence[Line],
        truth: Sequence[Line],
        pairs: list[tuple[int, int]],
        ignored: set[int],
    ) -> None:
        self.matched += len(pairs)
        self.truth_lines += len(truth)
        self.pred_lines += len(pred)
        self.pred_lines_scored += len(pred) - len(ignored)
        self.pages += 1

    def report(self) -> dict[str, float]:
        precision = self.matched / max(self.pred_lines_scored, 1)
        recall = self.matched / max(self.truth_lines, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        return {
            "precision": 100 * precision,
            "recall": 100 * recall,
            "f1": 100 * f1,
            "matched": self.matched,
            "truth_lines": self.truth_lines,
            "pred_lines": self.pred_lines,
            "pred_lines_scored": self.pred_lines_scored,
            "pages": self.pages,
        }


def evaluate_page_texts(pred_pages: Sequence[Page | None], truth_pages: Sequence[Page]) -> dict[str, float]:
    """CER / WER / string accuracy of text read on the ground-truth lines: line i of a prediction against line i
    of its truth (None: no prediction for that page, every line read as empty). Predicted lines past the truth's
    last add their characters as insertions. Also counts the pages and those without a prediction."""
    if len(pred_pages) != len(truth_pages):
        raise ValueError(f"{len(pred_pages)} predicted pages for {len(truth_pages)} ground-truth pages")
    score = TextScore()
    for pred_page, truth_page in zip(pred_pages, truth_pages):
        pred = pred_page.lines if pred_page is not None else []
        for i, line in enumerate(truth_page.lines):
            score.add(line.text, pred[i].text if i < len(pred) else "")
        for line in pred[len(truth_page.lines) :]:
            score.add_insertion(line.text)
    missing = sum(page is None for page in pred_pages)
    return {"pages": len(truth_pages), "pages_without_prediction": missing, **score.report()}


def evaluate_detection(
    pred_lines: Sequence[Line], truth_lines: Sequence[Line], iou: float = IOU_MIN
) -> dict[str, float]:
    """Precision, recall, F1 (percent) of one page's predicted lines against its ground truth."""
    score = DetectionScore()
    score.add(pred_lines, truth_lines, *match_lines(truth_lines, pred_lines, iou))
    return score.report()


def evaluate_pages(
    pred_pages: Sequence[Page | None],
    truth_pages: Sequence[Page],
    iou: float = IOU_MIN,
    *,
    skip_empty: bool = False,
) -> dict[str, dict[str, float]]:
    """Detection and end-to-end reading over pages (None: no prediction for that page).

    "reading" is the reference's: every ground-truth line against its matched prediction; an unmatched
    ground-truth line reads as empty, and an overlapping but unmatched predicted line adds its characters as
    insertions. "reading_joined" compares the groups of `joined_lines` (a line found in pieces against its pieces
    joined, lines found as one against that one), so it counts what was read wrong, not how the page was cut.
    `skip_empty`: a ground-truth line without text (one the reading of the true lines leaves out too: an illegible
    mark, a page code) is matched like any other, but it and what was found over it are not scored.
    """
    if len(pred_pages) != len(truth_pages):
        raise ValueError(f"{len(pred_pages)} predicted pages for {len(truth_pages)} ground-truth pages")
    detection, reading, joined = DetectionScore(), TextScore(), TextScore()
    for pred_page, truth_page in zip(pred_pages, truth_pages):
        pred = pred_page.lines if pred_page is not None else []
        truth = truth_page.lines
        t_shapes, p_shapes = _shapes(truth, pred)  # matched once, for both readings
        pairs, ignored = _match_shapes(t_shapes, p_shapes, iou)
        detection.add(pred, truth, pairs, ignored)
        by_truth = dict(pairs)
        for ti, line in enumerate(truth):
            if skip_empty and not normalize_text(line.text):
                continue
            reading.add(line.text, pred[by_truth[ti]].text if ti in by_truth else "")
        used = set(by_truth.values()) | ignored
        for pi, line in enumerate(pred):
            if pi not in used:
                reading.add_insertion(line.text)
        for truths, preds in _groups(truth, pred, t_shapes, p_shapes, pairs, ignored):
            texts = [normalize_text(truth[ti].text) for ti in truths]
            if skip_empty:
                if truths and not any(texts):
                    continue
                texts = [text for text in texts if text]
            read = " ".join(pred[pi].text for pi in preds)
            if texts:
                joined.add_joined(texts, read)
            else:
                joined.add_insertion(read)
    return {"detection": detection.report(), "reading": reading.report(), "reading_joined": joined.report()}
