"""Reproduces htr/models/recognition-cyrillic: synthetic pre-reform Cyrillic lines, a CPU training run, and the
CER on held-out synthetic lines drawn with a font the training never saw.

    scripts/fetch_fonts.sh && scripts/fetch_texts.sh
    python scripts/train_cyrillic.py --run /work/runs/cyrillic --minutes 28 --out htr/models/recognition-cyrillic

Steps (each skipped when its output exists): draw the held-out test set (font bad-script only), the validation
set and the training set (all other fonts); train with torch.set_num_threads(--threads); score the best
checkpoint on the validation and held-out sets; copy the model, its training log and `evaluation.json` to --out.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import cv2
import torch
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from benchmarks.datasets import SETS, datasets_dir, pages
from htr.formats.tsv import read_tsv
from htr.images import load_image
from htr.metrics import evaluate_text
from htr.recognition import Recognizer
from htr.recognition.model import LineRecognizer
from htr.synthetic import LineGenerator, write_lines
from htr.training import RecognitionTrainingConfig, train_recognition
from htr.training.options import add_training_options, training_settings

HELD_OUT_FAMILY = "bad-script"


def draw(out: Path, lines: int, seed: int, **fonts) -> Path:
    manifest = out / "manifest.tsv"
    if manifest.is_file() and len(read_tsv(manifest)) == lines:
        return manifest
    generator = LineGenerator("cyrillic", seed=seed, **fonts)
    with tqdm(total=lines, desc=f"draw {out.name}", unit="line") as bar:
        return write_lines(out, lines, generator, on_progress=lambda done, total: bar.update(1))


def score(model_dir: Path, manifest: Path) -> dict:
    recognizer = Recognizer(LineRecognizer.from_pretrained(model_dir), "cpu")
    rows = [(path, recognizer.model_text(text)) for path, text in read_tsv(manifest)]  # truth in the model's form
    images = [load_image(path) for path, _ in rows]
    preds = [text for text, _ in recognizer.read_lines(images, batch_size=32)]
    result = evaluate_text(preds, [text for _, text in rows])
    result["examples"] = [{"truth": t, "read": p} for (_, t), p in list(zip(rows, preds))[:8]]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--run",
        default="/work/runs/cyrillic",
        help="working folder (data, checkpoints)",
    )
    parser.add_argument(
        "--out",
        default="htr/models/recognition-cyrillic",
        help="where the shipped model goes",
    )
    parser.add_argument("--train-lines", type=int, default=32000)
    parser.add_argument("--val-lines", type=int, default=600)
    parser.add_argument("--test-lines", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--real-sets",
        nargs="*",
        default=[],
        choices=list(SETS),
        help="also learn from the real training lines of these sets of ../shared/datasets (real pen strokes)",
    )
    parser.add_argument("--data", type=Path, default=datasets_dir(), help="the folder holding the datasets")
    parser.add_argument("--compare", nargs="*", default=[], help="models also scored on the same synthetic sets")
    # --minutes counts after the lines are cached; --base htr/models/recognition-latin fine-tunes the Latin model
    add_training_options(parser, segmentation=False, minutes=28.0, device="cpu")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    run = Path(args.run)
    started = time.time()

    test = draw(run / "synth-test-badscript", args.test_lines, 303, families=[HELD_OUT_FAMILY])
    val = draw(run / "synth-val", args.val_lines, 202, exclude_families=[HELD_OUT_FAMILY])
    train = draw(run / "synth-train", args.train_lines, 101, exclude_families=[HELD_OUT_FAMILY])

    model_dir = run / "model"
    real = [str(xml) for name in args.real_sets for xml in pages(name, "train", args.data)]
    config = RecognitionTrainingConfig(
        train=[str(train), *real],
        val=[str(val)],
        out=str(model_dir),
        **training_settings(args, RecognitionTrainingConfig),
    )
    summary = train_recognition(config)
    evaluation = {
        "held_out_font": HELD_OUT_FAMILY,
        "test_held_out_font": score(model_dir, test),
        "val_training_fonts": score(model_dir, val),
        "compared": {
            str(other): {"test_held_out_font": score(Path(other), test), "val_training_fonts": score(Path(other), val)}
            for other in args.compare
        },
        "train_lines": args.train_lines,
        "real_sets": args.real_sets,
        "real_train_lines": summary.get("train_lines", 0) - args.train_lines,
        "base": args.base,
        "training_minutes": summary.get("minutes"),
        "threads": args.threads,
        "fonts": json.loads((run / "synth-train" / "generation.json").read_text(encoding="utf-8"))["fonts"],
        "texts": json.loads((run / "synth-train" / "generation.json").read_text(encoding="utf-8"))["texts"],
        "wall_minutes": round((time.time() - started) / 60, 1),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in (
        "model.safetensors",
        "config.json",
        "training_log.json",
        "training_curve.png",
    ):
        if (model_dir / name).is_file():
            shutil.copy2(model_dir / name, out / name)
    (out / "evaluation.json").write_text(json.dumps(evaluation, ensure_ascii=False, indent=1), encoding="utf-8")
    for key in ("test_held_out_font", "val_training_fonts"):
        r = evaluation[key]
        print(f"{key}: CER {r['cer']:.2f}% WER {r['wer']:.2f}% on {r['lines']} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
