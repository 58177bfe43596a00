"""Line segmentation: a page image in, its lines (baseline, polygon, reading order) out.

    from htr import Segmenter, load_image
    page = Segmenter.load().segment(load_image("page.jpg"))

The network (`model.py`) predicts baseline, core and region maps on the page downscaled to a fixed long
side; `postprocess.py` turns the maps into lines in page pixels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

from htr.images import to_gray
from htr.lines import Page
from htr.segmentation.model import LineMapNet, SegmentationConfig
from htr.segmentation.postprocess import FoundLine, Thresholds, maps_to_lines, order_lines
from htr.segmentation.vertical import merge_vertical, turn_crop, turned_back, vertical_candidates

SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "models" / "segmentation"

__all__ = ["SHIPPED_MODEL", "LineMapNet", "SegmentationConfig", "Segmenter", "Thresholds", "prepare_image"]

_cache: dict[tuple[str, str, int], Segmenter] = {}
_cache_lock = threading.Lock()


def _pick_device(device: str | torch.device | None) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def prepare_image(image: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """Grey page resized to `long_side`, padded with paper to a multiple of 32, as float32 in [0, 1].

    Returns the array and the factor from resized pixels back to page pixels."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        shape = getattr(image, "shape", None)
        raise ValueError(f"expected a page image as an (H, W) or (H, W, 3) uint8 array, got shape {shape}")
    image = to_gray(image, "luma")
    h, w = image.shape
    factor = max(h, w) / long_side
    nw, nh = max(1, round(w / factor)), max(1, round(h / factor))
    small = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA if factor > 1 else cv2.INTER_LINEAR)
    ph, pw = -nh % 32, -nw % 32
    small = cv2.copyMakeBorder(small, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=255)
    return small.astype(np.float32) / 255.0, factor


class Segmenter:
    """A loaded segmentation model on one device; `Segmenter.load()` caches one per (path, device) per process."""

    def __init__(self, model: LineMapNet, device: torch.device, thresholds: Thresholds | None = None):
        self.device = device
        self.half = device.type == "cuda"
        self.model = model.to(device).eval()
        if self.half:
            self.model.half()
        self.config: SegmentationConfig = model.config
        self.thresholds = thresholds or Thresholds(**model.config.thresholds)
        # Look for lines written down the margin (vertical.py) when horizontal lines leave writing unexplained.
        self.vertical = True

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | torch.device | None = None) -> Segmenter:
        """The model in `path` (default: the shipped one) on `device` (default: CUDA when present)."""
        directory = Path(path) if path is not None else SHIPPED_MODEL
        dev = _pick_device(device)
        weights = directory / "model.safetensors"
        # The file's time is part of the key: a model retrained in place is reloaded, not served stale.
        stamp = weights.stat().st_mtime_ns if weights.is_file() else 0
        key = (str(directory.resolve()), str(dev), stamp)
        with _cache_lock:
            if key not in _cache:
                _cache[key] = cls(LineMapNet.from_pretrained(directory), dev)
            return _cache[key]

    def predict_maps(self, images: list[np.ndarray]) -> list[tuple[np.ndarray, float]]:
        """Probability maps (3, h, w) for each page and the factor from map pixels to page pixels."""
        prepared = [prepare_image(img, self.config.long_side) for img in images]
        out = []
        with torch.inference_mode():
            # Pages of one batch share a padded size; pages differ, so pad to the largest.
            hmax = max(p.shape[0] for p, _ in prepared)
            wmax = max(p.shape[1] for p, _ in prepared)
            batch = np.ones((len(prepared), 1, hmax, wmax), np.float32)
            for i, (p, _) in enumerate(prepared):
                batch[i, 0, : p.shape[0], : p.shape[1]] = p
            x = torch.from_numpy(batch).to(self.device)
            if self.half:
                x = x.half()
            probs = torch.sigmoid(self.model(x).float()).cpu().numpy()
        s = self.config.output_stride
        for (p, factor), maps in zip(prepared, probs):
            out.append((maps[:, : p.shape[0] // s, : p.shape[1] // s], factor * s))
        return out

    def segment(
        self,
        image: np.ndarray,
        on_progress: Callable[[str, float], None] | None = None,
        *,
        name: str = "",
        rtl: bool = False,
    ) -> Page:
        """Lines of one page, ids `l1`, `l2`… in reading order, one region per column.

        `on_progress(stage, fraction)` is called as the work advances (stages: "maps", "lines")."""
        return self.segment_batch([image], on_progress=on_progress, names=[name], rtl=rtl)[0]

    def segment_batch(
        self,
        images: list[np.ndarray],
        on_progress: Callable[[str, float], None] | None = None,
        *,
        names: list[str] | None = None,
        rtl: bool = False,
    ) -> list[Page]:
        """Several pages at once: one network call (worth it on a GPU), then post-processing per page."""
        if not images:
            return []
        names = names or [""] * len(images)
        if on_progress:
            on_progress("maps", 0.0)
        maps = self.predict_maps(images)
        if on_progress:
            on_progress("lines", 0.5)
        pages = []
        for i, (image, (m, scale), name) in enumerate(zip(images, maps, names)):
            h, w = image.shape[:2]
            found = maps_to_lines(m, scale, (w, h), self.thresholds)
            if self.vertical:
                found = self.add_vertical_lines(image, found, scale, m.shape[1:])
            lines, regions = order_lines(found, rtl=rtl)
            pages.append(Page(image=name, width=w, height=h, lines=lines, regions=regions))
            if on_progress:
                on_progress("lines", 0.5 + 0.5 * (i + 1) / len(images))
        return pages

    def add_vertical_lines(
        self, image: np.ndarray, found: list[FoundLine], scale: float, map_shape: tuple[int, int]
    ) -> list[FoundLine]:
        """`found` plus the lines written down the page in blocks of writing that no found line explains."""
        if not found:
            return found
        heights = [max(p[1] for p in f.polygon) - min(p[1] for p in f.polygon) for f in found]
        line_height = float(np.median(heights)) / scale
        height, width = image.shape[:2]
        small = cv2.resize(to_gray(image, "luma"), (map_shape[1], map_shape[0]), interpolation=cv2.INTER_AREA)
        blocks = vertical_candidates(small, found, scale, line_height, (width, height))
        if not blocks:
            return found
        turned = [turn_crop(image, block) for block in blocks]
        vertical = []
        for crop, block, (m, crop_scale) in zip(turned, blocks, self.predict_maps(turned)):
            crop_h, crop_w = crop.shape[:2]
            for line in maps_to_lines(m, crop_scale, (crop_w, crop_h), self.thresholds):
                vertical.append(turned_back(line, block))
        return merge_vertical(found, vertical, blocks, (width, height), scale)
