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
