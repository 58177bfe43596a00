"""PDFs: checked when uploaded (their page sizes only), drawn into pages by a worker, one page at a time.

A PDF of a kilobyte can describe hundreds of huge pages that take gigabytes to draw, so the web request never draws
one: it checks that the PDF opens and what its pages would come to at PDF_DPI (UPLOAD_MAX_PAGES, UPLOAD_MAX_PIXELS a
page, UPLOAD_MAX_TOTAL_PIXELS in all, with the upload's other pages), stores it and queues a `pdf_render` job on
the `default` queue. The worker draws each page straight to a JPEG file and lets it go, counting the files' bytes
against what the upload may still store (UPLOAD_MAX_BYTES); once every page is drawn, they become the document's
next pages at once, like any upload (all or nothing). A refused PDF fails its job with the reason and leaves no page
and no file behind.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from portal.archive import uploads
from portal.archive.models import Document
from portal.archive.page_jobs import page_job_create, page_job_resume, page_job_run, page_job_task
from portal.jobs.heartbeat import resumable
from portal.jobs.models import Job
from portal.jobs.progress import job_progress
from portal.jobs.queue import job_enqueue

PDF_DPI = 200
SCALE = PDF_DPI / 72  # PDF sizes are in points, 72 to the inch
KIND = "pdf_render"
_PDF_NO_PAGES = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+0\b|/Count\s+0\b[^>]*?/Type\s*/Pages\b")
_PDF_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


@dataclass
class PdfFile:
    """An uploaded PDF, checked: the size in pixels of each of its pages once drawn."""

    name: str
    data: bytes
    sizes: list[tuple[int, int]]


def pdf_check(name: str, data: bytes) -> PdfFile:
    """Open the PDF and check its pages' drawn sizes, without drawing anything; raises UploadError."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise uploads.UploadError(
                f"{name}: the PDF is encrypted (password protected); upload an unprotected copy"
            ) from exc
        if _PDF_NO_PAGES.search(data) and not _PDF_PAGE.search(data):  # PDFium refuses page-less files outright
            raise uploads.UploadError(f"{name}: the PDF has no pages") from exc
        raise uploads.UploadError(f"{name}: damaged PDF that cannot be opened ({reason})") from exc
    try:
        if len(pdf) == 0:
            raise uploads.UploadError(f"{name}: the PDF has no pages")
        if len(pdf) > settings.UPLOAD_MAX_PAGES:
            raise uploads.UploadError(f"{name}: {len(pdf)} pages, more than the limit of {settings.UPLOAD_MAX_PAGES}")
        sizes = []
        for i in range(len(pdf)):
            width, height = _drawn_size(pdf, i)
            uploads.check_pixels(f"{name} (page {i + 1}, at {PDF_DPI} dpi)", width, height)
            sizes.append((width, height))
        return PdfFile(name, data, sizes)
    except pdfium.PdfiumError as exc:
        raise uploads.UploadError(f"{name}: damaged PDF, a page cannot be read ({exc})") from exc
    finally:
        pdf.close()


def _drawn_size(pdf, index: int) -> tuple[int, int]:
    width, height = pdf.get_page_size(index)
    return round(width * SCALE), round(height * SCALE)


def upload_dir(job: Job) -> Path:
    """Where a PDF job keeps its PDFs and the pages drawn so far: media/documents/<doc>/uploads/<job id>/."""
    document_id = job.target.partition(":")[2]
    return Path(settings.MEDIA_ROOT) / "documents" / document_id / "uploads" / str(job.pk)


def pdf_render_start(*, document: Document, pdfs: list[PdfFile], user, max_bytes: int, written: list[Path]) -> Job:
    """Store the PDFs and queue their drawing (once the surrounding transaction commits); `max_bytes` is what the
    drawn pages may come to. The folder written is added to `written`."""
    pages = sum(len(pdf.sizes) for pdf in pdfs)
    job = page_job_create(
        kind=KIND,
        document=document,
        user=user,
        params={"files": [pdf.name for pdf in pdfs], "pages": pages, "max_bytes": max_bytes},
        total=pages,
        message=f"{pages} PDF pages to draw",
    )
    folder = upload_dir(job)
    written.append(folder)
    folder.mkdir(parents=True)
    for i, pdf in enumerate(pdfs):
        (folder / f"{i + 1}.pdf").write_bytes(pdf.data)
    job_enqueue(_render_task(job), job=job)
    return job


_render_task = page_job_task("pdf_render")


@resumable(KIND)
def pdf_render_resume(job: Job) -> None:
    """Draw again from the first page: nothing was stored before the last page was drawn."""
    page_job_resume(job, _render_task, "drawing the pages again (the worker stopped)")


def pdf_render(*, job_id: int, attempt: int | None = None) -> None:
    """The worker's part: draw every page to disk, then store them all as the document's next pages."""
    page_job_run(
        job_id=job_id,
        attempt=attempt,
        folder_of=upload_dir,
        total_of=lambda job: job.params["pages"],
        starting="drawing the PDF's pages",
        scans_made=lambda job, document, folder: _draw_pages(job, folder),
        refused=(uploads.UploadError,),
        failed="the PDF's pages could not be drawn",
    )


def _draw_pages(job: Job, folder: Path) -> list[uploads.Scan]:
    """Each page to its own JPEG file, one page in memory at a time; raises UploadError past the byte budget."""
    import pypdfium2 as pdfium

    out = folder / "pages"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    max_bytes, stored, scans = job.params["max_bytes"], 0, []
    for i, name in enumerate(job.params["files"]):
        pdf = pdfium.PdfDocument(folder / f"{i + 1}.pdf")
        try:
            count, stem = len(pdf), PurePosixPath(name).stem
            for index in range(count):
                uploads.check_pixels(f"{name} (page {index + 1}, at {PDF_DPI} dpi)", *_drawn_size(pdf, index))
                path = out / f"{len(scans) + 1:04d}.jpg"
                width, height = _draw_page(pdf, index, path)
                stored += path.stat().st_size
                if stored > max_bytes:
                    raise uploads.UploadError(
                        f"{name}: drawn at {PDF_DPI} dpi, its pages come to more than "
                        f"{uploads.size_text(max_bytes)} by page {index + 1} of {count}, more than the upload may "
                        f"store (UPLOAD_MAX_BYTES); no page was added"
                    )
                scans.append(
                    uploads.Scan(f"{name}#{index + 1}", stem, b"", ".jpg", width, height, single=count == 1, path=path)
                )
                job_progress(job, done=len(scans), message=f"drew page {index + 1} of {count} of {name}")
        except pdfium.PdfiumError as exc:
            raise uploads.UploadError(f"{name}: damaged PDF, a page cannot be drawn ({exc})") from exc
        finally:
            pdf.close()
    return scans


def _draw_page(pdf, index: int, path: Path) -> tuple[int, int]:
    page = pdf[index]
    try:
        bitmap = page.render(scale=SCALE, rev_byteorder=True)  # RGB, the order PIL reads without a copy
        try:
            image = bitmap.to_pil()
            (image if image.mode in ("RGB", "L") else image.convert("RGB")).save(path, "JPEG", quality=92)
            return image.width, image.height
        finally:
            bitmap.close()
    finally:
        page.close()
