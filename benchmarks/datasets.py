"""The five real sets of ../shared/datasets and their writer-independent splits, as each set's README gives them.

`pages(name, split)` lists the ALTO files of a split; training recipes and benchmarks take their data from here, so
the splits are spelled out once. cremma-mss-18's test documents (Genlis, Diderot) are never used for a choice.
The sets lie under ../shared/datasets beside the checkout, or under $SKOROPIS_SHARED/datasets.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Per set: the folders (or, for copiste-d-un-jour, a rule on the file name) of its val and test splits; every
# other page is training data.
SETS: dict[str, dict[str, list[str]]] = {
    "cremma-mss-18": {
        "val": ["candide-ou-l-optismime-par-voltaire"],
        "test": ["journal-mme-de-genlis", "le-sallon-de-1767-denis-diderot"],
    },
    "copiste-d-un-jour": {"val": [], "test": []},  # val: writers whose 4-digit number ends in 7 (_copiste_split)
    "htromance-modern-fr": {"val": ["bnf-français-3640", "bnf-naf-1992", "las-concernant-lully-8"], "test": []},
    "cremma-mss-19": {"val": ["manuscrit-verne-20000", "lettres-veuillot"], "test": []},
    "cremma-mss-20": {"val": [], "test": []},
}
SPLIT_NAMES = ("train", "val", "test")


def datasets_dir() -> Path:
    shared = Path(os.environ.get("SKOROPIS_SHARED") or ROOT.parent / "shared")
    return shared / "datasets"


def pages(name: str, split: str, root: Path | None = None) -> list[Path]:
    """The ALTO files of one split of one set, in path order (empty when the set has no such split)."""
    if name not in SETS:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(SETS)}")
    if split not in SPLIT_NAMES:
        raise KeyError(f"unknown split {split!r}; expected one of {', '.join(SPLIT_NAMES)}")
    base = (root or datasets_dir()) / name
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: dataset not found (set SKOROPIS_SHARED to the folder holding datasets/)")
    found = []
    for xml in sorted(base.rglob("*.xml")):
        folder = xml.relative_to(base).parts[0] if len(xml.relative_to(base).parts) > 1 else ""
        if name == "copiste-d-un-jour":
            side = _copiste_split(xml.stem)
        else:
            side = next((s for s in ("val", "test") if folder in SETS[name][s]), "train")
        if side == split:
            found.append(xml)
    return found


def _copiste_split(stem: str) -> str:
    """val for the writers whose 4-digit number ends in 7 (wikitexte_0017, imp_wikitexte_0127_2), else train."""
    number = next(part for part in stem.split("_") if part.isdigit() and len(part) == 4)
    return "val" if number.endswith("7") else "train"


def all_pages(split: str, root: Path | None = None) -> dict[str, list[Path]]:
    """{set name: its ALTO files of `split`} for every set that has some."""
    found = {name: pages(name, split, root) for name in SETS}
    return {name: files for name, files in found.items() if files}
