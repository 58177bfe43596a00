"""Shared test helpers. The real data lives beside the project in ../shared (or $SKOROPIS_SHARED)."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """The shared folder (datasets, reference evaluator); skips the test where it is absent."""
    path = Path(os.environ.get("SKOROPIS_SHARED") or REPO.parent / "shared")
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set SKOROPIS_SHARED)")
    return path


@pytest.fixture
def shared() -> Path:
    return shared_dir()
