"""Training data as `htr train --train SRC` names it. A SRC is one of:

- a folder of page images with ALTO or PAGE XML beside them (same stem; searched recursively): page-level ground
  truth, for segmentation and (through its lines) recognition;
- a Digital Peter-style folder (`images/*.jpg` + `words/*.txt`): one line image per text, recognition only;
- a TSV manifest (`image<TAB>text`, paths relative to the manifest): line images, recognition only.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from htr.formats import read_page
from htr.formats.peter import is_peter, read_peter
from htr.formats.tsv import read_tsv
from htr.images import IMAGE_SUFFIXES
from htr.lines import Line, Page

T = TypeVar("T")

MANIFEST_SUFFIXES = (".tsv", ".txt")
_KINDS = (
    "a folder of page images + ALTO/PAGE XML (or one such XML), a Digital Peter folder"
    " (images/ + words/), or a .tsv manifest"
)


class SourceError(ValueError):
    """A training SRC that is missing, empty or of no known kind."""


@dataclass
class LineSample:
    """One line to learn from. `line` is None when the image is the line itself (Digital Peter, TSV); otherwise
    the image is the whole page and the line's polygon and baseline are in its pixel coordinates."""

    image: Path
    line: Line | None
    text: str


def source_kind(src: str | Path) -> str:
    """The kind of a SRC: "pages", "peter" or "tsv"; SourceError for anything else."""
    path = Path(src)
    if not path.exists():
        raise SourceError(f"{src}: no such file or folder")
    if path.is_file():
        if path.suffix.lower() in MANIFEST_SUFFIXES:
            return "tsv"
        if path.suffix.lower() == ".xml":
            return "pages"
        raise SourceError(f"{src}: a file that is neither a .tsv manifest nor a page XML; expected {_KINDS}")
    if is_peter(path):
        return "peter"
    if next(path.rglob("*.xml"), None) is not None:
        return "pages"
    raise SourceError(f"{src}: no ALTO/PAGE XML, images/ + words/ or manifest inside; expected {_KINDS}")


def iter_pages(src: str | Path) -> Iterator[tuple[Path, Page]]:
    """(page image path, ground-truth page) for every XML file under a page folder (or the one XML file
    given), in path order."""
    kind = source_kind(src)
    if kind != "pages":
        raise SourceError(
            f"{src}: holds line images only ({'Digital Peter folder' if kind == 'peter' else 'TSV manifest'}); "
            "segmentation training needs page images with ALTO/PAGE XML"
        )
    path = Path(src)
    for xml in [path] if path.is_file() else sorted(path.rglob("*.xml")):
        page = read_page(xml)
        yield _page_image(xml, page), page


def _page_image(xml: Path, page: Page) -> Path:
    for suffix in IMAGE_SUFFIXES:
        for candidate in (xml.with_suffix(suffix), xml.with_suffix(suffix.upper())):
            if candidate.is_file():
                return candidate
    if page.image and (xml.parent / Path(page.image).name).is_file():
        return xml.parent / Path(page.image).name
    raise SourceError(f"{xml}: no page image beside it (looked for {xml.stem}.jpg/.png/.tif… and {page.image!r})")


def load_line_samples(srcs: Iterable[str | Path]) -> list[LineSample]:
    """Every transcribed line of every SRC, in order. Page lines need a polygon or a baseline to be cut out."""
    samples: list[LineSample] = []
    srcs = list(srcs)
    if not srcs:
        raise SourceError(f"no training data given; expected {_KINDS}")
    for src in srcs:
        kind = source_kind(src)
        if kind == "pages":
            found = [
                LineSample(image=image, line=line, text=line.text)
                for image, page in iter_pages(src)
                for line in page.lines
                if line.text.strip() and (len(line.polygon) >= 3 or len(line.baseline) >= 2)
            ]
        else:
            pairs = read_peter(src) if kind == "peter" else read_tsv(src)
            found = [LineSample(image=image, line=None, text=text) for image, text in pairs if text.strip()]
        if not found:
            raise SourceError(f"{src}: no transcribed lines found")
        samples.extend(found)
    return samples


def split_holdout(
    samples: Sequence[T],
    share: float = 0.1,
    seed: int = 0,
    key: Callable[[T], Hashable] | None = None,
) -> tuple[list[T], list[T]]:
    """(train, held back): about `share` of the samples for validation when no --val is given.

    Samples sharing a key (by default the same image: the lines of one page) stay on one side, so validation
    does not score lines whose neighbours were trained on; with a single image the split is by line.
    """
    if not 0 < share < 1:
        raise ValueError(f"share must be between 0 and 1, got {share}")
    if len(samples) < 2:
        raise SourceError(f"{len(samples)} sample(s): too few to hold some back for validation; pass --val")
    key = key or (lambda s: getattr(s, "image", id(s)))
    groups: dict[Hashable, list[int]] = {}
    for i, sample in enumerate(samples):
        groups.setdefault(key(sample), []).append(i)
    units = list(groups.values()) if len(groups) > 1 else [[i] for i in range(len(samples))]
    random.Random(seed).shuffle(units)
    want = max(1, round(share * len(samples)))
    held: set[int] = set()
    for unit in units[:-1]:  # the last unit always stays for training
        if len(held) >= want:
            break
        held.update(unit)
    train = [s for i, s in enumerate(samples) if i not in held]
    val = [s for i, s in enumerate(samples) if i in held]
    return train, val
