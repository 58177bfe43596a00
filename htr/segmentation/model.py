"""A small fully convolutional network that turns a page image into line maps.

Three output maps at half the input resolution, each a per-pixel logit:
  0 baseline  - a thin band along each baseline,
  1 core      - the x-height band just above each baseline (one blob per line: separates touching lines),
  2 region    - the whole line polygon (ascenders and descenders included: gives the polygon's outline).
Small on purpose (~0.3 M parameters): a page downscaled to 1280 px on its long side runs in well under
a second on one CPU core.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn import functional as F

MAPS = ("baseline", "core", "region")


@dataclass
class SegmentationConfig:
    """Everything needed to rebuild the network and to feed it the right input."""

    widths: list[int] = field(default_factory=lambda: [16, 32, 48, 64, 96])
    maps: list[str] = field(default_factory=lambda: list(MAPS))
    long_side: int = 1280  # pages are resized so that their long side is this many pixels
    output_stride: int = 2  # maps are 1/output_stride of the network input
    baseline_width: float = 0.12  # target baseline thickness, as a share of the median line height
    core_height: float = 0.45  # core band height, as a share of the line's extent above its baseline
    # Post-processing thresholds tuned for this model on validation pages (htr.segmentation.postprocess.Thresholds).
    thresholds: dict[str, float] = field(default_factory=dict)
    architecture: str = "skoropis-linemaps-unet"
    version: int = 1

    @classmethod
    def from_dict(cls, data: dict) -> SegmentationConfig:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class LineMapNet(nn.Module):
    """U-Net-ish encoder (stride 2 … 32) and a light decoder back to stride 2."""

    def __init__(self, config: SegmentationConfig | None = None):
        super().__init__()
        self.config = config or SegmentationConfig()
        w = self.config.widths
        self.down = nn.ModuleList()
        cin = 1
        for i, cout in enumerate(w):
            block = [_conv(cin, cout, stride=2), _conv(cout, cout)]
            if i == len(w) - 1:  # widen the view at the bottom: a line is judged among its neighbours
                block += [_conv(cout, cout, dilation=2), _conv(cout, cout, dilation=4)]
            self.down.append(nn.Sequential(*block))
            cin = cout
        self.up = nn.ModuleList()
        for i in range(len(w) - 1, 0, -1):
            self.up.append(_conv(w[i] + w[i - 1], w[i - 1]))
        self.head = nn.Conv2d(w[0], len(self.config.maps), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x: (N, 1, H, W) in [0, 1], H and W multiples of 32 -> logits (N, maps, H/2, W/2)."""
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
        x = skips.pop()
        for block in self.up:
            skip = skips.pop()
            x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
            x = block(torch.cat([x, skip], dim=1))
        return self.head(x)

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def save_pretrained(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().float().cpu().contiguous() for k, v in self.state_dict().items()}
        save_file(state, str(directory / "model.safetensors"), metadata={"format": "pt"})
        (directory / "config.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> LineMapNet:
        directory = Path(directory)
        weights, config = directory / "model.safetensors", directory / "config.json"
        for needed in (weights, config):
            if not needed.is_file():
                raise FileNotFoundError(f"not a segmentation model directory: {needed} is missing")
        model = cls(SegmentationConfig.from_dict(json.loads(config.read_text())))
        model.load_state_dict(load_file(str(weights)))
        return model.eval()
