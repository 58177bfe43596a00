"""Training the engine's models: `train_recognition` (line recogniser, as a RecognitionTrainingConfig says) and
`train_segmentation` (line segmenter, as a SegmentationTrainingConfig says).

The configs come from htr.training.config, which imports no torch; the trainers are resolved lazily, so that
building a config (the portal's web process does) does not load the engine.
"""

from importlib import import_module
from typing import TYPE_CHECKING

from htr.training.config import RecognitionTrainingConfig, SegmentationTrainingConfig, TrainingConfig

if TYPE_CHECKING:
    from htr.training.recognition import resume_recognition, retune_language_model, train_recognition
    from htr.training.segmentation import train_segmentation

_LAZY = {
    "resume_recognition": "htr.training.recognition",
    "retune_language_model": "htr.training.recognition",
    "train_recognition": "htr.training.recognition",
    "train_segmentation": "htr.training.segmentation",
}

__all__ = [
    "RecognitionTrainingConfig",
    "SegmentationTrainingConfig",
    "TrainingConfig",
    "resume_recognition",
    "retune_language_model",
    "train_recognition",
    "train_segmentation",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'htr.training' has no attribute {name!r}")
