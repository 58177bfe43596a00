"""The resumable state of a recognition training: `checkpoint.pt` in its output folder.

A long CPU training outlives a session, so it writes everything needed to go on where it stopped: the settings it
was started with, the weights, the optimizer, the position in the current epoch (step, batches done, the random
state that shuffled the epoch), the history and the best checkpoint so far, and the training time spent. It is
written every few minutes and after each epoch, to a temporary file first, so a killed run leaves the last complete
one. `htr train recognition --resume DIR` reads it back; the finished model (model.safetensors, config.json) does
not need it and it is removed when the training ends.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

CHECKPOINT_NAME = "checkpoint.pt"


class CheckpointError(ValueError):
    """No checkpoint where a resume looked for one, or one that does not fit."""


def save_checkpoint(directory: str | Path, state: dict) -> Path:
    path = Path(directory) / CHECKPOINT_NAME
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    os.replace(partial, path)
    return path


def load_checkpoint(directory: str | Path) -> dict:
    path = Path(directory) / CHECKPOINT_NAME
    if not path.is_file():
        raise CheckpointError(f"{directory}: no {CHECKPOINT_NAME} to resume from (is it a training's --out folder?)")
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as error:  # a truncated or foreign file: say which, not a pickle traceback
        raise CheckpointError(f"{path}: not a readable training checkpoint ({error})") from error


def checkpoint_settings(directory: str | Path) -> dict:
    """The settings (sources, budget, network shape…) the training in `directory` was started with."""
    return dict(load_checkpoint(directory)["settings"])


def remove_checkpoint(directory: str | Path) -> None:
    (Path(directory) / CHECKPOINT_NAME).unlink(missing_ok=True)
