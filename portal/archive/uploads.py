"""Reading an upload into pages, and storing them — all or nothing.

Files are told apart by their content, never by their extension. Everything is read and checked in memory
first (`upload_read`); only then are rows and files written (`document_upload`), in one transaction whose failure
path removes the files it wrote. Every refusal is an `UploadError` whose message names the file. A PDF is only
checked here: a worker draws its pages (pdfs.py).
"""

from __future__ import annotations

import io
import posixpath
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from PIL import Image, ImageOps, ImageSequence

import htr.formats
from htr.lines import Line as HtrLine
from htr.lines import Page as HtrPage
from portal.archive import images, pdfs, pipeline, services
from portal.archive.models import Document, Page
from portal.archive.segmentation import line_row, regions_create
from portal.jobs.models import Job

ACCEPTED = "JPEG, PNG, TIFF, PDF, ZIP of images, ALTO v4 / PAGE XML beside its image"
ZIP_MAX_RATIO = 200  # a member that unpacks to more than 200× its packed size (and > 1 MB) is a zip bomb


class UploadError(ValueError):
    """An upload refused as a whole; the message names the file and says why."""


@dataclass
class Scan:
    """One page to store: its encoded image and, where the upload brought them, its lines."""

    name: str
    stem: str
    data: bytes
    suffix: str
    width: int
    height: int
    single: bool = True  # False for the frames of a multi-page TIFF or the pages of a PDF (no XML matches them)
    lines: HtrPage | None = None
    source: str = "image"  # "image" | "xml" | "peter"
    path: Path | None = None  # a page already on disk (a worker drew it from a PDF): moved into place, not written


@dataclass
class Upload:
    """What an upload brings: its pages, and the PDFs a worker will draw."""

    scans: list[Scan] = field(default_factory=list)
    pdfs: list[pdfs.PdfFile] = field(default_factory=list)
    xmls: list[tuple[str, bytes]] = field(default_factory=list)
    peter_texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # folder/stem -> (name, text)
    skipped: list[str] = field(default_factory=list)


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


def sniff(data: bytes) -> str | None:
    """What the bytes are: jpeg, png, tiff, pdf, zip, xml, text, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "tiff"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] == b"<":
        return "xml"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 4090:  # not just a character cut at the 4096-byte boundary
            return None
    return "text" if b"\x00" not in data[:4096] else None


def check_pixels(name: str, width: int, height: int) -> None:
    if width * height > settings.UPLOAD_MAX_PIXELS:
        raise UploadError(
            f"{name}: image too large ({width}×{height} = {width * height:,} pixels; "
            f"the limit is {settings.UPLOAD_MAX_PIXELS:,}), refused as a possible decompression bomb"
        )
    if width < 1 or height < 1:
        raise UploadError(f"{name}: image has no pixels ({width}×{height})")


def _read_image(name: str, data: bytes, kind: str) -> list[Scan]:
    """Decode fully (a truncated file fails here); one scan per frame of a TIFF."""
    stem = PurePosixPath(name).stem
    try:
        img = Image.open(io.BytesIO(data))
        if kind == "tiff":
            frames = []
            for i, frame in enumerate(ImageSequence.Iterator(img)):
                check_pixels(f"{name} (page {i + 1})", *frame.size)
                frame.load()
                frames.append(_encode(ImageOps.exif_transpose(frame) or frame, "png"))
                if len(frames) > settings.UPLOAD_MAX_PAGES:
                    raise UploadError(f"{name}: more than {settings.UPLOAD_MAX_PAGES} pages (UPLOAD_MAX_PAGES)")
            return [
                Scan(f"{name}#{i + 1}" if len(frames) > 1 else name, stem, d, ".png", w, h, single=len(frames) == 1)
                for i, (d, w, h) in enumerate(frames)
            ]
        check_pixels(name, *img.size)
        img.load()
        if img.getexif().get(0x0112, 1) not in (1, None):  # EXIF orientation: store the pixels upright
            data, w, h = _encode(ImageOps.exif_transpose(img), "jpeg" if kind == "jpeg" else "png")
        else:
            w, h = img.size
        return [Scan(name, stem, data, ".jpg" if kind == "jpeg" else ".png", w, h)]
    except UploadError:
        raise
    except Image.DecompressionBombError as exc:
        raise UploadError(f"{name}: image too large, refused as a possible decompression bomb ({exc})") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadError(f"{name}: damaged or truncated {kind.upper()} image ({exc})") from exc


def _encode(img: Image.Image, fmt: str) -> tuple[bytes, int, int]:
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=92)
    else:
        img.save(buf, "PNG", compress_level=3)
    return buf.getvalue(), img.width, img.height


def _unsafe(member: str) -> bool:
    parts = member.replace("\\", "/").split("/")
    return member.startswith(("/", "\\")) or (len(member) > 1 and member[1] == ":") or ".." in parts


def _read_zip(name: str, data: bytes, upload: Upload) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UploadError(f"{name}: damaged ZIP archive ({exc})") from exc
    limit_files = settings.UPLOAD_MAX_PAGES * 3
    if len(infos) > limit_files:
        raise UploadError(f"{name}: {len(infos)} files in the archive, more than the limit of {limit_files}")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > settings.UPLOAD_MAX_BYTES:
        raise UploadError(
            f"{name}: unpacks to {size_text(unpacked)}, more than the limit of "
            f"{size_text(settings.UPLOAD_MAX_BYTES)} (zip bomb?)"
        )
    for info in sorted(infos, key=lambda i: _natural(i.filename)):  # pages in file-name order: p2 before p10
        member = info.filename
        if _unsafe(member):
            raise UploadError(f"{name}: unsafe path {member!r} in the archive (absolute or with '..'); refused")
        parts = PurePosixPath(member.replace("\\", "/")).parts
        if any(p.startswith(".") for p in parts) or parts[0] == "__MACOSX":
            continue
        if info.flag_bits & 0x1:
            raise UploadError(f"{name}: {member} is encrypted; upload an archive without a password")
        if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise UploadError(f"{name}: {member} unpacks {info.file_size // max(info.compress_size, 1)}× (zip bomb?)")
        try:
            with archive.open(info) as fh:
                content = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise UploadError(f"{name}: {member} cannot be unpacked ({exc})") from exc
        if len(content) > info.file_size:
            raise UploadError(f"{name}: {member} is larger than the archive says (zip bomb?)")
        _read_file(f"{name}/{member}", content, upload, in_zip=True, member=member)


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _read_file(name: str, data: bytes, upload: Upload, in_zip: bool = False, member: str = "") -> None:
    if not data:
        if in_zip:
            upload.skipped.append(f"{member} (empty)")
            return
        raise UploadError(f"{name}: the file is empty")
    kind = sniff(data)
    if kind in ("jpeg", "png", "tiff"):
        upload.scans.extend(_read_image(name, data, kind))
    elif kind == "pdf":
        upload.pdfs.append(pdfs.pdf_check(name, data))
    elif kind == "xml":
        upload.xmls.append((name, data))
    elif kind == "zip":
        if in_zip:
            raise UploadError(f"{name}: a ZIP inside a ZIP is not supported; put all files in one archive")
        _read_zip(name, data, upload)
    elif kind == "text" and in_zip and PurePosixPath(member).parent.name == "words":
        folder = posixpath.dirname(posixpath.dirname(member))
        text = " ".join(data.decode("utf-8-sig").split())
        upload.peter_texts[f"{folder}/{PurePosixPath(member).stem}"] = (name, text)
    elif in_zip and PurePosixPath(member).parent.name == "words" and member.lower().endswith(".txt"):
        raise UploadError(f"{name}: a transcription must be UTF-8 text")
    elif in_zip:
        upload.skipped.append(member)
    elif kind == "text":
        raise UploadError(
            f"{name}: a plain text file is not a page; Digital Peter lines go in a ZIP as images/<name>.jpg + "
            f"words/<name>.txt (accepted: {ACCEPTED})"
        )
    else:
        raise UploadError(f"{name}: not a supported file type (accepted: {ACCEPTED})")


def _attach_peter(upload: Upload) -> None:
    by_key: dict[str, Scan] = {}
    for scan in upload.scans:
        member = scan.name.split("/", 1)[1] if "/" in scan.name else ""
        if PurePosixPath(member).parent.name == "images":
            folder = posixpath.dirname(posixpath.dirname(member))
            by_key[f"{folder}/{PurePosixPath(member).stem}"] = scan
    for key, (name, text) in upload.peter_texts.items():
        scan = by_key.get(key)
        if scan is None:
            raise UploadError(f"{name}: no line image images/{key.rsplit('/', 1)[1]}.jpg (or .png) beside it")
        w, h = scan.width, scan.height
        line = HtrLine(
            id="line_1", polygon=[(0, 0), (w, 0), (w, h), (0, h)], baseline=[(0, round(h * 0.8)), (w, round(h * 0.8))]
        )
        line.text = text
        scan.lines, scan.source = HtrPage(image=scan.stem, width=w, height=h, lines=[line]), "peter"
    folders = {key.rsplit("/", 1)[0] for key in upload.peter_texts}
    for key, scan in by_key.items():
        if key.rsplit("/", 1)[0] in folders and scan.lines is None:
            raise UploadError(f"{scan.name}: line image without its transcription words/{scan.stem}.txt")


def _scaled(page: HtrPage, sx: float, sy: float) -> HtrPage:
    def pts(points):
        return [(round(x * sx), round(y * sy)) for x, y in points]

    for line in page.lines:
        line.polygon, line.baseline = pts(line.polygon), pts(line.baseline)
    for region in page.regions:
        region.polygon = pts(region.polygon)
    return page


def _attach_xml(upload: Upload) -> None:
    single = {}
    for scan in upload.scans:
        if scan.single:
            single.setdefault(scan.stem, scan)
    for name, data in upload.xmls:
        try:
            page = htr.formats.read_page(data)
        except htr.formats.FormatError as exc:
            raise UploadError(str(exc).replace("<bytes>", name)) from exc
        stem, referenced = PurePosixPath(name).stem, PurePosixPath(page.image.replace("\\", "/")).stem
        scan = single.get(stem) or (single.get(referenced) if referenced else None)
        if scan is None:
            pdf = next((p for p in upload.pdfs if PurePosixPath(p.name).stem in (stem, referenced)), None)
            if pdf is not None:
                raise UploadError(f"{name}: a page file cannot go with a PDF ({pdf.name}); upload the page as an image")
            wanted = f"{stem}.*" + (f" or {PurePosixPath(page.image).name}" if page.image else "")
            raise UploadError(f"{name}: no image for this page file ({wanted}) in the upload")
        if scan.lines is not None:
            raise UploadError(f"{name}: {scan.name} already has a page file in this upload")
        if page.width and page.height and (page.width, page.height) != (scan.width, scan.height):
            sx, sy = scan.width / page.width, scan.height / page.height
            if abs(sx - sy) > 0.02 * max(sx, sy):
                raise UploadError(
                    f"{name}: describes a {page.width}×{page.height} page but {scan.name} is "
                    f"{scan.width}×{scan.height} (a different shape)"
                )
            page = _scaled(page, sx, sy)
        scan.lines, scan.source = page, "xml"


def upload_read(files: list[tuple[str, bytes]]) -> Upload:
    """Everything an upload brings, checked; raises UploadError naming the first bad file. Stores nothing."""
    if not files:
        raise UploadError(f"no files: send one or more files in the multipart field `files` ({ACCEPTED})")
    total = sum(len(data) for _, data in files)
    if total > settings.UPLOAD_MAX_BYTES:
        limit = size_text(settings.UPLOAD_MAX_BYTES)
        raise UploadError(f"the upload is {size_text(total)}, more than the limit of {limit}")
    upload = Upload()
    for name, data in files:
        _read_file(name, data, upload)
        sizes = [(s.width, s.height) for s in upload.scans] + [size for pdf in upload.pdfs for size in pdf.sizes]
        if len(sizes) > settings.UPLOAD_MAX_PAGES:
            raise UploadError(f"{name}: the upload has more than {settings.UPLOAD_MAX_PAGES} pages (UPLOAD_MAX_PAGES)")
        pixels = sum(w * h for w, h in sizes)
        if pixels > settings.UPLOAD_MAX_TOTAL_PIXELS:
            raise UploadError(
                f"{name}: the upload's pages come to {pixels:,} pixels (a PDF's drawn at {pdfs.PDF_DPI} dpi), more "
                f"than the limit of {settings.UPLOAD_MAX_TOTAL_PIXELS:,} (UPLOAD_MAX_TOTAL_PIXELS)"
            )
    _attach_peter(upload)
    _attach_xml(upload)
    if not upload.scans and not upload.pdfs:
        zips = [n for n, d in files if sniff(d) == "zip"]
        if zips:
            found = ", ".join(upload.skipped[:5]) or "nothing"
            raise UploadError(f"{zips[0]}: no page images in the archive (found: {found}; accepted: {ACCEPTED})")
        raise UploadError(f"{files[0][0]}: no page image in the upload (accepted: {ACCEPTED})")
    return upload


def _import_lines(page: Page, found: HtrPage, user) -> int:
    layer = services.layer_imported(document=page.document)
    regions = regions_create(page=page, found=found)
    for i, hl in enumerate(found.lines):
        line = line_row(page, hl, i, regions)
        line.save(force_insert=True)
        if hl.text:
            confidences = hl.confidences if len(hl.confidences) == len(hl.text) else []
            services.transcription_write(line=line, layer=layer, text=hl.text, confidences=confidences, author=user)
    return len(found.lines)


def pages_store(*, document: Document, scans: list[Scan], user, written: list[Path]) -> tuple[list[Page], list[Job]]:
    """Add the scans as the document's next pages, each with its pipeline job. Call it inside a transaction; the
    folders it fills are added to `written`, for the caller to remove if the transaction fails."""
    Document.objects.select_for_update().filter(pk=document.pk).first()
    start = document.pages.aggregate(n=Max("number"))["n"] or 0
    pages, jobs = [], []
    for i, scan in enumerate(scans):
        page = Page.objects.create(
            document=document,
            number=start + i + 1,
            original_name=PurePosixPath(scan.name).name[:300],
            width=scan.width,
            height=scan.height,
        )
        folder = images.page_dir(page)
        written.append(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if scan.path is not None:
            shutil.move(scan.path, folder / f"scan{scan.suffix}")
        else:
            (folder / f"scan{scan.suffix}").write_bytes(scan.data)
        page.image.name = str((folder / f"scan{scan.suffix}").relative_to(settings.MEDIA_ROOT))
        page.save(update_fields=["image"])
        has_lines = bool(scan.lines and scan.lines.lines) and _import_lines(page, scan.lines, user) > 0
        steps = ["prepare"] if has_lines else list(pipeline.STEPS)
        jobs.append(pipeline.page_pipeline_start(page=page, steps=steps, user=user))
        pages.append(page)
    return pages, jobs


def document_upload(*, document: Document, files: list[tuple[str, bytes]], user) -> tuple[list[Page], list[Job]]:
    """Store the upload's pages (and imported lines), each with its pipeline job, and queue the drawing of its PDFs
    (one job; it adds their pages when all are drawn); all or nothing."""
    upload = upload_read(files)
    written: list[Path] = []
    try:
        with transaction.atomic():
            pages, jobs = pages_store(document=document, scans=upload.scans, user=user, written=written)
            if upload.pdfs:
                stored = sum(len(scan.data) for scan in upload.scans)
                jobs.append(
                    pdfs.pdf_render_start(
                        document=document,
                        pdfs=upload.pdfs,
                        user=user,
                        max_bytes=settings.UPLOAD_MAX_BYTES - stored,
                        written=written,
                    )
                )
            return pages, jobs
    except BaseException:
        for folder in written:
            shutil.rmtree(folder, ignore_errors=True)
        raise
