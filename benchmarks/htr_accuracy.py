#!/usr/bin/env python
"""Per-set accuracy of the shipped models (or others) on the real pages of ../shared/datasets, unseen in training:

- line detection: precision / recall / F1 at polygon IoU 0.5 (htr.metrics, as shared/bench/htreval.py);
- recognition on the ground-truth lines: CER / WER;
- end to end (segmentation + recognition): CER / WER, every true line against the line found over it, and CER with
  a line found in pieces (or lines found as one) read joined (htr.metrics.joined_lines);
- seconds per page (segmentation, reading).

The truth is brought to the form the recogniser writes (htr.transcription). Splits: every set's val split and
cremma-mss-18's test split (the sets' READMEs; benchmarks/datasets.py).

    python benchmarks/htr_accuracy.py                          # shipped models, greedy, all val/test pages
    python benchmarks/htr_accuracy.py --beam 8 --max-pages 5   # beam + LM, 5 pages a set
    python benchmarks/htr_accuracy.py --split val --sets cremma-mss-18 copiste-d-un-jour   # choose on val only
    python benchmarks/htr_accuracy.py --rec-model runs/latin3 --seg-model runs/seg2 --json figures.json
    python benchmarks/htr_accuracy.py --split val --thresholds core=0.6 region=0.4   # try segmentation thresholds

Every split ends with the figures of its sets pooled (errors over characters, matched lines over lines).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch

from benchmarks.datasets import SETS, all_pages, datasets_dir
from htr.evaluation import evaluate_engine
from htr.recognition import Recognizer
from htr.segmentation import Segmenter, Thresholds
from htr.sources import iter_pages

THRESHOLDS = [field.name for field in dataclasses.fields(Thresholds)]


def threshold_values(items: list[str]) -> dict[str, float]:
    """`["core=0.6", "region=0.4"]` -> {"core": 0.6, "region": 0.4}, or ValueError naming what is wrong."""
    values = {}
    for item in items:
        name, _, value = item.partition("=")
        if name not in THRESHOLDS:
            raise ValueError(f"--thresholds: no threshold {name!r} (one of {', '.join(THRESHOLDS)})")
        try:
            values[name] = float(value)
        except ValueError:
            raise ValueError(f"--thresholds: {item!r} is not NAME=NUMBER") from None
    return values


def pool(results: list[dict]) -> dict[str, float]:
    """The sets of one split together: CER as all character errors over all characters, F1 of all lines."""

    def cer(key: str) -> float:
        return 100 * sum(r[key]["char_errors"] for r in results) / max(sum(r[key]["chars"] for r in results), 1)

    matched = sum(r["detection"]["matched"] for r in results)
    precision = matched / max(sum(r["detection"]["pred_lines_scored"] for r in results), 1)
    recall = matched / max(sum(r["detection"]["truth_lines"] for r in results), 1)
    return {
        "pages": sum(r["pages"] for r in results),
        "f1": round(200 * precision * recall / max(precision + recall, 1e-9), 2),
        "ground_truth_lines": round(cer("ground_truth_lines"), 2),
        "end_to_end": round(cer("end_to_end"), 2),
        "end_to_end_joined": round(cer("end_to_end_joined"), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rec-model", help="recognition model folder (default: the shipped Latin model)")
    parser.add_argument("--seg-model", help="segmentation model folder (default: the shipped one)")
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--beam", type=int, default=0, help="CTC beam width with the model's LM (0: greedy)")
    parser.add_argument("--max-pages", type=int, help="at most this many pages a set and split")
    parser.add_argument("--split", choices=("val", "test"), help="only this split (default: val, then test)")
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), help="only these sets (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--thresholds",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help=f"segmentation thresholds instead of the model's ({', '.join(THRESHOLDS)})",
    )
    args = parser.parse_args()
    try:
        thresholds = threshold_values(args.thresholds)
    except ValueError as error:
        parser.error(str(error))
    torch.set_num_threads(args.threads)
    recognizer = Recognizer.load(args.rec_model, device=args.device)
    segmenter = Segmenter.load(args.seg_model, device=args.device)
    segmenter.thresholds = dataclasses.replace(segmenter.thresholds, **thresholds)
    figures = {
        "recognition_model": str(recognizer.path),
        "segmentation_model": args.seg_model or "shipped",
        "beam": args.beam,
        "thresholds": dataclasses.asdict(segmenter.thresholds),
        "sets": {},
        "pooled": {},
    }
    for split in [args.split] if args.split else ["val", "test"]:
        results = []
        for name, files in all_pages(split, args.data).items():
            if args.sets and name not in args.sets:
                continue
            pages = [page for xml in files[: args.max_pages] for page in iter_pages(xml)]
            result = evaluate_engine(recognizer, segmenter, pages, beam=args.beam)
            results.append(result)
            figures["sets"][f"{name}/{split}"] = result
            detection, truth = result["detection"], result["ground_truth_lines"]
            e2e, joined = result["end_to_end"], result["end_to_end_joined"]
            print(
                f"{name:20} {split:4} pages {result['pages']:3}  lines P/R/F1 {detection['precision']:5.1f} "
                f"{detection['recall']:5.1f} {detection['f1']:5.1f}  CER on true lines {truth['cer']:5.1f} "
                f"(WER {truth['wer']:5.1f})  end-to-end CER {e2e['cer']:5.1f} (WER {e2e['wer']:5.1f}, "
                f"joined {joined['cer']:5.1f})  "
                f"s/page {result['seconds_per_page']['segment']:.2f}+{result['seconds_per_page']['read']:.2f}",
                flush=True,
            )
        if len(results) > 1:
            pooled = figures["pooled"][split] = pool(results)
            print(
                f"{'pooled':20} {split:4} pages {pooled['pages']:3}  lines F1 {pooled['f1']:5.1f}  CER on true lines "
                f"{pooled['ground_truth_lines']:5.1f}  end-to-end CER {pooled['end_to_end']:5.1f} "
                f"(joined {pooled['end_to_end_joined']:5.1f})",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
