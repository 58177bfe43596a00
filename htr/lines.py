"""The one vocabulary of the engine: segmentation, recognition, training and the formats all speak it.

Coordinates are integer pixels of the full page image, (x, y), origin top-left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Point = tuple[int, int]


@dataclass
class Line:
    """One text line: where it is (polygon, baseline), in which order, and what it says."""

    id: str
    polygon: list[Point]
    baseline: list[Point] = field(default_factory=list)
    text: str = ""
    # One confidence in [0, 1] per character of `text`; empty for ground truth.
    confidences: list[float] = field(default_factory=list)
    region: str | None = None

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the polygon."""
        xs = [p[0] for p in self.polygon] or [0]
        ys = [p[1] for p in self.polygon] or [0]
        return min(xs), min(ys), max(xs), max(ys)


@dataclass
class Region:
    id: str
    polygon: list[Point]
    kind: str = "text"


@dataclass
class Page:
    """A page image and its lines in reading order."""

    image: str  # file name or path of the image, as the source names it
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return Path(self.image).stem

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
