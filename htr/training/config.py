"""What a recognition training is: one dataclass that the CLI, the training scripts and the portal's jobs build
(as kraken's `TrainingConfig`), checked once when it is made, and stored in the checkpoint so a stopped training
goes on with the same settings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from htr.transcription import FORMS

# Without a time budget or epoch count, train this many epochs.
DEFAULT_EPOCHS = 30


@dataclass(kw_only=True)
class RecognitionTrainingConfig:
    """The line sources `train` (page folders, ALTO/PAGE files, TSV manifests) and the folder `out` to write to.

    `val` None holds back `val_share` of the training lines. `base` fine-tunes an existing model, growing its
    charset with the training data's new characters. `height`, `width_downsample`, `width_scale` (a horizontal
    stretch of every line, kept in the config for reading), `channels` (the 4 CNN stages) and `lstm_hidden` shape
    a new model (None: RecognizerConfig's defaults), and `normalisation` how lines are brought to `height` ("core"
    band or polygon "box", see htr.recognition.lines); a base keeps its own. `transcription` is the form of text
    the model learns to write (htr.transcription; default: the base's own, "semi-diplomatic" for a new model).
    `workers` processes distort the lines in the background (worth it on a GPU; 0 distorts in the training loop).
    `synthetic` adds that many synthetic lines to the training lines: snippets of the training transcriptions drawn
    with handwriting fonts (htr.synthetic; `synthetic_families` picks the fonts, default all that write the
    script), as extra hands. The training stops after `minutes` or `epochs` (whichever comes first; neither:
    DEFAULT_EPOCHS). Every `checkpoint_minutes` and after each epoch the whole state goes to `out/checkpoint.pt`.
    """

    train: list[str]
    out: str
    val: list[str] | None = None
    base: str | None = None
    minutes: float | None = None
    epochs: int | None = None
    device: str | None = None
    batch_size: int = 16
    seed: int = 0
    lr: float = 2e-3
    height: int = 32
    width_downsample: int = 4
    width_scale: float = 1.0
    channels: tuple[int, ...] | None = None
    lstm_hidden: int | None = None
    normalisation: str = "core"
    transcription: str | None = None
    val_share: float = 0.1
    workers: int = 0
    synthetic: int = 0
    synthetic_families: list[str] | None = None
    checkpoint_minutes: float = 5.0

    def __post_init__(self) -> None:
        if not self.train:
            raise ValueError("train_recognition needs at least one training source")
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError(f"minutes must be positive, got {self.minutes}")
        if self.epochs is not None and self.epochs <= 0:
            raise ValueError(f"epochs must be positive, got {self.epochs}")
        if self.synthetic < 0:
            raise ValueError(f"synthetic must be a number of lines (0 or more), got {self.synthetic}")
        if self.transcription is not None and self.transcription not in FORMS:
            raise ValueError(f"unknown transcription form {self.transcription!r}; expected one of {', '.join(FORMS)}")
        if self.epochs is None and self.minutes is None:
            self.epochs = DEFAULT_EPOCHS

    @classmethod
    def from_dict(cls, settings: dict) -> RecognitionTrainingConfig:
        """The config a checkpoint was written with (`asdict` of it); a setting this version does not know is said."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(f"training settings this version does not know: {', '.join(unknown)}")
        return cls(**settings)
