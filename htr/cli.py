"""`python -m htr`: segment, read, train and evaluate from the shell. It parses arguments and calls the library.

Errors a user can fix (a missing file, an unreadable image, an unknown format, an empty training source) end
the run with one line on stderr and a non-zero exit; HTR_DEBUG=1 shows the traceback instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from htr.formats import FORMATS, SUFFIXES, FormatError, read_page, write_page
from htr.images import ImageError, load_image
from htr.lines import Page
from htr.metrics import evaluate_page_texts, evaluate_pages
from htr.sources import iter_pages
from htr.synthetic.fonts import FontsMissing
from htr.training.config import RecognitionTrainingConfig, SegmentationTrainingConfig
from htr.training.options import add_training_options, positive_int, training_settings


class UsageError(ValueError):
    """Arguments that name things that are not there."""


# Commands --------------------------------------------------------------------------------------------------------


def cmd_segment(args: argparse.Namespace) -> int:
    images = _check_images(args.images)
    out = _out_dir(args.out)
    from htr.segmentation import Segmenter

    segmenter = Segmenter.load(args.model, **_given(device=args.device))
    failed = 0
    for path in tqdm(images, desc="segment", unit="page", disable=len(images) < 2):
        try:
            image = load_image(path)
        except ImageError as exc:
            failed += _warn(str(exc))
            continue
        page = segmenter.segment(image)
        _save(page, path, out, args.format)
    return 1 if failed else 0


def cmd_read(args: argparse.Namespace) -> int:
    images = _check_images(args.images)
    out = _out_dir(args.out)
    if args.lines is not None and not Path(args.lines).is_dir():
        raise UsageError(f"--lines {args.lines}: no such folder")
    from htr.recognition import Recognizer

    recognizer = Recognizer.load(args.rec_model, **_given(device=args.device))
    segmenter = None
    failed = 0
    for path in tqdm(images, desc="read", unit="page", disable=len(images) < 2):
        try:
            image = load_image(path)
            if args.lines is not None:
                page = read_page(_page_file(Path(args.lines), path.stem))
            else:
                if segmenter is None:
                    from htr.segmentation import Segmenter

                    segmenter = Segmenter.load(args.seg_model, **_given(device=args.device))
                page = segmenter.segment(image)
        except (ImageError, FormatError) as exc:
            failed += _warn(str(exc))
            continue
        page = recognizer.read_page(image, page, **_given(beam=args.beam))
        _save(page, path, out, args.format)
    return 1 if failed else 0


def cmd_train(args: argparse.Namespace) -> int:
    import htr.training  # it checks the sources (htr.sources) and the budget itself

    if args.resume:
        if args.task != "recognition":
            raise SystemExit("htr: error: --resume is for recognition training")
        summary = htr.training.resume_recognition(
            args.resume, **_given(minutes=args.minutes, epochs=args.epochs, device=args.device, workers=args.workers)
        )
        args.out = args.resume
    else:
        if not args.train or not args.out:
            raise SystemExit("htr: error: --train and --out are required (or --resume DIR)")
        sources: dict[str, Any] = {
            "train": [str(s) for s in args.train],
            "val": [str(s) for s in args.val] if args.val else None,
            "out": str(args.out),
        }
        if args.task == "segmentation":
            config = SegmentationTrainingConfig(**sources, **training_settings(args, SegmentationTrainingConfig))
            summary = htr.training.train_segmentation(config)
        else:
            config = RecognitionTrainingConfig(**sources, **training_settings(args, RecognitionTrainingConfig))
            summary = htr.training.train_recognition(config)
    print(f"model written to {args.out}")
    if isinstance(summary, dict):
        figures = {k: v for k, v in summary.items() if isinstance(v, (int, float, str))}
        if figures:
            print(json.dumps(figures, ensure_ascii=False))
    return 0


def cmd_evaluate_text(args: argparse.Namespace) -> int:
    """Line i of a prediction against line i of the truth (for text read on ground-truth lines)."""
    truths, preds = _read_pairs(args.truth, args.pred)
    _report({"text": evaluate_page_texts(preds, truths)}, args.json)
    return 0


def cmd_evaluate_lines(args: argparse.Namespace) -> int:
    """Line detection (P/R/F1 at IoU 0.5) and end-to-end reading of predicted pages against the truth."""
    truths, preds = _read_pairs(args.truth, args.pred)
    result = evaluate_pages(preds, truths, iou=args.iou)
    result["detection"]["pages_without_prediction"] = sum(pred is None for pred in preds)
    _report(
        {
            "detection": result["detection"],
            "end_to_end": result["reading"],
            "end_to_end_joined": result["reading_joined"],
        },
        args.json,
    )
    return 0


def cmd_evaluate_model(args: argparse.Namespace) -> int:
    """Runs the engine on ground-truth pages: recognition on the true lines, then segmentation + recognition."""
    pages = list(iter_pages(args.data))
    from htr.evaluation import evaluate_engine
    from htr.recognition import Recognizer
    from htr.segmentation import Segmenter

    recognizer = Recognizer.load(args.rec_model, **_given(device=args.device))
    segmenter = Segmenter.load(args.seg_model, **_given(device=args.device))
    with tqdm(total=len(pages), desc="evaluate", unit="page", disable=not pages) as bar:
        report = evaluate_engine(
            recognizer, segmenter, pages, beam=args.beam or 0, on_page=lambda done: bar.update(done - bar.n)
        )
    report.pop("pages")
    _report(report, args.json)
    return 0


# Helpers ---------------------------------------------------------------------------------------------------------


def _given(**kwargs: Any) -> dict[str, Any]:
    """Only the options the user gave, so the library's own defaults apply to the rest."""
    return {k: v for k, v in kwargs.items() if v is not None}


def _check_images(names: Sequence[str]) -> list[Path]:
    paths = [Path(n) for n in names]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"no such image file: {', '.join(missing)}")
    for p in paths:  # a header check now, so a wrong file fails before minutes of model loading
        try:
            with Image.open(p):
                pass
        except (UnidentifiedImageError, OSError) as exc:
            raise ImageError(f"cannot read image {p}: not an image format Pillow can read") from exc
    stems: dict[str, Path] = {}
    for p in paths:
        if p.stem in stems:
            raise UsageError(f"{stems[p.stem]} and {p} would write the same output file {p.stem}.*")
        stems[p.stem] = p
    return paths


def _out_dir(name: str) -> Path:
    out = Path(name)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _save(page: Page, image_path: Path, out: Path, format: str) -> None:
    page.image = image_path.name
    write_page(page, out / f"{image_path.stem}{SUFFIXES[format]}", format)


def _page_file(folder: Path, stem: str) -> Path:
    for suffix in (".xml", ".json"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    raise FormatError(f"{folder}: no {stem}.xml or {stem}.json with the lines of {stem}")


def _pairs(truth_dir: str, pred_dir: str) -> list[tuple[Path, Path | None]]:
    """Ground-truth page files (recursively) and the prediction of the same relative path or stem, if any."""
    truth_root, pred_root = Path(truth_dir), Path(pred_dir)
    for folder, flag in ((truth_root, "--truth"), (pred_root, "--pred")):
        if not folder.is_dir():
            raise UsageError(f"{flag} {folder}: no such folder")
    truths = sorted(p for p in truth_root.rglob("*") if p.suffix in (".xml", ".json"))
    if not truths:
        raise UsageError(f"--truth {truth_root}: no .xml or .json page files inside")
    pairs: list[tuple[Path, Path | None]] = []
    for truth in truths:
        rel = truth.relative_to(truth_root).with_suffix("")
        candidates = [pred_root / rel.with_suffix(s) for s in (".xml", ".json")]
        candidates += [pred_root / f"{rel.name}{s}" for s in (".xml", ".json")]
        pairs.append((truth, next((c for c in candidates if c.is_file()), None)))
    return pairs


def _read_pairs(truth_dir: str, pred_dir: str) -> tuple[list[Page], list[Page | None]]:
    """The ground-truth pages and their predictions (None where there is none), in the same order."""
    truths: list[Page] = []
    preds: list[Page | None] = []
    for truth, pred in _pairs(truth_dir, pred_dir):
        truths.append(read_page(truth))
        preds.append(read_page(pred) if pred else None)
    return truths, preds


def _warn(message: str) -> int:
    tqdm.write(f"htr: error: {message}", file=sys.stderr)
    return 1


def _report(report: dict[str, dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for section, figures in report.items():
        print(section.replace("_", " "))
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            shown = f"{value:.2f}" if isinstance(value, float) else str(value)
            print(f"  {key.ljust(width)}  {shown:>10}")


# Parser ----------------------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m htr", description="Skoropis reading engine.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seg = commands.add_parser("segment", help="find the text lines of page images")
    seg.add_argument("images", nargs="+", metavar="IMAGE")
    seg.add_argument("--out", required=True, metavar="DIR", help="folder for one page file per image")
    seg.add_argument("--format", choices=FORMATS, default="alto")
    seg.add_argument(
        "--model",
        metavar="M",
        help="segmentation model folder (default: the shipped one)",
    )
    seg.add_argument("--device", metavar="D", help="cpu, cuda, cuda:1… (default: CUDA when present)")
    seg.set_defaults(run=cmd_segment)

    read = commands.add_parser("read", help="segment and transcribe page images")
    read.add_argument("images", nargs="+", metavar="IMAGE")
    read.add_argument("--out", required=True, metavar="DIR")
    read.add_argument(
        "--lines",
        metavar="DIR",
        help="take the lines from the page files here (by image name)",
    )
    read.add_argument("--seg-model", metavar="M")
    read.add_argument("--rec-model", metavar="M")
    read.add_argument("--format", choices=FORMATS, default="alto")
    read.add_argument(
        "--beam",
        type=positive_int,
        metavar="N",
        help="beam width, with the model's character language model if it has one (default: greedy)",
    )
    read.add_argument("--device", metavar="D")
    read.set_defaults(run=cmd_read)

    train = commands.add_parser("train", help="train or fine-tune a model")
    train.add_argument("task", choices=("segmentation", "recognition"))
    train.add_argument(
        "--train",
        nargs="+",
        metavar="SRC",
        help="page folder (images + ALTO/PAGE), Digital Peter folder or .tsv manifest",
    )
    train.add_argument(
        "--val",
        nargs="+",
        metavar="SRC",
        help="validation data (default: hold back 10%%)",
    )
    train.add_argument("--out", metavar="MODEL", help="folder to write the model to")
    train.add_argument(
        "--resume",
        metavar="DIR",
        help="recognition: go on with the stopped training whose --out was DIR (its checkpoint.pt), with the "
        "settings it was started with; --minutes/--epochs give a new total budget",
    )
    add_training_options(train)
    train.set_defaults(run=cmd_train)

    evaluate = commands.add_parser("evaluate", help="score predictions or a model against ground truth")
    kinds = evaluate.add_subparsers(dest="kind", required=True, metavar="KIND")
    text = kinds.add_parser("text", help="CER/WER/accuracy, line i against line i of the same page")
    lines = kinds.add_parser("lines", help="line detection P/R/F1 and end-to-end CER/WER")
    for sub in (text, lines):
        sub.add_argument("--pred", required=True, metavar="DIR")
        sub.add_argument("--truth", required=True, metavar="DIR")
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lines.add_argument(
        "--iou",
        type=float,
        default=0.5,
        help="IoU for a detected line to count (default 0.5)",
    )
    text.set_defaults(run=cmd_evaluate_text)
    lines.set_defaults(run=cmd_evaluate_lines)
    model = kinds.add_parser("model", help="run models on a folder of page images + ALTO/PAGE ground truth")
    model.add_argument("--rec-model", metavar="M")
    model.add_argument("--seg-model", metavar="M")
    model.add_argument("--data", required=True, metavar="DIR")
    model.add_argument("--beam", type=positive_int, metavar="N")
    model.add_argument("--device", metavar="D")
    model.add_argument("--json", action="store_true")
    model.set_defaults(run=cmd_evaluate_model)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (
        ValueError,
        OSError,
        FontsMissing,  # --synthetic without fonts: it says how to get them
    ) as exc:  # our errors are ValueErrors with a message meant for the user
        if os.environ.get("HTR_DEBUG"):
            raise
        print(f"htr: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("htr: interrupted", file=sys.stderr)
        return 130
