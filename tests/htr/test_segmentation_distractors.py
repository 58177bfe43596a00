"""Stamps, flourishes, ruling and show-through drawn onto segmentation training crops as negatives."""

import numpy as np

from htr.training.distractors import draw_distractors


def test_distractors_add_ink_and_keep_the_crop_a_float_page():
    rng = np.random.default_rng(0)
    page = np.ones((512, 512), np.float32)
    drawn = [draw_distractors(page, rng, chance=1.0) for _ in range(8)]
    for crop in drawn:
        assert crop.shape == page.shape and crop.dtype == np.float32
        assert crop.min() >= 0.0 and crop.max() <= 1.0
        assert (crop < 0.9).mean() > 0.002  # something was drawn
    assert (page == 1.0).all()  # the input is left as it was


def test_without_chance_nothing_is_drawn():
    page = np.random.default_rng(1).uniform(0, 1, (256, 256)).astype(np.float32)
    assert np.array_equal(draw_distractors(page, np.random.default_rng(2), chance=0.0), page)
