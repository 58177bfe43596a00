"""Digital Peter-style line datasets: `images/<stem>.jpg` is one line image, `words/<stem>.txt` its text.

The layout of the Digital Peter competition (Peter the Great's letters); many line-level HTR sets ship like it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from htr.formats._xml import FormatError
from htr.images import IMAGE_SUFFIXES


def is_peter(folder: str | Path) -> bool:
    folder = Path(folder)
    return (folder / "images").is_dir() and (folder / "words").is_dir()


def read_peter(folder: str | Path) -> list[tuple[Path, str]]:
    """(line image path, text) pairs, sorted by file name. Every image must have its text file."""
    folder = Path(folder)
    if not is_peter(folder):
        raise FormatError(f"{folder}: not a Digital Peter-style folder (needs images/ and words/ inside)")
    images = sorted(p for p in (folder / "images").iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    missing = [p.name for p in images if not (folder / "words" / f"{p.stem}.txt").is_file()]
    if missing:
        raise FormatError(
            f"{folder}: {len(missing)} line image(s) without words/<name>.txt, e.g. {', '.join(missing[:3])}"
        )
    return [(p, _read_text(folder / "words" / f"{p.stem}.txt")) for p in images]


def _read_text(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8-sig").split())


def write_peter_line(folder: str | Path, stem: str, image: np.ndarray, text: str) -> Path:
    """Add one line (an RGB or greyscale array and its text) to a Digital Peter-style folder; returns the image."""
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "words").mkdir(parents=True, exist_ok=True)
    path = folder / "images" / f"{stem}.jpg"
    Image.fromarray(image).save(path, quality=95)
    (folder / "words" / f"{stem}.txt").write_text(text + "\n", encoding="utf-8")
    return path
