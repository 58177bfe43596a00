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


def match_lines(
    truth: Sequence[Line], pred: Sequence[Line], iou: float = IOU_MIN
) -> tuple[list[tuple[int, int]], set[int]]:
    """One-to-one (truth index, pred index) pairs at IoU >= iou, greedy by descending IoU, and the indices of
    predicted lines that touch no ground-truth line (which scoring ignores)."""
    heights = [h for h in map(_height, truth) if h > 0]
    pad = (float(np.median(heights)) if heights else _DEFAULT_LINE_HEIGHT) / 4
    t_shapes = [line_shape(ln, pad) for ln in truth]
    p_shapes = [line_shape(ln, pad) for ln in pred]
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
    ignored = {i for i in range(len(pred)) if i not in touching}
    return pairs, ignored


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
    pred_pages: Sequence[Page | None], truth_pages: Sequence[Page], iou: float = IOU_MIN
) -> dict[str, dict[str, float]]:
    """Detection and end-to-end reading over pages (None: no prediction for that page).

    Reading pairs every ground-truth line with its matched prediction; an unmatched ground-truth line reads as
    empty, and an overlapping but unmatched predicted line adds its characters as insertions.
    """
    if len(pred_pages) != len(truth_pages):
        raise ValueError(f"{len(pred_pages)} predicted pages for {len(truth_pages)} ground-truth pages")
    detection, reading = DetectionScore(), TextScore()
    for pred_page, truth_page in zip(pred_pages, truth_pages):
        pred = pred_page.lines if pred_page is not None else []
        truth = truth_page.lines
        pairs, ignored = match_lines(truth, pred, iou)
        detection.add(pred, truth, pairs, ignored)
        by_truth = dict(pairs)
        for ti, line in enumerate(truth):
            reading.add(line.text, pred[by_truth[ti]].text if ti in by_truth else "")
        used = set(by_truth.values()) | ignored
        for pi, line in enumerate(pred):
            if pi not in used:
                reading.add_insertion(line.text)
    return {"detection": detection.report(), "reading": reading.report()}
