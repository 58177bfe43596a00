"""Reproduces htr/models/segmentation v2: fine-tunes the line segmenter on the pages of the train splits of every
set in ../shared/datasets (stamps, flourishes, ruling and show-through drawn on crops as negatives), chooses the
checkpoint on their val splits together, then prints line precision / recall / F1 per set and split.

    python scripts/train_segmentation.py --run /work/runs/seg2 --minutes 80 --threads 1
    python scripts/train_segmentation.py --run /work/runs/seg2 --out htr/models/segmentation   # and ship it

`--base ''` trains a new model instead. Splits: benchmarks/datasets.py (each set's README). cremma-mss-18's test
pages are scored once, at the end.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

import cv2
import torch

from benchmarks.datasets import SETS, all_pages, datasets_dir, pages
from htr.images import load_image
from htr.metrics import evaluate_pages
from htr.segmentation import Segmenter
from htr.sources import iter_pages
from htr.training import SegmentationTrainingConfig, train_segmentation
from htr.training.options import add_training_options, training_settings

SHIPPED = ROOT / "htr" / "models" / "segmentation"


def detection(segmenter: Segmenter, files: list[Path]) -> dict:
    found, truths = [], []
    started = time.perf_counter()
    for xml in files:
        for image_path, truth in iter_pages(xml):
            found.append(segmenter.segment(load_image(image_path)))
            truths.append(truth)
    scores = evaluate_pages(found, truths)["detection"]
    return {k: round(v, 2) for k, v in scores.items()} | {
        "pages": len(truths),
        "seconds_per_page": round((time.perf_counter() - started) / max(len(truths), 1), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--run", type=Path, default=Path("/work/runs/seg2"))
    parser.add_argument("--out", type=Path, help="also copy the model and its records here (to ship it)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--score-only", action="store_true", help="only score the model in --run")
    add_training_options(
        parser, recognition=False, base=str(SHIPPED), minutes=80.0, lr=1e-3, eval_every=300, device="cpu"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    started = time.time()
    if not args.score_only:
        config = SegmentationTrainingConfig(
            train=[str(xml) for name in args.sets for xml in pages(name, "train", args.data)],
            val=[str(xml) for name in args.sets for xml in pages(name, "val", args.data)],
            out=str(args.run),
            **training_settings(args, SegmentationTrainingConfig) | {"base": args.base or None},
        )
        train_segmentation(config)
    segmenter = Segmenter.load(args.run, device=args.device)
    figures = {}
    for split in ("val", "test"):
        for name, files in all_pages(split, args.data).items():
            figures[f"{name}/{split}"] = detection(segmenter, files)
            print(name, split, json.dumps(figures[f"{name}/{split}"]), flush=True)
    evaluation = {
        "sets": figures,
        "command": " ".join(sys.argv),
        "wall_minutes": round((time.time() - started) / 60, 1),
    }
    (args.run / "evaluation.json").write_text(json.dumps(evaluation, indent=1), encoding="utf-8")
    if args.out:
        for name in ("model.safetensors", "config.json", "training_log.json", "training_curve.png", "evaluation.json"):
            shutil.copy2(args.run / name, args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
