"""Training the engine's models: `train_recognition` (line recogniser) and `train_segmentation`."""

from htr.training.recognition import resume_recognition, train_recognition
from htr.training.segmentation import train_segmentation

__all__ = ["resume_recognition", "train_recognition", "train_segmentation"]
