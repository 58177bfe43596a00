"""How well a recogniser reads ground-truth lines: the one scoring loop of the training recipes, benchmarks and
tests. The truth is brought to the form the model writes (htr.transcription) and lines that are not text to
read (an illegible mark, a page code) are left out, so models of different forms are scored on their own terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from htr.images import load_image
from htr.lines import Page
from htr.metrics import evaluate_text
from htr.recognition import Recognizer


def score_pages(
    recognizer: Recognizer, pages: Iterable[tuple[str | Path, Page]], beam: int = 0, batch_size: int = 32
) -> dict:
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
