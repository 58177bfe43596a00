"""Derived page images: a thumbnail, a Deep Zoom (DZI) tile pyramid and lines' images, written beside the page's
image.

They are private files like the scan itself: only the permission-checked API views in `api.py` serve them.
Tiles are made by the `prepare` step of the pipeline; a tile asked for before that is made on the spot.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from PIL import Image

from portal.archive.models import Document, Line, Page

TILE_SIZE = 256
TILE_OVERLAP = 1
TILE_FORMAT = "jpg"
THUMBNAIL_SIZE = 320


def page_dir(page: Page) -> Path:
    """Where a page's derived files live: media/documents/<doc>/pages/<page id>/."""
    return Path(settings.MEDIA_ROOT) / "documents" / str(page.document_id) / "pages" / str(page.pk)


def tiles_dir(page: Page) -> Path:
    return page_dir(page) / "tiles"


class PageGone(Exception):
    """The page was deleted while its images were being made; what was written for it has been removed."""


def _page_exists(page: Page) -> bool:
    return Page.objects.filter(pk=page.pk).exists()


def _remove_files_of_deleted(page: Page) -> None:
    folder = page_dir(page)
    shutil.rmtree(folder, ignore_errors=True)
    if not Document.objects.filter(pk=page.document_id).exists():
        for parent in (folder.parent, folder.parent.parent):  # pages/, then the document's folder, if left empty
            try:
                parent.rmdir()
            except OSError:
                break


@contextmanager
def writing_for(page: Page) -> Iterator[None]:
    """Write derived files of a page without ever leaving them behind a deletion.

    Deleting a page or its document removes the folder once the deletion commits, maybe while tiles are being
    written. So writers never create the page's folder (no mkdir with parents: a write into a removed folder fails),
    and after the last write the page must still exist: a deletion that commits later removes the folder after every
    write, and one that committed before is seen here, where the files are removed again (PageGone).
    """
    try:
        yield
    except Exception as exc:
        if _page_exists(page):
            raise
        _remove_files_of_deleted(page)
        raise PageGone(f"page {page.pk} was deleted while its images were being made") from exc
    if not _page_exists(page):
        _remove_files_of_deleted(page)
        raise PageGone(f"page {page.pk} was deleted while its images were being made")


def dzi_levels(width: int, height: int) -> int:
    """Number of levels: level L is the image halved (max level - L) times; level 0 is one pixel."""
    return int(math.ceil(math.log2(max(width, height, 1)))) + 1


def level_size(width: int, height: int, level: int) -> tuple[int, int]:
    scale = 2 ** (dzi_levels(width, height) - 1 - level)
    return max(1, math.ceil(width / scale)), max(1, math.ceil(height / scale))


def dzi_xml(page: Page, tiles_url: str) -> str:
    """The DZI descriptor. `Url` tells OpenSeadragon where the tiles are (our tile views are not `<name>_files/`)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" '
        f'Url="{tiles_url}" Format="{TILE_FORMAT}" Overlap="{TILE_OVERLAP}" TileSize="{TILE_SIZE}">'
        f'<Size Width="{page.width}" Height="{page.height}"/></Image>\n'
    )


def _open_rgb(page: Page) -> Image.Image:
    img = Image.open(page.image.path)
    img.load()
    return img.convert("RGB") if img.mode != "RGB" else img


def thumbnail_make(page: Page) -> Path:
    path = page_dir(page) / "thumbnail.jpg"  # beside the scan: the folder is there unless the page was deleted
    with writing_for(page), _open_rgb(page) as img:
        img.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE * 2), Image.Resampling.LANCZOS)
        img.save(path, "JPEG", quality=85)
    page.thumbnail.name = str(path.relative_to(settings.MEDIA_ROOT))
    Page.objects.filter(pk=page.pk).update(thumbnail=page.thumbnail.name)
    return path


def _tile_box(width: int, height: int, col: int, row: int) -> tuple[int, int, int, int]:
    x0 = max(0, col * TILE_SIZE - TILE_OVERLAP)
    y0 = max(0, row * TILE_SIZE - TILE_OVERLAP)
    x1 = min(width, (col + 1) * TILE_SIZE + TILE_OVERLAP)
    y1 = min(height, (row + 1) * TILE_SIZE + TILE_OVERLAP)
    return x0, y0, x1, y1


def tile_exists(page: Page, level: int, col: int, row: int) -> bool:
    """Whether (level, col, row) is a tile of this page's pyramid at all."""
    if not 0 <= level < dzi_levels(page.width, page.height):
        return False
    w, h = level_size(page.width, page.height, level)
    return 0 <= col < math.ceil(w / TILE_SIZE) and 0 <= row < math.ceil(h / TILE_SIZE)


def tiles_make(page: Page, on_level=None) -> int:
    """Write the whole pyramid (top level from the scan, each lower one halved from the one above); tile count.
    Raises PageGone, having removed what it wrote, when the page is deleted meanwhile."""
    out = tiles_dir(page)
    tmp = out.with_name("tiles.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    count = 0
    levels = dzi_levels(page.width, page.height)
    with writing_for(page), _open_rgb(page) as full:
        tmp.mkdir()
        img = full
        for level in range(levels - 1, -1, -1):
            if not _page_exists(page):
                raise PageGone(f"page {page.pk} was deleted")  # stop early; writing_for cleans up
            w, h = level_size(page.width, page.height, level)
            if img.size != (w, h):
                img = img.resize((w, h), Image.Resampling.LANCZOS)
            (tmp / str(level)).mkdir()
            for col in range(math.ceil(w / TILE_SIZE)):
                for row in range(math.ceil(h / TILE_SIZE)):
                    img.crop(_tile_box(w, h, col, row)).save(tmp / str(level) / f"{col}_{row}.jpg", "JPEG", quality=85)
                    count += 1
            if on_level:
                on_level(levels - level, levels)
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
    return count


def tile_path(page: Page, level: int, col: int, row: int) -> Path:
    """The tile's file; made on the spot (that one tile) when the pyramid is not there yet."""
    path = tiles_dir(page) / str(level) / f"{col}_{row}.jpg"
    if path.is_file():
        return path
    w, h = level_size(page.width, page.height, level)
    ondemand = page_dir(page) / "tiles.ondemand" / str(level) / f"{col}_{row}.jpg"
    with writing_for(page), _open_rgb(page) as full:
        scale = page.width / w
        x0, y0, x1, y1 = _tile_box(w, h, col, row)
        src = (
            round(x0 * scale),
            round(y0 * scale),
            min(page.width, round(x1 * scale)),
            min(page.height, round(y1 * scale)),
        )
        tile = full.crop(src).resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS)
        ondemand.parent.parent.mkdir(exist_ok=True)
        ondemand.parent.mkdir(exist_ok=True)
        tile.save(ondemand, "JPEG", quality=85)
    return ondemand


def thumbnail_path(page: Page) -> Path:
    if page.thumbnail and Path(page.thumbnail.path).is_file():
        return Path(page.thumbnail.path)
    return thumbnail_make(page)


LINE_IMAGE_HEIGHT = 80  # the tallest a line's image is sent (search hits show it beside their text)
LINE_IMAGE_MARGIN = 6


def line_box(line: Line, width: int, height: int) -> tuple[int, int, int, int] | None:
    """The line's bounding box in the scan (its polygon, else its baseline with room above), with a margin."""
    points = line.polygon if len(line.polygon) >= 3 else line.baseline
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    top = min(ys) - (0 if len(line.polygon) >= 3 else 60)
    box = (
        max(0, int(min(xs)) - LINE_IMAGE_MARGIN),
        max(0, int(top) - LINE_IMAGE_MARGIN),
        min(width, int(max(xs)) + LINE_IMAGE_MARGIN + 1),
        min(height, int(max(ys)) + LINE_IMAGE_MARGIN + 1),
    )
    return box if box[2] > box[0] and box[3] > box[1] else None


def line_image_path(line: Line) -> Path | None:
    """The line's image cut from the scan (JPEG, at most LINE_IMAGE_HEIGHT high), kept beside the page's other images
    under a name that changes with the line's shape; None when the line has no shape inside the page."""
    page = line.page
    box = line_box(line, page.width, page.height)
    if box is None:
        return None
    shape = hashlib.sha1(json.dumps([line.polygon, line.baseline]).encode()).hexdigest()[:12]
    folder = page_dir(page) / "lines"
    path = folder / f"{line.pk}-{shape}.jpg"
    if path.is_file():
        return path
    with writing_for(page), _open_rgb(page) as full:
        crop = full.crop(box)
        if crop.height > LINE_IMAGE_HEIGHT:
            crop = crop.resize(
                (max(1, round(crop.width * LINE_IMAGE_HEIGHT / crop.height)), LINE_IMAGE_HEIGHT),
                Image.Resampling.LANCZOS,
            )
        folder.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        crop.save(tmp, "JPEG", quality=85)
        tmp.rename(path)
    return path
