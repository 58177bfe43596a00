"""Line manifests: one `image<TAB>text` row per line image, image paths relative to the manifest's folder."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from htr.formats._xml import FormatError


def read_tsv(manifest: str | Path) -> list[tuple[Path, str]]:
    """(line image path, text) pairs in file order; blank rows and rows starting with # are skipped."""
    manifest = Path(manifest)
    if not manifest.is_file():
        raise FormatError(f"{manifest}: no such manifest file")
    rows: list[tuple[Path, str]] = []
    missing: list[str] = []
    for n, row in enumerate(manifest.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if not row.strip() or row.startswith("#"):
            continue
        if "\t" not in row:
            raise FormatError(f"{manifest}:{n}: expected 'image<TAB>text', found no tab")
        image, text = row.split("\t", 1)
        path = manifest.parent / image.strip()
        if not path.is_file():
            missing.append(image.strip())
        rows.append((path, " ".join(text.split())))
    if missing:
        raise FormatError(f"{manifest}: {len(missing)} image(s) not found, e.g. {', '.join(missing[:3])}")
    return rows


def write_tsv(manifest: str | Path, rows: Iterable[tuple[str | Path, str]]) -> Path:
    """Write a manifest; image paths (absolute, or relative to the working folder) are stored relative to it."""
    manifest = Path(manifest)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for image, text in rows:
        name = os.path.relpath(Path(image).resolve(), manifest.parent.resolve())
        out.append(f"{name}\t{' '.join(text.split())}\n")
    manifest.write_text("".join(out), encoding="utf-8")
    return manifest
