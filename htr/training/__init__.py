"""Training the engine's models: `train_recognition` (line recogniser, as a RecognitionTrainingConfig says) and
`train_segmentation`."""

from htr.training.config import RecognitionTrainingConfig
from htr.training.recognition import resume_recognition, train_recognition
from htr.training.segmentation import train_segmentation

__all__ = ["RecognitionTrainingConfig", "resume_recognition", "train_recognition", "train_segmentation"]
