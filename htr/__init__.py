"""Skoropis's reading engine: line segmentation, recognition, training, evaluation and formats.

A library first (the portal's workers call it), a CLI second (`python -m htr --help`). Imports nothing from Django.

    from htr import Segmenter, Recognizer, load_image
    image = load_image("page.jpg")
    page = Segmenter.load().segment(image)          # lines with polygons, baselines, reading order
    page = Recognizer.load().read_page(image, page) # text + per-character confidences per line
"""

import os
from importlib import import_module

# OpenMP threads that wait for work by sleeping, not spinning: set before torch is first imported (libgomp reads it
# then). With spinning threads, torch on 2 threads of a CPU shared with anything else (the web server, another worker,
# a test run) ran a fine-tune 13-20x slower (1 epoch against 13 in 40 s; benchmarks/omp_wait_policy.py). On an idle
# machine spinning is ~15 % faster; an operator who wants it sets OMP_WAIT_POLICY=ACTIVE.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from htr.lines import Line, Page, Region  # noqa: E402

# Public names, resolved lazily so that `import htr` stays cheap (no torch until a model is used).
_LAZY = {
    "load_image": "htr.images",
    "Segmenter": "htr.segmentation",
    "Recognizer": "htr.recognition",
    "to_gray": "htr.images",
    "read_page": "htr.formats",
    "write_page": "htr.formats",
    "page_to_bytes": "htr.formats",
    "FORMATS": "htr.formats",
    "cer": "htr.metrics",
    "wer": "htr.metrics",
    "evaluate_text": "htr.metrics",
    "evaluate_detection": "htr.metrics",
    "evaluate_pages": "htr.metrics",
    "LineSample": "htr.sources",
    "iter_pages": "htr.sources",
    "load_line_samples": "htr.sources",
    "split_holdout": "htr.sources",
    "RecognitionTrainingConfig": "htr.training",
    "train_recognition": "htr.training",
    "train_segmentation": "htr.training",
}

__all__ = ["Line", "Page", "Region", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'htr' has no attribute {name!r}")
