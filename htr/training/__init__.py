"""Training the engine's models: `train_recognition` (line recogniser) and `train_segmentation`."""

from htr.training.recognition import train_recognition

__all__ = ["train_recognition", "train_segmentation"]

try:
    from htr.training.segmentation import train_segmentation
except ImportError as _missing:  # segmentation training not installed in this tree: recognition still works
    _reason = str(_missing)

    def train_segmentation(*args, **kwargs):  # type: ignore[no-redef]
        raise ImportError(f"segmentation training is unavailable: {_reason}")
