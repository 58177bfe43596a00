#!/usr/bin/env python
"""What a few corrected pages of one hand buy: fine-tune the shipped Latin model on them, read the rest of that hand.

The archive's own workflow (`python -m htr train recognition --base htr/models/recognition-latin ...`) on one hand
the shipped model never saw (by default Mme de Genlis's journal, a test hand): the first --pages pages are the
"corrected" training pages, the next one chooses the checkpoint (and the language model's weights), and the
remaining pages are read before and after, on ground-truth lines, greedy and with beam 8 + the language model.
The recipe (--lr, --minutes) is chosen on a validation hand (--hand), never on the test hand.

    python benchmarks/htr_fine_tune.py                     # 3 pages, 8 minutes, 2 threads
    python benchmarks/htr_fine_tune.py --pages 1 --minutes 4
    python benchmarks/htr_fine_tune.py --hand cremma-mss-19/manuscrit-verne-20000 --lr 1e-3   # choose on val
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch

from benchmarks.datasets import datasets_dir
from htr.evaluation import score_pages
from htr.recognition import DEFAULT_MODEL, Recognizer
from htr.sources import iter_pages
from htr.training import RecognitionTrainingConfig, train_recognition

HAND = "cremma-mss-18/journal-mme-de-genlis"


def read(recognizer: Recognizer, pages: list, beam: int) -> dict:
    return score_pages(recognizer, pages, beam=beam)


def folder_of(pages: list, into: Path) -> Path:
    into.mkdir(parents=True)
    for image_path, _ in pages:
        for suffix in (".xml", ".jpg"):
            os.symlink(Path(image_path).with_suffix(suffix), into / Path(image_path).with_suffix(suffix).name)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--hand", default=HAND, help="set/folder of one hand's pages (default: %(default)s)")
    parser.add_argument("--pages", type=int, default=3, help="corrected pages to fine-tune on")
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    pages = list(iter_pages(args.data / args.hand))
    if len(pages) < args.pages + 2:
        sys.exit(f"error: {args.data / args.hand} has {len(pages)} pages; --pages {args.pages} leaves none to read")
    train, val, rest = pages[: args.pages], pages[args.pages : args.pages + 1], pages[args.pages + 1 :]
    base = Recognizer.load(device="cpu")
    figures = {
        "hand": args.hand,
        "train_pages": [Path(p).stem for p, _ in train],
        "val_page": [Path(p).stem for p, _ in val],
        "read_pages": [Path(p).stem for p, _ in rest],
        "before": {"greedy": read(base, rest, 0), "beam8_lm": read(base, rest, 8)},
    }
    with tempfile.TemporaryDirectory() as tmp:
        config = RecognitionTrainingConfig(
            train=[str(folder_of(train, Path(tmp) / "train"))],
            val=[str(folder_of(val, Path(tmp) / "val"))],
            out=str(Path(tmp) / "model"),
            base=str(DEFAULT_MODEL),
            minutes=args.minutes,
            device="cpu",
            batch_size=8,
            lr=args.lr,
        )
        summary = train_recognition(config, progress_bar=sys.stderr.isatty())
        tuned = Recognizer.load(Path(tmp) / "model", device="cpu")
        figures["after"] = {"greedy": read(tuned, rest, 0), "beam8_lm": read(tuned, rest, 8)}
    figures["training"] = {
        "minutes": summary["minutes"],
        "epochs": summary["epochs"],
        "train_lines": summary["train_lines"],
        "threads": args.threads,
        "lr": args.lr,
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
