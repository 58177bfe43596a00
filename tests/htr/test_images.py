import io

import numpy as np
import pytest
from PIL import Image

from htr.images import ImageError, load_image, to_gray


def a_page_image(shared):
    return next((shared / "datasets" / "cremma-mss-18" / "journal-mme-de-genlis").glob("*.jpg"))


def test_it_loads_a_page_as_rgb_from_a_path_or_bytes(shared):
    path = a_page_image(shared)
    image = load_image(path)
    with Image.open(path) as img:
        assert image.shape == (img.height, img.width, 3)
    assert image.dtype == np.uint8
    assert np.array_equal(load_image(path.read_bytes()), image)
    assert np.array_equal(load_image(str(path)), image)


def test_it_turns_the_image_upright_by_its_exif_orientation(tmp_path):
    pixels = np.zeros((20, 60, 3), np.uint8)
    pixels[:, :10] = 255  # a white stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: the viewer rotates 90 degrees clockwise
    path = tmp_path / "sideways.jpg"
    Image.fromarray(pixels).save(path, exif=exif, quality=100)
    image = load_image(path)
    assert image.shape == (60, 20, 3)
    assert image[:10].mean() > 200 and image[-10:].mean() < 50  # the stripe is now on top


def test_it_reads_transparent_and_16_bit_images(tmp_path):
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black reads as white paper
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    assert load_image(buf.getvalue()).min() == 255
    deep = (np.arange(16, dtype=np.uint16).reshape(4, 4) * 4000).astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(deep).save(buf, "PNG")
    image = load_image(buf.getvalue())
    assert image.shape == (4, 4, 3) and image.min() == 0 and image.max() == 255


def test_it_rejects_a_truncated_jpeg(shared, tmp_path):
    data = a_page_image(shared).read_bytes()
    with pytest.raises(ImageError, match="damaged or truncated"):
        load_image(data[: len(data) // 3])


def test_it_rejects_what_is_not_an_image(tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(ImageError, match="notes.jpg: not an image format"):
        load_image(text)
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "missing.png")
    with pytest.raises(ImageError, match="empty input"):
        load_image(b"")


def test_gray_matches_pillow(shared):
    image = load_image(a_page_image(shared))[:300, :300]
    pillow = np.asarray(Image.fromarray(image).convert("L"), dtype=np.int16)
    assert np.abs(to_gray(image).astype(np.int16) - pillow).max() <= 1
    assert to_gray(to_gray(image)).shape == (300, 300)


def test_the_recognisers_gray_is_the_mean_of_the_channels_and_the_segmenters_is_luma():
    """The two readings the shipped models were trained on, from the one conversion (same pixels for uint8 colour,
    float in [0, 1] and RGBA)."""
    import cv2

    from htr.recognition.lines import GRAY
    from htr.segmentation import prepare_image

    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (40, 60, 4), dtype=np.uint8)
    rgb = rgba[:, :, :3]
    mean = to_gray(rgba, GRAY)
    assert np.abs(mean.astype(np.int16) - rgb.astype(np.float64).mean(axis=2).round()).max() <= 1
    assert np.array_equal(to_gray(rgb.astype(np.float64) / 255.0, GRAY), to_gray(rgb.astype(np.float64), GRAY))
    assert np.array_equal(to_gray(rgba, "luma"), cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY))
    small, factor = prepare_image(rgba, long_side=60)
    assert factor == 1.0
    assert np.array_equal((small[:40, :60] * 255).round().astype(np.uint8), to_gray(rgb, "luma"))
    with pytest.raises(ValueError, match="unknown gray method 'bt709'"):
        to_gray(rgb, "bt709")
