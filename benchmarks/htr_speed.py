#!/usr/bin/env python
"""Seconds per page of our engine on the TEST pages of cremma-mss-18: segmentation, recognition, both.

Models are loaded (and run once on the first page) before the clock starts, as a long-lived worker would.
Also prints line detection P/R/F1 (IoU 0.5) and end-to-end CER of the pages read, so speed is never quoted
without the quality it came with. The truth is brought to the form the recogniser writes and lines that are not
text to read are left out, as when reading the true lines (htr.evaluation), so the two CERs compare.

    python benchmarks/htr_speed.py                       # CPU, 2 threads (the dev machine has 2 cores)
    python benchmarks/htr_speed.py --threads 1 --pages 5
    python benchmarks/htr_speed.py --split val --set copiste-d-un-jour   # choose on val pages, never on test
    python benchmarks/htr_speed.py --device cuda --batch-pages 8   # GPU: pages/minute, pages batched
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch

from benchmarks.datasets import SETS, SPLIT_NAMES, datasets_dir
from benchmarks.datasets import pages as split_pages
from htr.images import load_image
from htr.metrics import evaluate_pages
from htr.segmentation import Segmenter
from htr.sources import iter_pages


def load_split(data: Path, name: str, split: str, limit: int | None):
    try:
        files = split_pages(name, split, data)
    except FileNotFoundError as exc:
        sys.exit(f"error: {exc} (give --data, or set SKOROPIS_SHARED)")
    if not files:
        sys.exit(f"error: {name} has no {split} pages")
    pages = []
    for xml in files[:limit] if limit else files:
        for image_path, page in iter_pages(xml):
            pages.append((image_path, load_image(image_path), page))
    return pages


def load_recognizer(path: str | None, device: str):
    """The Recognizer, or None with the reason printed: speed of segmentation alone is still worth having."""
    try:
        from htr.recognition import Recognizer
    except ImportError as exc:
        print(f"note: recognition is not available ({exc}); measuring segmentation only")
        return None
    try:
        return Recognizer.load(path, device=device)
    except (FileNotFoundError, OSError, ValueError) as exc:
        print(f"note: no recognition model could be loaded ({exc}); measuring segmentation only")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--set", default="cremma-mss-18", choices=sorted(SETS), help="dataset (default cremma-mss-18)")
    parser.add_argument("--split", choices=SPLIT_NAMES, default="test")
    parser.add_argument("--seg-model", default=None, help="segmentation model folder (default: shipped)")
    parser.add_argument("--rec-model", default=None, help="recognition model folder (default: shipped)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    parser.add_argument("--batch-pages", type=int, default=8, help="pages per network call on a GPU")
    parser.add_argument("--beam", type=int, default=0, help="beam width, with the model's language model (0: greedy)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        sys.exit("error: --device cuda asked for, but torch sees no CUDA GPU here")
    torch.set_num_threads(args.threads)

    pages = load_split(args.data, args.set, args.split, args.pages)
    segmenter = Segmenter.load(args.seg_model, device=args.device)
    recognizer = load_recognizer(args.rec_model, args.device)
    # Warm-up outside the clock: first calls pay for allocations and kernel selection.
    warm = segmenter.segment(pages[0][1])
    if recognizer is not None:
        recognizer.read_page(pages[0][1], warm)

    seg_s = rec_s = 0.0
    preds = []
    cuda = args.device.startswith("cuda")
    if cuda:
        wall = time.perf_counter()
        for i in range(0, len(pages), args.batch_pages):
            chunk = pages[i : i + args.batch_pages]
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            found = segmenter.segment_batch([image for _, image, _ in chunk], names=[str(p) for p, _, _ in chunk])
            torch.cuda.synchronize()
            t1 = time.perf_counter()
            if recognizer is not None:
                found = recognizer.read_pages([image for _, image, _ in chunk], found, beam=args.beam, batch_size=64)
            torch.cuda.synchronize()
            seg_s += t1 - t0
            rec_s += time.perf_counter() - t1
            preds.extend(found)
        wall = time.perf_counter() - wall
    else:
        for image_path, image, _ in pages:
            t0 = time.perf_counter()
            page = segmenter.segment(image, name=str(image_path))
            t1 = time.perf_counter()
            if recognizer is not None:
                page = recognizer.read_page(image, page, beam=args.beam)
            seg_s += t1 - t0
            rec_s += time.perf_counter() - t1
            preds.append(page)
        wall = seg_s + rec_s

    n = len(pages)
    n_lines = sum(len(p.lines) for p in preds)
    truths = [truth for _, _, truth in pages]
    if recognizer is not None:
        truths = [
            dataclasses.replace(
                truth,
                lines=[dataclasses.replace(line, text=recognizer.model_text(line.text)) for line in truth.lines],
            )
            for truth in truths
        ]
    scores = evaluate_pages(preds, truths, skip_empty=recognizer is not None)
    det = scores["detection"]
    figures = {
        "device": args.device if cuda else f"cpu ({args.threads} threads)",
        "beam": args.beam,
        "pages": n,
        "lines_found": n_lines,
        "segment_s_per_page": seg_s / n,
        "recognise_s_per_page": rec_s / n if recognizer is not None else None,
        "total_s_per_page": (seg_s + rec_s) / n,
        "lines_per_s": n_lines / (seg_s + rec_s),
        "pages_per_minute": 60 * n / wall,
        "detection": {k: det[k] for k in ("precision", "recall", "f1")},
        "cer": scores["reading"]["cer"] if recognizer is not None else None,
        "cer_joined": scores["reading_joined"]["cer"] if recognizer is not None else None,
    }
    print(f"\n{args.set} {args.split}: {n} pages, {n_lines} lines found, device {figures['device']}")
    print(f"{'stage':<12}{'s/page':>10}")
    print(f"{'segment':<12}{figures['segment_s_per_page']:>10.2f}")
    if recognizer is not None:
        print(f"{'recognise':<12}{figures['recognise_s_per_page']:>10.2f}")
    print(f"{'total':<12}{figures['total_s_per_page']:>10.2f}")
    print(
        f"lines/second (segment + read): {figures['lines_per_s']:.1f}; pages/minute: {figures['pages_per_minute']:.1f}"
    )
    print(f"line detection P/R/F1 @IoU0.5: {det['precision']:.1f} / {det['recall']:.1f} / {det['f1']:.1f}")
    print(
        f"load average (1/5/15 min) at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )
    if figures["cer"] is not None:
        print(
            f"end-to-end CER: {figures['cer']:.2f} % (lines found in pieces or as one read joined: "
            f"{figures['cer_joined']:.2f} %)"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
