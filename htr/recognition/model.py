"""The line recogniser: a small CNN over a height-normalised gray line image, a BiLSTM, and CTC.

Chosen for CPU training: a narrow CNN brings the image down to a sequence of width/4 frames and two
BiLSTM layers give each frame the whole line as context; it leaves the CTC blank plateau within a few
hundred steps, where a transformer of the same cost needs far more data. Shipped as `model.safetensors` +
`config.json` (the charset lives in the config), transformers-style.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

WEIGHTS_NAME = "model.safetensors"
CONFIG_NAME = "config.json"


@dataclass
class RecognizerConfig:
    """Everything needed to rebuild the network; class 0 is the CTC blank, class i is `charset[i - 1]`."""

    charset: list[str] = field(default_factory=list)
    height: int = 32
    channels: tuple[int, ...] = (16, 32, 64, 96)
    lstm_hidden: int = 128
    lstm_layers: int = 2
    dropout: float = 0.15
    # Frames per pixel of line width: 4 pixels a frame, or 2 for dense writing (at least ~2 frames a character).
    width_downsample: int = 4
    # Horizontal stretch of line images after height normalisation, at reading and fine-tuning time: chosen on
    # validation lines for a trained model (narrow writing gets more frames a character).
    width_scale: float = 1.0
    # How a line is brought to `height`: "box" (its polygon's box) or "core" (its writing's core band).
    normalisation: str = "box"
    # The character language model beside the weights (lm.txt), used by beam search: its order, its weight and
    # per-character bonus against the network's log-probabilities, and the cost of a word lm.txt lacks (all chosen
    # on validation lines).
    lm_order: int = 4
    lm_weight: float = 0.5
    lm_bonus: float = 1.0
    lm_unknown_word: float = 0.0
    # The form of the text the model writes (htr.transcription.FORMS); ground truth is brought to it before the
    # model learns from it or is scored against it.
    transcription: str = "plain"
    model_type: str = "cnn-bilstm-ctc"

    @property
    def num_classes(self) -> int:
        return len(self.charset) + 1

    @classmethod
    def from_dict(cls, data: dict) -> RecognizerConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "channels" in known:
            known["channels"] = tuple(known["channels"])
        return cls(**known)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class LineRecognizer(nn.Module):
    """Maps line images (B, 1, height, W), ink 1 and background 0, to CTC log-probs (W/width_downsample, B, C)."""

    def __init__(self, config: RecognizerConfig):
        super().__init__()
        if config.height % 16:
            raise ValueError(f"line height must be a multiple of 16, got {config.height}")
        if len(config.channels) != 4:
            raise ValueError("channels must list the widths of the 4 convolution stages")
        if config.width_downsample not in (2, 4):
            raise ValueError(f"width_downsample must be 2 or 4, got {config.width_downsample}")
        self.config = config
        c1, c2, c3, c4 = config.channels
        self.cnn = nn.Sequential(
            _block(1, c1),
            nn.MaxPool2d(2),
            _block(c1, c2),
            nn.MaxPool2d((2, 2) if config.width_downsample == 4 else (2, 1)),
            _block(c2, c3),
            _block(c3, c3),
            nn.MaxPool2d((2, 1)),
            _block(c3, c4),
            _block(c4, c4),
            nn.MaxPool2d((2, 1)),
        )
        features = c4 * (config.height // 16)
        self.dropout = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(
            features,
            config.lstm_hidden,
            num_layers=config.lstm_layers,
            bidirectional=True,
            dropout=config.dropout if config.lstm_layers > 1 else 0.0,
        )
        self.head = nn.Linear(2 * config.lstm_hidden, config.num_classes)

    @property
    def feature_size(self) -> int:
        return self.lstm.input_size

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """CNN features as a sequence of frames (W/width_downsample, B, feature_size)."""
        x = self.cnn(images)  # (B, C, H/16, W/width_downsample)
        b, c, h, w = x.shape
        return x.permute(3, 0, 1, 2).reshape(w, b, c * h)

    def decode_features(self, features: torch.Tensor, frames: torch.Tensor | None = None) -> torch.Tensor:
        """Per-frame log-probs; with `frames` (each line's frame count) the LSTM never sees the padding, so a
        line reads the same whatever it is batched with."""
        x = self.dropout(features)
        if frames is None:
            x, _ = self.lstm(x)
        else:
            lengths = frames.clamp(min=1, max=x.shape[0]).cpu()
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)
            x, _ = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], total_length=features.shape[0])
        return self.head(self.dropout(x)).log_softmax(-1)

    def forward(self, images: torch.Tensor, widths: torch.Tensor | None = None) -> torch.Tensor:
        """(frames, B, classes) log-probs; `widths` (pixels of each image before padding) keeps padding out."""
        features = self.features(images)
        return self.decode_features(features, None if widths is None else self.output_lengths(widths))

    def output_lengths(self, widths: torch.Tensor) -> torch.Tensor:
        frames = torch.div(widths, 2, rounding_mode="floor")
        if self.config.width_downsample == 4:
            frames = torch.div(frames, 2, rounding_mode="floor")
        return frames

    # -- transformers-style persistence -------------------------------------------------------------

    def save_pretrained(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to("cpu").contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(directory / WEIGHTS_NAME), metadata={"format": "pt"})
        config = asdict(self.config)
        config["channels"] = list(config["channels"])
        (directory / CONFIG_NAME).write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        return directory

    @classmethod
    def from_pretrained(cls, directory: str | Path, device: str | torch.device = "cpu") -> LineRecognizer:
        directory = Path(directory)
        config_path, weights_path = directory / CONFIG_NAME, directory / WEIGHTS_NAME
        if not config_path.is_file() or not weights_path.is_file():
            raise FileNotFoundError(
                f"{directory} is not a recognition model: it needs {CONFIG_NAME} and {WEIGHTS_NAME}"
            )
        config = RecognizerConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        model = cls(config)
        state = load_file(str(weights_path), device="cpu")
        model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
        return model.to(device).eval()

    def grow_charset(self, chars: list[str]) -> list[str]:
        """Adds the characters not yet known as new output rows; the old rows keep their trained weights.

        New rows start from the mean of the trained character rows, with a bias well below the blank's, so
        the grown model reads exactly as before until fine-tuning teaches it the new characters.
        """
        new = sorted({c for c in chars if c not in set(self.config.charset)})
        if not new:
            return []
        old = self.head
        head = nn.Linear(old.in_features, old.out_features + len(new)).to(old.weight.device)
        with torch.no_grad():
            head.weight[: old.out_features] = old.weight
            head.bias[: old.out_features] = old.bias
            rows = old.weight[1:] if old.out_features > 1 else old.weight
            head.weight[old.out_features :] = rows.mean(0, keepdim=True) + 0.01 * torch.randn(
                len(new), old.in_features, device=old.weight.device
            )
            head.bias[old.out_features :] = old.bias.min() - 1.0
        self.head = head
        self.config.charset = [*self.config.charset, *new]
        return new
