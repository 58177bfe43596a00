"""Page images in, RGB arrays out: one loader so that every part of the engine sees the same pixels.

Scanners and phones store the camera's orientation in EXIF instead of rotating the pixels; the ground truth is
drawn on the image as a viewer shows it, so the orientation is applied here, once.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

LUMA_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R BT.601
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".jp2")


class ImageError(ValueError):
    """The input is not an image this engine can read."""


def load_image(src: str | Path | bytes) -> np.ndarray:
    """Return the image as an (H, W, 3) uint8 RGB array, turned upright by its EXIF orientation."""
    name = "<bytes>" if isinstance(src, (bytes, bytearray)) else str(src)
    if isinstance(src, (bytes, bytearray)):
        if not src:
            raise ImageError("cannot read image <bytes>: empty input")
        fp: io.BytesIO | Path = io.BytesIO(bytes(src))
    else:
        fp = Path(src)
        if not fp.is_file():
            raise ImageError(f"cannot read image {name}: no such file")
    try:
        with Image.open(fp) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
            return _to_rgb(upright if upright is not None else img)
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise ImageError(f"cannot read image {name}: {_reason(exc)}") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise ImageError(f"cannot read image {name}: damaged or truncated file ({exc})") from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, Image.DecompressionBombError):
        return f"too large ({exc})"
    return "not an image format Pillow can read"


def _to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in (
        "I",
        "I;16",
        "I;16B",
        "I;16L",
        "F",
    ):  # 16-bit and float greyscale scans
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
        gray = arr.round().astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img)  # transparent parts read as paper, not black ink
    return np.ascontiguousarray(np.asarray(img.convert("RGB"), dtype=np.uint8))


GRAY_METHODS = ("luma", "mean")


def to_gray(image: np.ndarray, method: str = "luma") -> np.ndarray:
    """(H, W) uint8 gray of a gray, gray + alpha, RGB or RGBA array, uint8 or float (in [0, 1] or [0, 255]).

    The engine's one conversion; its two methods are those the shipped models were trained on, so each model reads
    what it learnt from: "luma", ITU-R BT.601 as OpenCV (and, within 1, Pillow) computes it, for segmentation;
    "mean", the plain mean of the channels, for recognition (old paper is coloured: no channel is favoured)."""
    if method not in GRAY_METHODS:
        raise ValueError(f"unknown gray method {method!r}: expected one of {', '.join(GRAY_METHODS)}")
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        rgb = np.ascontiguousarray(image[:, :, :3])
        if rgb.dtype == np.uint8:
            if method == "luma":
                return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
            return cv2.transform(rgb, np.full((1, 3), 1 / 3)).reshape(rgb.shape[:2])
        image = rgb.mean(axis=2) if method == "mean" else rgb @ np.array(LUMA_WEIGHTS)
    elif image.ndim == 3 and image.shape[2] in (1, 2):
        image = image[:, :, 0]  # gray, and its alpha left out
    if image.ndim != 2:
        raise ValueError(f"expected an (H, W) gray or (H, W, 3) colour image, got shape {image.shape}")
    if image.dtype != np.uint8:
        image = np.asarray(image, dtype=np.float32)
        if image.size and image.max() <= 1.0:
            image = image * 255.0
        image = np.clip(image, 0, 255)
    return image.astype(np.uint8)
