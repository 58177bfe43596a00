"""What a training is: one dataclass per model kind that the CLI, the training scripts and the portal's jobs build
(as kraken's `TrainingConfig`), checked once when it is made. A recognition training stores its config in the
checkpoint so a stopped training goes on with the same settings.

Imports no torch: the portal's web process builds configs without loading the engine.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Self

from htr.transcription import FORMS

# Without a time budget or epoch count, a recognition training runs this many epochs.
DEFAULT_EPOCHS = 30
# The side of the square page crops a segmentation training learns from.
CROP = 512


@dataclass(kw_only=True)
class TrainingConfig:
    """What every training has: the sources `train` (page folders, ALTO/PAGE files; for recognition TSV manifests
    too), the folder `out` to write the model to, the validation sources `val` (None: some training data is held
    back), a model `base` to fine-tune, a budget in `minutes` or `epochs` (whichever ends first), the `device`
    (None: CUDA when present), the batch size, seed and peak learning rate."""

    train: list[str]
    out: str
    val: list[str] | None = None
    base: str | None = None
    minutes: float | None = None
    epochs: int | None = None
    device: str | None = None
    batch_size: int
    seed: int = 0
    lr: float = 2e-3

    def __post_init__(self) -> None:
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError(f"minutes must be positive, got {self.minutes}")
        if self.epochs is not None and self.epochs <= 0:
            raise ValueError(f"epochs must be positive, got {self.epochs}")

    @classmethod
    def from_dict(cls, settings: dict) -> Self:
        """The config a checkpoint was written with (`asdict` of it); a setting this version does not know is said."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(f"training settings this version does not know: {', '.join(unknown)}")
        return cls(**settings)


@dataclass(kw_only=True)
class RecognitionTrainingConfig(TrainingConfig):
    """A line recogniser's training (htr.training.train_recognition).

    `val` None holds back `val_share` of the training lines. `base` fine-tunes an existing model, growing its
    charset with the training data's new characters. `height`, `width_downsample`, `width_scale` (a horizontal
    stretch of every line, kept in the config for reading), `channels` (the 4 CNN stages) and `lstm_hidden` shape
    a new model (None: RecognizerConfig's defaults), and `normalisation` how lines are brought to `height` ("core"
    band or polygon "box", see htr.recognition.lines); a base keeps its own. `transcription` is the form of text
    the model learns to write (htr.transcription; default: the base's own, "semi-diplomatic" for a new model).
    `workers` processes distort the lines in the background (worth it on a GPU; 0 distorts in the training loop).
    `synthetic` adds that many synthetic lines to the training lines: snippets of the training transcriptions drawn
    with handwriting fonts (htr.synthetic; `synthetic_families` picks the fonts, default all that write the
    script), as extra hands. Neither `minutes` nor `epochs`: DEFAULT_EPOCHS. Every `checkpoint_minutes` and after
    each epoch the whole state goes to `out/checkpoint.pt`.
    """

    batch_size: int = 16
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
        super().__post_init__()
        if self.synthetic < 0:
            raise ValueError(f"synthetic must be a number of lines (0 or more), got {self.synthetic}")
        if self.transcription is not None and self.transcription not in FORMS:
            raise ValueError(f"unknown transcription form {self.transcription!r}; expected one of {', '.join(FORMS)}")
        if self.epochs is None and self.minutes is None:
            self.epochs = DEFAULT_EPOCHS


@dataclass(kw_only=True)
class SegmentationTrainingConfig(TrainingConfig):
    """A line segmenter's training (htr.training.train_segmentation): random `crop`-pixel crops of augmented pages
    (a multiple of 32), with stamps, pen flourishes, ruling and show-through drawn onto them as negatives when
    `distractors` (htr.training.distractors). A budget (`minutes` or `epochs`) is required. Without `val`, 10% of
    the training pages are held back (when there are 5 pages or more; with fewer, the last checkpoint is kept). The
    validation pages are scored every `eval_every` steps (None: every 2 epochs)."""

    batch_size: int = 4
    crop: int = CROP
    distractors: bool = True
    eval_every: int | None = None

    def __post_init__(self) -> None:
        if self.minutes is None and self.epochs is None:
            raise ValueError("give a budget: minutes=… or epochs=…")
        if self.crop % 32:
            raise ValueError(f"crop must be a multiple of 32, got {self.crop}")
        if not self.train:
            raise ValueError("no training data given")
        super().__post_init__()
