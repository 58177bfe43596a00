#!/usr/bin/env python
"""Line recognition on the TEST pages of cremma-mss-18 (unseen hands): CER / WER / string accuracy and lines/s.

Lines are cut from the page scans by their ground-truth polygons (segmentation is not measured here), read by
`Recognizer.read_page`, and scored with `htr.metrics.evaluate_text` (Digital Peter definitions, percent).

    python benchmarks/htr_recognition.py                          # the shipped model, greedy decoding
    python benchmarks/htr_recognition.py --beam 8 --model DIR     # another model, beam search
    python benchmarks/htr_recognition.py --split val --threads 2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch

from benchmarks.cremma import SPLITS, dataset_dir
from htr.images import load_image
from htr.metrics import evaluate_text
from htr.recognition import Recognizer
from htr.sources import iter_pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model folder (default: the shipped Latin model)")
    parser.add_argument("--split", choices=sorted(SPLITS), default="test")
    parser.add_argument("--beam", type=int, default=0, help="CTC beam width (0: greedy)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default=None)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    dataset = dataset_dir()
    recognizer = Recognizer.load(args.model, device=args.device)
    preds: list[str] = []
    truths: list[str] = []
    seconds = 0.0
    for folder in SPLITS[args.split]:
        for image_path, page in iter_pages(dataset / folder):
            page.lines = [line for line in page.lines if recognizer.model_text(line.text)]
            image = load_image(image_path)
            start = time.perf_counter()
            read = recognizer.read_page(image, page, beam=args.beam, batch_size=args.batch_size)
            seconds += time.perf_counter() - start
            preds += [line.text for line in read.lines]
            truths += [recognizer.model_text(line.text) for line in page.lines]
    scores = evaluate_text(preds, truths)
    figures = {
        "model": str(recognizer.path),
        "split": args.split,
        "beam": args.beam,
        "device": str(recognizer.device),
        "threads": args.threads,
        "lines": len(truths),
        "cer": round(scores["cer"], 2),
        "wer": round(scores["wer"], 2),
        "string_accuracy": round(scores["string_accuracy"], 2),
        "lines_per_second": round(len(truths) / seconds, 1),
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
