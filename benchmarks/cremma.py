"""The cremma-mss-18 split every HTR benchmark and training recipe uses (by document: test hands unseen).

The dataset lies in ../shared/datasets/cremma-mss-18 beside the checkout, or under $SKOROPIS_SHARED.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TRAIN = [
    "abrege-des-descriptions-des-artes",
    "archives-de-la-bastille-gazetins-de-la-police-secr",
    "beautifully-illustrated-french-manuscript-on-artillery",
    "jean-jacques-rousseau-les-dialogues-ou-rousseau-ju",
]
VAL = ["candide-ou-l-optismime-par-voltaire"]
TEST = ["journal-mme-de-genlis", "le-sallon-de-1767-denis-diderot"]
SPLITS = {"train": TRAIN, "val": VAL, "test": TEST}


def dataset_dir() -> Path:
    shared = Path(os.environ.get("SKOROPIS_SHARED") or ROOT.parent / "shared")
    return shared / "datasets" / "cremma-mss-18"
