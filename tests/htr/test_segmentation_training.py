"""Training end to end on one real page: train a few steps, save, reload, segment."""

import json
import shutil

import numpy as np
import pytest
import torch

from htr.images import load_image
from htr.lines import Page
from htr.segmentation import Segmenter
from htr.segmentation.model import LineMapNet
from htr.training import SegmentationTrainingConfig, train_segmentation
from tests.datasets import shared_dir

PAGE = "candide-ou-l-optismime-par-voltaire/9_7f748_default"


@pytest.fixture
def one_page(tmp_path):
    src = shared_dir() / "datasets" / "cremma-mss-18"
    folder = tmp_path / "pages"
    folder.mkdir()
    for suffix in (".jpg", ".xml"):
        shutil.copy(src / f"{PAGE}{suffix}", folder)
    return folder


def test_a_model_trained_a_few_steps_is_saved_reloaded_and_segments_a_page(one_page, tmp_path):
    out = tmp_path / "model"
    events = []
    config = SegmentationTrainingConfig(
        train=[str(one_page)], val=[str(one_page)], out=str(out), epochs=1, batch_size=2, crop=256
    )
    log = train_segmentation(config, on_progress=events.append)
    for name in ("model.safetensors", "config.json", "training_log.json", "training_curve.png"):
        assert (out / name).is_file(), name
    assert log["steps"] == 2 and log["best"] is not None
    assert json.loads((out / "training_log.json").read_text())["steps"] == 2
    assert [e["step"] for e in events if e["stage"] == "train"] == [1, 2]
    assert any(e["stage"] == "validation" and 0 <= e["f1"] <= 100 for e in events)

    segmenter = Segmenter.load(out, device="cpu")
    assert Segmenter.load(out, device="cpu") is segmenter  # one model per (path, device) per process
    image = load_image(one_page / f"{PAGE.split('/')[1]}.jpg")
    page = segmenter.segment(image)
    assert isinstance(page, Page) and (page.width, page.height) == (image.shape[1], image.shape[0])
    assert [line.id for line in page.lines] == [f"l{i}" for i in range(1, len(page.lines) + 1)]


def test_saved_weights_reload_to_the_same_network(tmp_path):
    model = LineMapNet().eval()
    model.save_pretrained(tmp_path)
    again = LineMapNet.from_pretrained(tmp_path)
    x = torch.rand(1, 1, 64, 96)
    with torch.inference_mode():
        np.testing.assert_allclose(model(x).numpy(), again(x).numpy(), atol=1e-6)


def test_it_refuses_to_train_without_a_budget(one_page, tmp_path):
    with pytest.raises(ValueError, match="budget"):
        SegmentationTrainingConfig(train=[str(one_page)], out=str(tmp_path / "m"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"crop": 300}, "crop must be a multiple of 32, got 300"),
        ({"train": []}, "no training data given"),
        ({"minutes": 0}, "minutes must be positive, got 0"),
        ({"epochs": -1}, "epochs must be positive, got -1"),
    ],
)
def test_it_refuses_settings_that_make_no_training(tmp_path, settings, message):
    with pytest.raises(ValueError, match=message):
        SegmentationTrainingConfig(**{"train": ["pages"], "out": str(tmp_path), "epochs": 1, **settings})


def test_loading_a_folder_without_a_model_says_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        Segmenter.load(tmp_path, device="cpu")
