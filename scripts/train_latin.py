"""Reproduces htr/models/recognition-latin: a training run on the train split of cremma-mss-18 (validation on
Candide), then CER / WER / string accuracy of the best checkpoint on the validation and test pages.

    python scripts/train_latin.py --run /work/runs/latin --minutes 30 --threads 2          # the 30-min CPU run
    python scripts/train_latin.py --run runs/latin-gpu --minutes 6 --device cuda --workers 5 --batch-size 32 \\
        --channels 32 64 128 192 --lstm-hidden 256                                             # a GPU run
    python scripts/train_latin.py ... --out htr/models/recognition-latin                     # and ship it
    python scripts/train_latin.py --run /work/runs/latin-s --minutes 30 --synthetic 1000    # + synthetic hands

`--synthetic N` adds N synthetic lines (the training transcriptions drawn in the cursive fonts of HANDS, fetched
by scripts/fetch_fonts.sh) to the 1,947 real training lines.

The split is by document (README of the dataset), so validation and test hands are unseen in training. The test
pages are scored once, after training; nothing is chosen on them. `--data` (or SKOROPIS_SHARED) points at the
dataset when ../shared is not beside the checkout.
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

from benchmarks.cremma import TEST, TRAIN, VAL, dataset_dir
from htr.images import load_image
from htr.metrics import evaluate_text
from htr.recognition import Recognizer, normalise_text
from htr.sources import iter_pages
from htr.training import train_recognition

# Cursive and copperplate Latin font families (@fontsource, OFL) that synthetic lines are drawn in.
HANDS = [
    "alex-brush", "allura", "bilbo", "cedarville-cursive", "dancing-script", "dawning-of-a-new-day", "engagement",
    "great-vibes", "herr-von-muellerhoff", "homemade-apple", "italianno", "kristi", "la-belle-aurore",
    "league-script", "meddon", "miss-fajardose", "monsieur-la-doulaise", "mr-dafoe", "mr-de-haviland",
    "mrs-saint-delafield", "over-the-rainbow", "parisienne", "petit-formal-script", "pinyon-script",
    "princess-sofia", "qwigley", "reenie-beanie", "rouge-script", "ruthie", "sacramento", "tangerine",
    "waiting-for-the-sunrise", "zeyada",
]


def score(recognizer: Recognizer, data: Path, folders: list[str], beam: int = 0) -> dict:
    """CER etc. on ground-truth lines of these page folders, as benchmarks/htr_recognition.py measures it."""
    preds, truths = [], []
    for folder in folders:
        for image_path, page in iter_pages(data / folder):
            page.lines = [line for line in page.lines if normalise_text(line.text)]
            read = recognizer.read_page(load_image(image_path), page, beam=beam, batch_size=32)
            preds += [line.text for line in read.lines]
            truths += [line.text for line in page.lines]
    return {k: round(v, 2) for k, v in evaluate_text(preds, truths).items()} | {"lines": len(truths)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=dataset_dir())
    parser.add_argument("--run", type=Path, default=Path("/work/runs/latin"), help="checkpoint folder")
    parser.add_argument("--out", type=Path, help="also copy the model and its records here (to ship it)")
    parser.add_argument("--base", help="fine-tune this model instead of training from scratch")
    parser.add_argument("--minutes", type=float, default=30.0, help="training budget (after the lines are cached)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=2, help="torch and OpenCV threads")
    parser.add_argument("--workers", type=int, default=0, help="processes that distort lines (GPU runs)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--height", type=int, default=32)
    parser.add_argument("--width-downsample", type=int, default=4, choices=(2, 4))
    parser.add_argument("--width-scale", type=float, default=1.5)
    parser.add_argument("--channels", type=int, nargs=4, default=None)
    parser.add_argument("--lstm-hidden", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthetic", type=int, default=0, help="synthetic lines added to the training lines")
    parser.add_argument("--synthetic-family", action="append", help="font family for them (default: HANDS)")
    args = parser.parse_args(argv)
    if not (args.data / TRAIN[0]).is_dir():
        parser.error(f"{args.data} does not hold cremma-mss-18 (give --data or set SKOROPIS_SHARED)")
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    started = time.time()

    summary = train_recognition(
        train=[str(args.data / d) for d in TRAIN],
        val=[str(args.data / d) for d in VAL],
        out=str(args.run),
        base=args.base,
        minutes=args.minutes,
        device=args.device,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        height=args.height,
        width_downsample=args.width_downsample,
        width_scale=args.width_scale,
        channels=args.channels,
        lstm_hidden=args.lstm_hidden,
        workers=args.workers,
        synthetic=args.synthetic,
        synthetic_families=args.synthetic_family or HANDS,
        progress_bar=sys.stderr.isatty(),
        on_progress=lambda r: print(
            f"epoch {r['epoch']} {r['minutes']:.1f} min loss {r['train_loss']:.3f} val CER {r['val_cer']:.2f} "
            f"(best {r['best_val_cer']:.2f})", flush=True
        ),
    )
    recognizer = Recognizer.load(args.run, device=args.device)
    evaluation = {
        "val": score(recognizer, args.data, VAL),
        "test": score(recognizer, args.data, TEST),
        # Beam search with the character language model, its weights chosen on the validation lines.
        "language_model": summary["best"].get("language_model"),
        "val_beam8_lm": score(recognizer, args.data, VAL, beam=8),
        "test_beam8_lm": score(recognizer, args.data, TEST, beam=8),
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
            "model.safetensors", "config.json", "lm.txt", "training_log.json", "training_curve.png", "evaluation.json"
        ):
            shutil.copy2(args.run / name, args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
