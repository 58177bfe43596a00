"""Reproduces htr/models/recognition-latin: a training run on the train splits of every set in ../shared/datasets
(validation on their val splits together), then CER / WER / string accuracy of the best checkpoint on each set's
val split and on cremma-mss-18's test hands.

    python scripts/train_latin.py --run /work/runs/latin --minutes 110 --threads 2          # the v3 CPU run
    python scripts/train_latin.py --run /work/runs/latin --resume --minutes 150              # go on after a stop
    python scripts/train_latin.py --sets cremma-mss-18 --run runs/c18 --minutes 30          # one set only
    python scripts/train_latin.py --run runs/latin-gpu --minutes 6 --device cuda --workers 5 --batch-size 32 \\
        --channels 32 64 128 192 --lstm-hidden 256                                             # a GPU run
    python scripts/train_latin.py ... --out htr/models/recognition-latin                     # and ship it
    python scripts/train_latin.py --run /work/runs/latin-s --minutes 30 --synthetic 1000    # + synthetic hands
    python scripts/train_latin.py --run runs/latin7 --score-only --tune-lm                   # LM chosen again

`--synthetic N` adds N synthetic lines (the training transcriptions drawn in the cursive fonts of HANDS, fetched
by scripts/fetch_fonts.sh) to the real training lines.

The splits are by writer or document (each dataset's README; benchmarks/datasets.py), so validation and test hands
are unseen in training. The ground truth goes through htr.transcription (semi-diplomatic form) before training and
scoring. The test pages are scored once, after training; nothing is chosen on them. `--data` (or SKOROPIS_SHARED)
points at the datasets folder when ../shared is not beside the checkout.
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
from htr.evaluation import score_pages
from htr.recognition import Recognizer
from htr.sources import iter_pages
from htr.training import RecognitionTrainingConfig, resume_recognition, retune_language_model, train_recognition
from htr.training.options import add_training_options, training_settings

# Cursive and copperplate Latin font families (@fontsource, OFL) that synthetic lines are drawn in.
HANDS = [
    "alex-brush",
    "allura",
    "bilbo",
    "cedarville-cursive",
    "dancing-script",
    "dawning-of-a-new-day",
    "engagement",
    "great-vibes",
    "herr-von-muellerhoff",
    "homemade-apple",
    "italianno",
    "kristi",
    "la-belle-aurore",
    "league-script",
    "meddon",
    "miss-fajardose",
    "monsieur-la-doulaise",
    "mr-dafoe",
    "mr-de-haviland",
    "mrs-saint-delafield",
    "over-the-rainbow",
    "parisienne",
    "petit-formal-script",
    "pinyon-script",
    "princess-sofia",
    "qwigley",
    "reenie-beanie",
    "rouge-script",
    "ruthie",
    "sacramento",
    "tangerine",
    "waiting-for-the-sunrise",
    "zeyada",
]


def score_all(recognizer: Recognizer, data: Path, sets: list[str]) -> dict:
    """Greedy and beam 8 + LM figures on each set's val split and on the test split (cremma-mss-18)."""
    figures = {}
    for split in ("val", "test"):
        for name, files in all_pages(split, data).items():
            if name in sets or split == "test":
                figures[f"{name}/{split}"] = {
                    "greedy": score_pages(recognizer, (page for xml in files for page in iter_pages(xml))),
                    "beam8_lm": score_pages(recognizer, (page for xml in files for page in iter_pages(xml)), beam=8),
                }
                print(name, split, json.dumps(figures[f"{name}/{split}"]), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS), help="train on these sets")
    parser.add_argument("--run", type=Path, default=Path("/work/runs/latin"), help="checkpoint folder")
    parser.add_argument("--resume", action="store_true", help="go on with the stopped training in --run")
    parser.add_argument("--out", type=Path, help="also copy the model and its records here (to ship it)")
    parser.add_argument("--threads", type=int, default=2, help="torch and OpenCV threads")
    parser.add_argument("--height", type=int, default=32)
    parser.add_argument("--width-downsample", type=int, default=4, choices=(2, 4))
    parser.add_argument("--width-scale", type=float, default=0.8)
    parser.add_argument("--channels", type=int, nargs=4, default=None)
    parser.add_argument("--lstm-hidden", type=int, default=None)
    parser.add_argument("--score-only", action="store_true", help="only score the model in --run")
    parser.add_argument(
        "--tune-lm",
        action="store_true",
        help="with --score-only: first choose the language model's order and weights again on the val lines",
    )
    # --minutes counts after the lines are cached; synthetic lines are drawn in HANDS unless --synthetic-family
    add_training_options(
        parser,
        segmentation=False,
        minutes=110.0,
        device="cpu",
        batch_size=8,
        workers=0,
        transcription="semi-diplomatic",
    )
    args = parser.parse_args(argv)
    if args.tune_lm and not args.score_only:
        parser.error("--tune-lm goes with --score-only (a training chooses its language model itself)")
    if not (args.data / "cremma-mss-18").is_dir():
        parser.error(f"{args.data} does not hold the datasets (give --data or set SKOROPIS_SHARED)")
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    started = time.time()

    def report(r: dict) -> None:
        print(
            f"epoch {r['epoch']} {r['minutes']:.1f} min loss {r['train_loss']:.3f} val CER {r['val_cer']:.2f} "
            f"(best {r['best_val_cer']:.2f})",
            flush=True,
        )

    if args.score_only:
        if args.tune_lm:
            val = [str(xml) for name in args.sets for xml in pages(name, "val", args.data)]
            print("language model:", json.dumps(retune_language_model(args.run, val, args.device)), flush=True)
        summary = json.loads((args.run / "training_log.json").read_text(encoding="utf-8"))
    elif args.resume:
        summary = resume_recognition(
            str(args.run),
            minutes=args.minutes,
            device=args.device,
            workers=args.workers,
            progress_bar=sys.stderr.isatty(),
            on_progress=report,
        )
    else:
        config = RecognitionTrainingConfig(
            train=[str(xml) for name in args.sets for xml in pages(name, "train", args.data)],
            val=[str(xml) for name in args.sets for xml in pages(name, "val", args.data)],
            out=str(args.run),
            height=args.height,
            width_downsample=args.width_downsample,
            width_scale=args.width_scale,
            channels=args.channels,
            lstm_hidden=args.lstm_hidden,
            **{"synthetic_families": HANDS} | training_settings(args, RecognitionTrainingConfig),
        )
        summary = train_recognition(config, progress_bar=sys.stderr.isatty(), on_progress=report)
    recognizer = Recognizer.load(args.run, device=args.device)
    evaluation = {
        "sets": score_all(recognizer, args.data, args.sets),
        # Beam search with the character language model, its weights chosen on the validation lines.
        "language_model": summary["best"].get("language_model"),
        "training_minutes": summary["minutes"],
        "epochs": summary["epochs"],
        "device": args.device,
        "device_name": torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu",
        "threads": args.threads,
        "command": " ".join(sys.argv),
        "wall_minutes": round((time.time() - started) / 60, 1),
    }
    (args.run / "evaluation.json").write_text(json.dumps(evaluation, indent=1), encoding="utf-8")
    print(json.dumps(evaluation, indent=1))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name in (
            "model.safetensors",
            "config.json",
            "lm.txt",
            "training_log.json",
            "training_curve.png",
            "evaluation.json",
        ):
            shutil.copy2(args.run / name, args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
