"""Lines written down or up the page (margin notes): found by the segmenter, read the right way round by the
reader, ordered after the main text."""

import dataclasses

import numpy as np
import pytest

from htr import Recognizer, Segmenter, load_image
from htr.formats import read_page
from htr.lines import Line, Page
from htr.metrics import cer, line_shape
from htr.recognition.lines import line_image, quarter_turns
from htr.segmentation.postprocess import FoundLine, order_lines, runs_down
from tests.datasets import cremma_page, missing, shared_dir


def veuillot_page() -> tuple[np.ndarray, Page]:
    """A letter of Veuillot (CREMMA-MSS-19, val split) with five notes written down its left margin."""
    alto = shared_dir() / "datasets" / "cremma-mss-19" / "lettres-veuillot" / "f204.xml"
    if not alto.is_file():
        missing(f"{alto} not found")
    return load_image(alto.with_suffix(".jpg")), read_page(alto)


def turned_page(image: np.ndarray, page: Page, down: bool) -> tuple[np.ndarray, Page]:
    """The page turned a quarter (clockwise: its lines run down; anticlockwise: up), lines and all."""
    h, w = image.shape[:2]
    if down:  # np.rot90(k=-1): (x, y) -> (h - 1 - y, x)
        turn = lambda pts: [(h - 1 - y, x) for x, y in pts]  # noqa: E731
        turned = np.rot90(image, -1)
    else:  # np.rot90(k=1): (x, y) -> (y, w - 1 - x)
        turn = lambda pts: [(y, w - 1 - x) for x, y in pts]  # noqa: E731
        turned = np.rot90(image, 1)
    lines = [dataclasses.replace(line, polygon=turn(line.polygon), baseline=turn(line.baseline)) for line in page.lines]
    return np.ascontiguousarray(turned), dataclasses.replace(page, width=h, height=w, lines=lines)


@pytest.fixture(scope="module")
def genlis():
    image_path, alto = cremma_page()
    return load_image(image_path), read_page(alto)


def test_a_line_written_down_or_up_the_page_is_cut_out_upright(genlis):
    image, page = genlis
    line = page.lines[3]
    upright = line_image(image, line, 64, normalisation="core")
    for down in (True, False):
        turned_image, turned = turned_page(image, page, down)
        assert quarter_turns(turned.lines[3]) == (1 if down else -1)
        again = line_image(turned_image, turned.lines[3], 64, normalisation="core")
        assert again.shape == upright.shape
        assert np.abs(again.astype(int) - upright.astype(int)).mean() < 2


def test_the_reader_reads_a_note_written_up_the_page_and_turns_its_baseline_round(genlis):
    image, page = genlis
    recognizer = Recognizer.load()
    lines = page.lines[2:6]
    across = recognizer.read_page(image, dataclasses.replace(page, lines=lines))
    turned_image, turned = turned_page(image, dataclasses.replace(page, lines=lines), down=False)
    # As the segmenter gives such a line: its baseline running down the page, the wrong way for this one.
    guessed = [dataclasses.replace(line, baseline=sorted(line.baseline, key=lambda p: p[1])) for line in turned.lines]
    assert all(runs_down(line) for line in guessed)
    read = recognizer.read_page(turned_image, dataclasses.replace(turned, lines=guessed))
    for before, after in zip(across.lines, read.lines):
        assert runs_down(after) is False  # turned round: it runs up the page
        # Read as it is read across, not upside down (the turned cut differs from the straight one by resampling only).
        assert cer(after.text, before.text) < 15, (after.text, before.text)
    truths = [recognizer.model_text(line.text) for line in lines]
    assert cer([line.text for line in read.lines], truths) < 35


def test_the_segmenter_finds_notes_written_down_the_margin_and_orders_them_last():
    image, truth = veuillot_page()
    page = Segmenter.load(device="cpu").segment(image)
    notes = [line for line in page.lines if runs_down(line) is not None]
    truth_notes = [line for line in truth.lines if runs_down(line)]
    assert len(truth_notes) == 5
    matched = 0
    for note in truth_notes:
        shape = line_shape(note, 0)
        best = max(
            (shape.intersection(line_shape(n, 0)).area / shape.union(line_shape(n, 0)).area for n in notes), default=0
        )
        matched += best >= 0.4
    assert matched >= 3, [n.bbox for n in notes]
    assert all(runs_down(n) for n in notes)
    # The main text first, every note after it and in a region of its own, none first.
    kinds = [runs_down(line) is not None for line in page.lines]
    assert kinds == sorted(kinds)
    note_regions = {n.region for n in notes}
    assert note_regions.isdisjoint({line.region for line in page.lines if runs_down(line) is None})
    # And the letter's own lines are not cut up by the notes beside them.
    across = [line for line in page.lines if runs_down(line) is None]
    assert len(across) >= len([line for line in truth.lines if runs_down(line) is None]) - 3


def test_a_page_without_notes_gets_none(genlis):
    image, _ = genlis
    page = Segmenter.load(device="cpu").segment(image)
    assert page.lines and all(runs_down(line) is None for line in page.lines)


def test_notes_written_down_the_page_are_read_right_to_left_after_the_text():
    across = [
        FoundLine(baseline=[(300, 100), (900, 100)], polygon=[(300, 70), (900, 70), (900, 110), (300, 110)]),
        FoundLine(baseline=[(300, 160), (900, 160)], polygon=[(300, 130), (900, 130), (900, 170), (300, 170)]),
    ]
    # Two lines of one note down the left margin: written down the page, the first is the one nearer the text.
    left = FoundLine(baseline=[(100, 100), (100, 600)], polygon=[(70, 100), (110, 100), (110, 600), (70, 600)])
    right = FoundLine(baseline=[(160, 100), (160, 600)], polygon=[(130, 100), (170, 100), (170, 600), (130, 600)])
    lines, regions = order_lines([left, across[1], right, across[0]])
    assert [line.baseline[0] for line in lines] == [(300, 100), (300, 160), (160, 100), (100, 100)]
    assert lines[2].region == lines[3].region != lines[0].region
    assert len(regions) == 2


def test_a_line_without_a_baseline_is_read_across():
    assert quarter_turns(Line(id="a", polygon=[(0, 0), (10, 0), (10, 100)])) == 0
