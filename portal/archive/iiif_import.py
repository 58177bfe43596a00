"""A document from a IIIF manifest: read in the request, its page images fetched by a worker.

The web request reads the manifest (fetched from its URL, or uploaded) and refuses a bad one at once; a good one
becomes a new document (label, summary, metadata, attribution kept) with an `iiif_import` job on the `default` queue.
The worker fetches each canvas's image at no more than IIIF_IMPORT_MAX_SIDE pixels a side (from its Image API
service, `full/!N,N/0/default.jpg`; from the whole image, scaled here, where the service refuses that size; from the
canvas's image where there is no service), checks it is an image of a sane size, and keeps it in the job's folder.
Once every page is fetched they become the document's pages at once and go through the reading pipeline, like any
upload; a failed fetch fails the job with the reason, and no page is added.
"""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageOps

from portal.archive import uploads
from portal.archive.iiif_fetch import FetchError, fetch
from portal.archive.iiif_manifest import Canvas, Manifest, ManifestError, manifest_read
from portal.archive.models import Document, Project
from portal.archive.page_jobs import job_pages_store
from portal.jobs.heartbeat import beat_start, resumable
from portal.jobs.models import Job
from portal.jobs.progress import JobCancelled, JobSuperseded, job_fail, job_progress, job_start

log = logging.getLogger(__name__)

KIND = "iiif_import"
MANIFEST_ACCEPT = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json", application/json'


class ImportRefused(ValueError):
    """The manifest cannot be imported (bad, unreachable, too large); nothing was created."""


def manifest_fetch(url: str) -> tuple[bytes, str]:
    """(the manifest's bytes, its final URL); raises ImportRefused."""
    try:
        fetched = fetch(url.strip(), max_bytes=settings.IIIF_MANIFEST_MAX_BYTES, accept=MANIFEST_ACCEPT)
    except FetchError as exc:
        raise ImportRefused(str(exc)) from exc
    return fetched.data, fetched.url


def iiif_import_start(
    *, project: Project, user, url: str = "", data: bytes | None = None, name: str = "manifest.json"
) -> tuple[Document, Job]:
    """A new document of `project` from the manifest at `url` or in `data`, and the job that fetches its pages."""
    if data is None:
        if not url:
            raise ImportRefused("give a manifest's address or upload a manifest file")
        data, url = manifest_fetch(url)
    elif len(data) > settings.IIIF_MANIFEST_MAX_BYTES:
        raise ImportRefused(
            f"{name}: {uploads.size_text(len(data))}, more than the limit of "
            f"{uploads.size_text(settings.IIIF_MANIFEST_MAX_BYTES)} for a manifest"
        )
    try:
        manifest = manifest_read(data, source=url or name)
    except ManifestError as exc:
        raise ImportRefused(str(exc)) from exc
    if len(manifest.canvases) > settings.UPLOAD_MAX_PAGES:
        raise ImportRefused(
            f"{url or name}: {len(manifest.canvases)} canvases, more than the limit of "
            f"{settings.UPLOAD_MAX_PAGES} pages (UPLOAD_MAX_PAGES)"
        )
    with transaction.atomic():
        document = Document.objects.create(
            project=project,
            title=(manifest.label or url or name)[:300],
            description=manifest.summary,
            script=project.script,
            source=(url or manifest.id)[:2000],
            metadata=_metadata_kept(manifest),
            created_by=user if user is not None and user.is_authenticated else None,
        )
        job = Job.objects.create(
            kind=KIND,
            owner=user if user is not None and user.is_authenticated else None,
            target=f"archive.document:{document.pk}",
            group=f"document-{document.pk}",
            params={"source": url or name, "canvases": manifest.canvases_as_params()},
            total=len(manifest.canvases),
            message=f"{len(manifest.canvases)} IIIF pages to fetch",
            task_id=str(uuid4()),
        )
        transaction.on_commit(lambda: _enqueue(job))
    return document, job


def _metadata_kept(manifest: Manifest) -> list[dict]:
    kept = list(manifest.metadata)
    if manifest.attribution:
        kept.append({"label": "Attribution", "value": manifest.attribution})
    if manifest.rights:
        kept.append({"label": "Rights", "value": manifest.rights})
    return kept


def _enqueue(job: Job) -> None:
    from portal.archive import tasks

    try:
        tasks.iiif_import.si(job.pk, job.attempt).set(task_id=job.task_id).apply_async()
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the job
        log.exception("could not queue job %s", job.pk)
        job_fail(job, f"could not queue the work: {exc}")


@resumable(KIND)
def iiif_import_resume(job: Job) -> None:
    """Fetch again from the first page: nothing was stored before the last page was fetched."""
    job.task_id = str(uuid4())
    Job.objects.filter(pk=job.pk).update(task_id=job.task_id, message="fetching the pages again (the worker stopped)")
    _enqueue(job)


def job_dir(job: Job) -> Path:
    document_id = job.target.partition(":")[2]
    return Path(settings.MEDIA_ROOT) / "documents" / document_id / "uploads" / f"iiif-{job.pk}"


def iiif_import(*, job_id: int, attempt: int | None = None) -> None:
    """The worker's part: fetch every page to disk, then store them all as the document's pages."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.is_active or (attempt is not None and attempt != job.attempt):
        return
    folder = job_dir(job)
    document = Document.objects.filter(pk=job.target.partition(":")[2]).first()
    try:
        if document is None:
            raise uploads.UploadError("the document was deleted")
        if job.status == Job.Status.QUEUED:
            job_start(job, total=len(job.params["canvases"]), message="fetching the IIIF pages")
        else:
            beat_start(job)
        scans = _fetch_pages(job, folder)
        job_pages_store(job=job, document=document, scans=scans)
    except JobSuperseded:
        return  # a newer run fetches them now, in this folder
    except JobCancelled:
        pass
    except (uploads.UploadError, FetchError) as exc:
        job_fail(job, f"{exc}; no page was added")
    except Exception as exc:  # noqa: BLE001 - recorded on the job
        log.exception("job %s: the IIIF import failed", job.pk)
        job_fail(job, f"the IIIF pages could not be fetched: {exc}; no page was added")
    shutil.rmtree(folder, ignore_errors=True)


def _fetch_pages(job: Job, folder: Path) -> list[uploads.Scan]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    canvases = [Canvas(**c) for c in job.params["canvases"]]
    budget, stored, scans = settings.UPLOAD_MAX_BYTES, 0, []
    for number, canvas in enumerate(canvases, start=1):
        name = f"{canvas.label} (canvas {number} of {len(canvases)})"
        path = folder / f"{number:04d}.jpg"
        width, height = page_fetch(canvas, name=name, path=path)
        stored += path.stat().st_size
        if stored > budget:
            raise uploads.UploadError(
                f"{name}: the pages come to more than {uploads.size_text(budget)} (UPLOAD_MAX_BYTES)"
            )
        scans.append(
            uploads.Scan(canvas.label[:300], canvas.label, b"", ".jpg", width, height, single=False, path=path)
        )
        job_progress(job, done=number, message=f"fetched page {number} of {len(canvases)}: {canvas.label}")
    return scans


def page_fetch(canvas: Canvas, *, name: str, path: Path) -> tuple[int, int]:
    """Fetch the canvas's image to `path` as a JPEG of at most IIIF_IMPORT_MAX_SIDE a side; (width, height)."""
    max_side = settings.IIIF_IMPORT_MAX_SIDE
    url = canvas.image_url(max_side)
    try:
        fetched = fetch(url, max_bytes=settings.IIIF_IMAGE_MAX_BYTES, accept="image/jpeg, image/*")
    except FetchError:
        if not canvas.service or url == canvas.full_url():
            raise
        fetched = fetch(canvas.full_url(), max_bytes=settings.IIIF_IMAGE_MAX_BYTES, accept="image/jpeg, image/*")
    return _image_store(
        fetched.data, name=f"{name}, {fetched.url}", content_type=fetched.content_type, path=path, max_side=max_side
    )


def _image_store(data: bytes, *, name: str, content_type: str, path: Path, max_side: int) -> tuple[int, int]:
    kind = uploads.sniff(data)
    if kind not in ("jpeg", "png", "tiff"):
        raise uploads.UploadError(f"{name}: the server sent {content_type or 'something'} that is not an image")
    try:
        with Image.open(io.BytesIO(data)) as img:
            uploads.check_pixels(name, *img.size)
            img.load()
            turned = img.getexif().get(0x0112, 1) not in (1, None)  # EXIF orientation
            upright = ImageOps.exif_transpose(img) if turned else img
            if kind == "jpeg" and not turned and max(img.size) <= max_side and img.mode in ("RGB", "L"):
                path.write_bytes(data)  # as the server sent it: no second JPEG compression
                return img.size
            if max(upright.size) > max_side:
                upright.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            (upright if upright.mode in ("RGB", "L") else upright.convert("RGB")).save(path, "JPEG", quality=92)
            return upright.size
    except Image.DecompressionBombError as exc:
        raise uploads.UploadError(f"{name}: image too large, refused as a possible decompression bomb") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if isinstance(exc, uploads.UploadError):
            raise
        raise uploads.UploadError(f"{name}: damaged or truncated image ({exc})") from exc
