"""Scoring the engine on ground-truth pages: the one loop behind `htr evaluate model`, the training recipes,
the benchmarks and the tests.

The truth is brought to the form the recogniser writes (htr.transcription) and lines that are not text to read (an
illegible mark, a page code) are not scored as text, so models of different forms are scored on their own terms.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from pathlib import Path

from htr.images import load_image
from htr.lines import Page
from htr.metrics import TextScore, evaluate_pages, evaluate_text
from htr.recognition import Recognizer
from htr.segmentation import Segmenter

Pages = Iterable[tuple[str | Path, Page]]  # (page image, ground truth), as htr.sources.iter_pages gives them


def score_pages(recognizer: Recognizer, pages: Pages, beam: int = 0, batch_size: int = 32) -> dict:
    """CER / WER / string accuracy (percent, rounded) and the line count, reading each page's true lines."""
    preds: list[str] = []
    truths: list[str] = []
    for image_path, page in pages:
        page.lines = [line for line in page.lines if recognizer.model_text(line.text)]
        read = recognizer.read_page(load_image(image_path), page, beam=beam, batch_size=batch_size)
        preds += [line.text for line in read.lines]
        truths += [recognizer.model_text(line.text) for line in page.lines]
    scores = evaluate_text(preds, truths)
    return {k: round(scores[k], 2) for k in ("cer", "wer", "string_accuracy")} | {"lines": len(truths)}


def evaluate_engine(recognizer: Recognizer, segmenter: Segmenter, pages: Pages, beam: int = 0, on_page=None) -> dict:
    """Line detection (P/R/F1 at IoU 0.5), reading on the true lines, end-to-end reading (segmentation +
    recognition, every true line against the line found over it; "end_to_end_joined": a line found in pieces
    against its pieces joined, lines found as one against that one, htr.metrics.joined_lines) and seconds a page.

    Both readings leave out the true lines that are not text to read, as the reading on the true lines does: what
    the segmenter finds over a page code is neither scored nor an insertion."""
    on_truth, truths, found = TextScore(), [], []
    seconds = {"segment": 0.0, "read": 0.0}
    for image_path, truth in pages:
        truth = dataclasses.replace(
            truth, lines=[dataclasses.replace(line, text=recognizer.model_text(line.text)) for line in truth.lines]
        )
        image = load_image(image_path)
        started = time.perf_counter()
        read = recognizer.read_page(image, truth, beam=beam)
        seconds["read"] += time.perf_counter() - started
        for true_line, read_line in zip(truth.lines, read.lines):
            if true_line.text:
                on_truth.add(true_line.text, read_line.text)
        started = time.perf_counter()
        page = segmenter.segment(image)
        seconds["segment"] += time.perf_counter() - started
        started = time.perf_counter()
        found.append(recognizer.read_page(image, page, beam=beam))
        seconds["read"] += time.perf_counter() - started
        truths.append(truth)
        if on_page is not None:
            on_page(len(truths))
    end_to_end = evaluate_pages(found, truths, skip_empty=True)
    return {
        "pages": len(truths),
        "detection": _rounded(end_to_end["detection"]),
        "ground_truth_lines": _rounded(on_truth.report()),
        "end_to_end": _rounded(end_to_end["reading"]),
        "end_to_end_joined": _rounded(end_to_end["reading_joined"]),
        "seconds_per_page": {k: round(v / max(len(truths), 1), 2) for k, v in seconds.items()},
    }


def _rounded(figures: dict) -> dict:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}
