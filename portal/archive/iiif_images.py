"""A IIIF Image API 3.0 (level 1) over the page images the archive keeps: info.json, and
`{region}/{size}/0/default.{jpg,png}` cut from the Deep Zoom tiles (images.py) at the smallest level that is at least
as sharp as the answer, or from the scan where the tiles are not made yet.

Level 1: regions full, square, x,y,w,h and pct:x,y,w,h; sizes max, w,, ,h, w,h, !w,h and pct:n, never larger than the
region (no ^); rotation 0; quality default (or color). Other valid requests answer 501, malformed ones 400.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass

from PIL import Image

from portal.archive import images
from portal.archive.models import Page

CONTEXT = "http://iiif.io/api/image/3/context.json"
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "png": ("PNG", "image/png")}
MAX_TILES = 64  # more tiles than this: cut from the scan instead (one decode, with JPEG draft scaling)
_NUMBER = r"\d+(?:\.\d+)?"


class ImageRequestError(ValueError):
    """A request this server cannot answer; `status` is 400 (malformed) or 501 (valid, not supported)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class ImageRequest:
    region: tuple[int, int, int, int]  # x, y, w, h in the full image's pixels
    size: tuple[int, int]
    fmt: str


def info(page: Page, service_id: str) -> dict:
    levels = images.dzi_levels(page.width, page.height)
    sizes = []
    for level in range(levels):
        w, h = images.level_size(page.width, page.height, level)
        if max(w, h) >= 64 and (w, h) != (page.width, page.height):
            sizes.append({"width": w, "height": h})
    factors = [2**k for k in range(levels) if 2**k * images.TILE_SIZE < 2 * max(page.width, page.height)]
    return {
        "@context": CONTEXT,
        "id": service_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level1",
        "width": page.width,
        "height": page.height,
        "sizes": sizes,
        "tiles": [{"width": images.TILE_SIZE, "height": images.TILE_SIZE, "scaleFactors": factors}],
        "extraFormats": ["png"],
        "extraQualities": ["color"],
    }


def _region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    pct = text.startswith("pct:")
    match = re.fullmatch(rf"({_NUMBER}),({_NUMBER}),({_NUMBER}),({_NUMBER})", text[4:] if pct else text)
    if not match or (not pct and "." in text):
        raise ImageRequestError(f"region {text!r}: expected full, square, x,y,w,h or pct:x,y,w,h")
    x, y, w, h = (float(v) for v in match.groups())
    if pct:
        x, y, w, h = x * width / 100, y * height / 100, w * width / 100, h * height / 100
    x0, y0 = round(x), round(y)
    x1, y1 = min(width, round(x + w)), min(height, round(y + h))
    if w <= 0 or h <= 0 or x0 >= width or y0 >= height or x1 <= x0 or y1 <= y0:
        raise ImageRequestError(f"region {text!r} is empty or outside the {width}×{height} image")
    return x0, y0, x1 - x0, y1 - y0


def _size(text: str, rw: int, rh: int) -> tuple[int, int]:
    if text.startswith("^"):
        raise ImageRequestError("upscaling (^) is not supported by this level 1 server", 501)
    if text in ("max", "full"):
        return rw, rh
    if text.startswith("pct:"):
        if not re.fullmatch(_NUMBER, text[4:]) or float(text[4:]) <= 0:
            raise ImageRequestError(f"size {text!r}: expected pct:n with 0 < n ≤ 100")
        n = float(text[4:])
        w, h = round(rw * n / 100), round(rh * n / 100)
    else:
        match = re.fullmatch(r"(!?)(\d*),(\d*)", text)
        if not match or not (match[2] or match[3]) or (match[1] and not (match[2] and match[3])):
            raise ImageRequestError(f"size {text!r}: expected max, w,, ,h, w,h, !w,h or pct:n")
        bang, w, h = match[1], int(match[2] or 0), int(match[3] or 0)
        if bang:
            scale = min(w / rw, h / rh)
            w, h = round(rw * scale), round(rh * scale)
        elif not h:
            h = round(rh * w / rw)
        elif not w:
            w = round(rw * h / rh)
    if w > rw or h > rh:
        raise ImageRequestError(f"size {text!r} is larger than the {rw}×{rh} region (upscaling is not supported)")
    if w < 1 or h < 1:
        raise ImageRequestError(f"size {text!r} comes to no pixels")
    return w, h


def image_request_read(page: Page, region: str, size: str, rotation: str, quality: str, fmt: str) -> ImageRequest:
    """The request's parameters checked against the page; raises ImageRequestError."""
    box = _region(region, page.width, page.height)
    out = _size(size, box[2], box[3])
    if not re.fullmatch(rf"!?{_NUMBER}", rotation):
        raise ImageRequestError(f"rotation {rotation!r}: expected a number of degrees")
    if rotation != "0":
        raise ImageRequestError("only rotation 0 is supported by this level 1 server", 501)
    if quality not in ("default", "color", "gray", "bitonal"):
        raise ImageRequestError(f"quality {quality!r}: expected default")
    if quality not in ("default", "color"):
        raise ImageRequestError(f"quality {quality!r} is not supported (default only)", 501)
    if fmt not in FORMATS:
        raise ImageRequestError(f"format {fmt!r} is not supported (jpg, png)", 501)
    return ImageRequest(box, out, fmt)


def _level_for(page: Page, box: tuple[int, int, int, int], out: tuple[int, int]) -> int:
    """The smallest pyramid level whose pixels are at least as many as the answer needs."""
    top = images.dzi_levels(page.width, page.height) - 1
    scale = max(out[0] / box[2], out[1] / box[3])
    k = 0
    while k < top and 2 ** -(k + 1) >= scale:
        k += 1
    return top - k


def _from_tiles(page: Page, level: int, box: tuple[int, int, int, int]) -> Image.Image | None:
    lw, lh = images.level_size(page.width, page.height, level)
    fx, fy = lw / page.width, lh / page.height
    x0, y0 = math.floor(box[0] * fx), math.floor(box[1] * fy)
    x1, y1 = min(lw, math.ceil((box[0] + box[2]) * fx)), min(lh, math.ceil((box[1] + box[3]) * fy))
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    t = images.TILE_SIZE
    cols, rows = range(x0 // t, (x1 - 1) // t + 1), range(y0 // t, (y1 - 1) // t + 1)
    if len(cols) * len(rows) > MAX_TILES or not (images.tiles_dir(page) / str(level)).is_dir():
        return None
    canvas = Image.new("RGB", (x1 - x0, y1 - y0))
    for col in cols:
        for row in rows:
            tx0, ty0, _, _ = images._tile_box(lw, lh, col, row)
            with Image.open(images.tile_path(page, level, col, row)) as tile:
                canvas.paste(tile.convert("RGB"), (tx0 - x0, ty0 - y0))
    return canvas


def _from_scan(page: Page, box: tuple[int, int, int, int], out: tuple[int, int]) -> Image.Image:
    with Image.open(page.image.path) as img:
        scale = max(out[0] / box[2], out[1] / box[3])
        if img.format == "JPEG" and scale < 0.5:  # decode at 1/2, 1/4 or 1/8 straight from the DCT
            img.draft("RGB", (math.ceil(page.width * scale), math.ceil(page.height * scale)))
        fx, fy = img.width / page.width, img.height / page.height
        crop = (
            math.floor(box[0] * fx),
            math.floor(box[1] * fy),
            math.ceil((box[0] + box[2]) * fx),
            math.ceil((box[1] + box[3]) * fy),
        )
        part = img.crop(crop)
        return part.convert("RGB") if part.mode != "RGB" else part


def image_render(page: Page, request: ImageRequest) -> tuple[bytes, str]:
    """(encoded image, content type); raises images.PageGone when the page is deleted meanwhile."""
    level = _level_for(page, request.region, request.size)
    with images.writing_for(page):
        part = _from_tiles(page, level, request.region) or _from_scan(page, request.region, request.size)
    if part.size != request.size:
        part = part.resize(request.size, Image.Resampling.LANCZOS)
    pil_format, content_type = FORMATS[request.fmt]
    buf = io.BytesIO()
    part.save(buf, pil_format, **({"quality": 88} if pil_format == "JPEG" else {"compress_level": 3}))
    return buf.getvalue(), content_type
