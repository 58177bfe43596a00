"""The cremma-mss-18 split every HTR benchmark and training recipe uses (by document: test hands unseen), by folder:
its val and test folders as benchmarks/datasets.py gives them, the others for training.

The dataset lies in ../shared/datasets/cremma-mss-18 beside the checkout, or under $SKOROPIS_SHARED.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.datasets import SETS, datasets_dir

NAME = "cremma-mss-18"
TRAIN = [
    "abrege-des-descriptions-des-artes",
    "archives-de-la-bastille-gazetins-de-la-police-secr",
    "beautifully-illustrated-french-manuscript-on-artillery",
    "jean-jacques-rousseau-les-dialogues-ou-rousseau-ju",
]
VAL = SETS[NAME]["val"]
TEST = SETS[NAME]["test"]
SPLITS = {"train": TRAIN, "val": VAL, "test": TEST}


def dataset_dir() -> Path:
    return datasets_dir() / NAME
