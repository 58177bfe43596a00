"""The command-line options of a training, in one place: `python -m htr train` and scripts/train_*.py add them
with `add_training_options` (a script sets its own defaults with `parser.set_defaults`) and build their config
from `training_settings`. argparse only: no torch."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from htr.training.config import TrainingConfig
from htr.transcription import FORMS

# The config fields the options set, by the option's dest.
COMMON = ("base", "minutes", "epochs", "device", "batch_size", "lr", "seed")
RECOGNITION = ("transcription", "workers", "synthetic", "synthetic_families")
SEGMENTATION = ("eval_every",)


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {value}")
    return number


def count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, 0 or more, got {value}")
    return number


def positive_float(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return number


def add_training_options(
    parser: argparse.ArgumentParser, *, recognition: bool = True, segmentation: bool = True, **defaults: Any
) -> None:
    """The options every training takes, and those of recognition and/or segmentation training (marked so in their
    help when the parser serves both). `defaults` are a script's own, by dest (`batch_size=8`); an option without
    one defaults to None, which leaves the config's default."""
    unknown = set(defaults) - set(COMMON + RECOGNITION * recognition + SEGMENTATION * segmentation)
    if unknown:
        raise TypeError(f"no training option for {', '.join(sorted(unknown))}")

    def add(flag: str, help: str, default: str | None = None, **kwargs: Any) -> None:
        dest = kwargs.setdefault("dest", flag.removeprefix("--").replace("-", "_"))
        if dest in defaults:
            kwargs["default"] = defaults[dest]
            default = f"default: {defaults[dest]}"
        parser.add_argument(flag, help=f"{help} ({default})" if default else help, **kwargs)

    add("--base", "fine-tune this model instead of starting afresh", metavar="MODEL")
    add("--minutes", "training budget (with --epochs: whichever ends first)", type=positive_float, metavar="N")
    add("--epochs", "training budget in passes over the training data", type=positive_int, metavar="N")
    add("--device", "cpu, cuda, cuda:1…", "default: CUDA when present", metavar="D")
    add("--batch-size", "lines or page crops a step", type=positive_int, metavar="N")
    add("--lr", "peak learning rate", type=positive_float, metavar="RATE")
    add("--seed", "random seed (data order, held-out share, distortions)", type=int, metavar="N")
    which = "recognition: " if segmentation else ""
    if recognition:
        add(
            "--transcription",
            f"{which}the form of text the model writes, see htr/transcription.py",
            "default: the base's, else semi-diplomatic",
            choices=FORMS,
        )
        add(
            "--workers",
            f"{which}N processes distort line images in the background (for a GPU)",
            "default: none",
            type=count,
            metavar="N",
        )
        add(
            "--synthetic",
            f"{which}add N synthetic lines (the training texts in handwriting fonts, scripts/fetch_fonts.sh)",
            type=count,
            metavar="N",
        )
        add(
            "--synthetic-family",
            f"{which}draw synthetic lines only in this font family (repeatable)",
            "default: every one found",
            dest="synthetic_families",
            action="append",
            metavar="FONT",
        )
    which = "segmentation: " if recognition else ""
    if segmentation:
        add(
            "--eval-every",
            f"{which}steps between validations",
            "default: every 2 epochs",
            type=positive_int,
            metavar="N",
        )


def training_settings(args: argparse.Namespace, config: type[TrainingConfig]) -> dict[str, Any]:
    """The settings of a `config` that the options gave; an option not given leaves the config's default."""
    fields = {field.name for field in dataclasses.fields(config)}
    return {
        name: getattr(args, name)
        for name in (*COMMON, *RECOGNITION, *SEGMENTATION)
        if name in fields and getattr(args, name, None) is not None
    }
