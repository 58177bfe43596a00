"""Training the engine's models: `train_recognition` (line recogniser) and `train_segmentation`."""

from htr.training.recognition import train_recognition
from htr.training.segmentation import train_segmentation

__all__ = ["train_recognition", "train_segmentation"]
