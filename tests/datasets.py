"""The shared datasets (../shared or SKOROPIS_SHARED) that tests read real pages from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.processes import REPO


def missing(what: str) -> None:
    """A test's data or model is not there: it fails (CI must not pass without it), unless this machine says
    with SKOROPIS_SKIP_MISSING=1 that it lacks ../shared on purpose, where it skips."""
    if os.environ.get("SKOROPIS_SKIP_MISSING") == "1":
        pytest.skip(what)
    pytest.fail(f"{what}; set SKOROPIS_SHARED, or SKOROPIS_SKIP_MISSING=1 to skip such tests on this machine")


def shared_dir() -> Path:
    """The shared folder (datasets, reference evaluator); the test fails where it is absent (see `missing`)."""
    path = Path(os.environ.get("SKOROPIS_SHARED") or REPO.parent / "shared")
    if not path.is_dir():
        missing(f"shared data not found at {path}")
    return path


def cremma_page(folder: str = "journal-mme-de-genlis", stem: str = "f15") -> tuple[Path, Path]:
    """(image, ALTO) of a real page of the shared CREMMA-MSS-18 set."""
    base = shared_dir() / "datasets" / "cremma-mss-18" / folder
    image, alto = base / f"{stem}.jpg", base / f"{stem}.xml"
    if not image.is_file():
        missing(f"{image} not found")
    return image, alto


def one_page_folder(tmp_path: Path) -> Path:
    """`tmp_path/page`: a training source of one real page (the default `cremma_page`, image and ALTO linked)."""
    image, alto = cremma_page()
    folder = tmp_path / "page"
    folder.mkdir()
    for path in (image, alto):
        os.symlink(path, folder / path.name)
    return folder
