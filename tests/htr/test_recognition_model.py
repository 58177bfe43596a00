import json

import numpy as np
import pytest
import torch

from htr.lines import Line
from htr.recognition.lines import batch_tensor, line_image, width_buckets
from htr.recognition.model import LineRecognizer, RecognizerConfig


def _tiny(**kwargs) -> LineRecognizer:
    torch.manual_seed(0)
    return LineRecognizer(RecognizerConfig(charset=list("ab é"), channels=(4, 4, 8, 8), lstm_hidden=8, **kwargs))


@pytest.mark.parametrize("downsample", [2, 4])
def test_the_network_gives_one_frame_per_downsample_pixels(downsample):
    model = _tiny(width_downsample=downsample).eval()
    out = model(torch.zeros(2, 1, 32, 120))
    assert out.shape == (120 // downsample, 2, 5)
    assert model.output_lengths(torch.tensor([120, 61])).tolist() == [120 // downsample, 61 // downsample]


def test_save_and_reload_give_the_same_model_and_charset(tmp_path):
    model = _tiny(width_downsample=2).eval()
    model.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert config["charset"] == ["a", "b", " ", "é"] and config["width_downsample"] == 2
    again = LineRecognizer.from_pretrained(tmp_path)
    images = torch.rand(1, 1, 32, 48)
    with torch.no_grad():
        assert torch.allclose(model(images), again(images))


def test_it_rejects_a_height_the_network_cannot_pool():
    with pytest.raises(ValueError, match="multiple of 16"):
        LineRecognizer(RecognizerConfig(charset=["a"], height=40))


def test_a_line_is_cut_by_its_polygon_and_scaled_to_the_model_height():
    page = np.full((100, 200), 230, dtype=np.uint8)
    page[40:60, 20:180] = 20  # the line's ink
    page[80:95, 20:180] = 20  # the next line, outside the polygon
    line = Line(id="l1", polygon=[(10, 30), (190, 30), (190, 70), (10, 70)])
    ink = line_image(page, line, 32)
    assert ink.shape[0] == 32 and ink.max() == 255
    assert ink[:, : 32 // 4].max() == 0  # background margin on the left
    stretched = line_image(page, line, 32, width_scale=1.5)
    assert stretched.shape[1] - 16 == round((ink.shape[1] - 16) * 1.5)
    only_baseline = Line(id="l2", polygon=[], baseline=[(20, 60), (180, 60)])
    assert line_image(page, only_baseline, 32).max() == 255
    with pytest.raises(ValueError, match="neither a polygon nor a baseline"):
        line_image(page, Line(id="l3", polygon=[]), 32)


def test_lines_are_batched_by_width_and_padded_with_background():
    widths = [300, 40, 310, 50, 45]
    assert width_buckets(widths, batch_size=3) == [[1, 4, 3], [0, 2]]
    batch, lengths = batch_tensor([np.full((32, 10), 255, np.uint8), np.full((32, 6), 255, np.uint8)])
    assert batch.shape == (2, 1, 32, 12) and lengths.tolist() == [10, 6]
    assert batch[1, 0, :, 6:].max() == 0 and batch[0, 0, :, :10].min() == 1.0


def _handwriting(
    height: int, width: int, x_height: int, top: int, slope: float = 0.0, pitch: int = 6, stroke: int = 3
) -> np.ndarray:
    """Ink (255) strokes `stroke` wide every `pitch` columns, of a core band `x_height` high starting at row `top`,
    climbing by `slope` per column, with an ascender every 40 columns: a stand-in for a line of cursive."""
    ink = np.zeros((height, width), np.uint8)
    for x in range(0, width, pitch):
        y = int(top + slope * x)
        ink[max(0, y) : y + x_height, x : x + stroke] = 255
        if x % 40 == 0:
            ink[max(0, y - x_height) : y, x : x + 2] = 255
    return ink


def test_core_normalisation_gives_small_and_large_hands_the_same_letter_height():
    from htr.recognition.lines import CORE_SHARE, core_band, normalise_core

    # The same writing: a small hand in a loose box, and a large hand in a tight one.
    small = normalise_core(_handwriting(80, 600, 12, 40), 32)
    large = normalise_core(_handwriting(60, 1200, 24, 24), 32)
    for out in (small, large):
        assert out.shape[0] == 32
        assert abs(core_band(out)[1] - CORE_SHARE * 32) <= 2
        assert abs(core_band(out)[0].mean() - 16) <= 2
    assert abs(small.shape[1] - large.shape[1]) <= 0.1 * large.shape[1]  # box scaling: twice as wide
    # The box normalisation would have made the small hand's letters less than half as high.
    assert abs(core_band(normalise_height_of(_handwriting(80, 600, 12, 40)))[1] - 32 * 12 / 80) <= 2


def normalise_height_of(ink):
    from htr.recognition.lines import normalise_height

    return normalise_height(ink, 32)


def test_core_normalisation_levels_a_climbing_line():
    from htr.recognition.lines import core_band, normalise_core

    climbing = _handwriting(200, 1000, 16, 150, slope=-0.12)  # 120 rows higher at the end than at the start
    out = normalise_core(climbing, 32)
    centre, _ = core_band(out)
    assert np.ptp(centre) <= 2  # level after normalisation
    left, right = out[:, 8 : 8 + out.shape[1] // 4], out[:, -out.shape[1] // 4 - 8 : -8]
    assert left.any() and right.any()  # both ends kept, not cut off at the top or bottom


def _rule(ink: np.ndarray, row: int, start: int, end: int, slope: float = 0.0, thickness: int = 2) -> np.ndarray:
    """`ink` with a straight stroke from column `start` to `end`, `thickness` rows from `row`, falling by `slope`
    per column: a ruled line, an underline, a strike-through."""
    ruled = ink.copy()
    for x in range(start, end):
        y = round(row + slope * (x - start))
        ruled[y : y + thickness, x] = 255
    return ruled


@pytest.mark.parametrize(
    "rule",
    [
        {"row": 37, "start": 0, "end": 800},  # a ruled line under the writing, across the whole box
        {"row": 35, "start": 0, "end": 800, "slope": 0.01, "thickness": 3},  # a printed rule, not quite level
        {"row": 38, "start": 100, "end": 400},  # an underline under a few words
        {"row": 28, "start": 0, "end": 800},  # a stroke through the letters
    ],
)
def test_a_rule_under_or_through_the_writing_leaves_its_core_band_as_it_was(rule):
    from htr.recognition.lines import core_band, long_strokes, normalise_core

    writing = _handwriting(60, 800, 14, 22, pitch=10, stroke=2)
    ruled = _rule(writing, **rule)
    assert long_strokes(writing) is None  # letters are not long strokes
    assert long_strokes(ruled)[ruled > writing].all()  # every pixel of the rule is one
    (centre, height), (ruled_centre, ruled_height) = core_band(writing), core_band(ruled)
    assert abs(ruled_height - height) <= 1 and np.abs(ruled_centre - centre).max() <= 1
    # The network still sees the rule: only the estimate leaves it out.
    assert normalise_core(ruled, 32).sum() > normalise_core(writing, 32).sum()


def test_a_thick_block_of_ink_is_not_taken_for_a_rule():
    from htr.recognition.lines import long_strokes

    block = np.zeros((40, 400), np.uint8)
    block[10:30, 20:380] = 255  # a dark band half the box high (a shadow, a heavy bar)
    assert long_strokes(block) is None


def test_a_ruled_form_line_is_read_at_its_writing_size(shared):
    """A Copiste d'un jour val line written on its form's printed rule: the band used to be the rule (4 px of a
    54 px box, the line blown up 3x and cut to the rule, read 'l acror detaide da ron ts une du aouu d')."""
    from htr.images import load_image, to_gray
    from htr.metrics import evaluate_text
    from htr.recognition import Recognizer
    from htr.recognition.lines import GRAY, core_band, crop_line
    from htr.sources import iter_pages

    xml = shared / "datasets" / "copiste-d-un-jour" / "wikitexte_0137_2.xml"
    [(image_path, page)] = list(iter_pages(xml))
    page.lines = [line for line in page.lines if line.id == "eSc_line_5af8f37f"]
    image = load_image(image_path)
    ink = crop_line(to_gray(image, GRAY), page.lines[0])
    assert core_band(ink)[1] >= 0.25 * ink.shape[0]
    recognizer = Recognizer.load(device="cpu")
    [read] = recognizer.read_page(image, page).lines
    truth = recognizer.model_text(page.lines[0].text)
    assert truth == "Cet article détaille la saison 2015-2016 du club de"
    assert evaluate_text([read.text], [truth])["cer"] <= 10


def test_line_image_knows_its_normalisations():
    page = np.full((100, 200), 230, dtype=np.uint8)
    page[40:60, 20:180] = 20
    line = Line(id="l1", polygon=[(10, 30), (190, 30), (190, 70), (10, 70)])
    assert line_image(page, line, 32, normalisation="core").shape[0] == 32
    with pytest.raises(ValueError, match="unknown line normalisation 'tight'"):
        line_image(page, line, 32, normalisation="tight")


def test_a_line_reads_the_same_whatever_it_is_batched_with():
    model = _tiny().eval()
    line = torch.rand(1, 1, 32, 80)
    alone = model(line, torch.tensor([80]))
    padded = torch.zeros(2, 1, 32, 200)
    padded[0, :, :, :80] = line[0]
    padded[1] = torch.rand(1, 32, 200)
    together = model(padded, torch.tensor([80, 200]))
    assert torch.allclose(alone[:, 0], together[:20, 0], atol=1e-3)
