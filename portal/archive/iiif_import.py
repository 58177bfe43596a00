"""A document from a IIIF manifest: its page images (and a manifest given by address) fetched by a worker.

The web request reads an uploaded manifest and refuses a bad one at once; a manifest's address is only checked there,
and the worker fetches and reads it (retrying transient failures), so no web request waits on another server. Either
way a new document (label, summary, metadata, attribution kept) gets an `iiif_import` job on the `default` queue.
The worker fetches each canvas's image at no more than IIIF_IMPORT_MAX_SIDE pixels a side (from its Image API
service, `full/!N,N/0/default.jpg`; from the whole image, scaled here, where the service refuses that size; from the
canvas's image where there is no service), checks it is an image of a sane size, and keeps it in the job's folder.
Once every page is fetched they become the document's pages at once and go through the reading pipeline, like any
upload; a failed fetch fails the job with the reason, and no page is added.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from PIL import Image, ImageOps

from portal.accounts.users import signed_in
from portal.archive import uploads
from portal.archive.iiif_fetch import FetchError, address_check, fetch_retrying
from portal.archive.iiif_manifest import Canvas, Manifest, ManifestError, manifest_read
from portal.archive.models import Document, Project
from portal.archive.page_jobs import page_job_create, page_job_resume, page_job_run, page_job_task
from portal.jobs.heartbeat import resumable
from portal.jobs.models import Job
from portal.jobs.progress import job_progress
from portal.jobs.queue import job_enqueue

KIND = "iiif_import"
MANIFEST_ACCEPT = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json", application/json'


class ImportRefused(ValueError):
    """The manifest cannot be imported (bad, unreachable, too large); nothing was created."""


def manifest_fetch(url: str) -> tuple[bytes, str]:
    """(the manifest's bytes, its final URL), transient failures tried again; raises ImportRefused."""
    try:
        fetched = fetch_retrying(url.strip(), max_bytes=settings.IIIF_MANIFEST_MAX_BYTES, accept=MANIFEST_ACCEPT)
    except FetchError as exc:
        raise ImportRefused(str(exc)) from exc
    return fetched.data, fetched.url


def manifest_checked(data: bytes, source: str) -> Manifest:
    """The manifest read from `data`; raises ImportRefused for a bad one or one with too many canvases."""
    try:
        manifest = manifest_read(data, source=source)
    except ManifestError as exc:
        raise ImportRefused(str(exc)) from exc
    if len(manifest.canvases) > settings.UPLOAD_MAX_PAGES:
        raise ImportRefused(
            f"{source}: {len(manifest.canvases)} canvases, more than the limit of "
            f"{settings.UPLOAD_MAX_PAGES} pages (UPLOAD_MAX_PAGES)"
        )
    return manifest


def iiif_import_start(
    *, project: Project, user, url: str = "", data: bytes | None = None, name: str = "manifest.json"
) -> tuple[Document, Job]:
    """A new document of `project` from the manifest at `url` or in `data`, and the job that fetches its pages.

    An uploaded manifest is read here and a bad one refused at once. A manifest's address is only checked here
    (an http(s) address of a public server: a name lookup, no connection); the worker fetches and reads it, so a
    slow or failing server never holds a web request, and a bad manifest fails the job with the reason."""
    manifest = None
    if data is None:
        url = url.strip()
        if not url:
            raise ImportRefused("give a manifest's address or upload a manifest file")
        try:
            address_check(url)
        except FetchError as exc:
            raise ImportRefused(str(exc)) from exc
    elif len(data) > settings.IIIF_MANIFEST_MAX_BYTES:
        raise ImportRefused(
            f"{name}: {uploads.size_text(len(data))}, more than the limit of "
            f"{uploads.size_text(settings.IIIF_MANIFEST_MAX_BYTES)} for a manifest"
        )
    else:
        manifest = manifest_checked(data, name)
    canvases = manifest.canvases_as_params() if manifest is not None else []
    with transaction.atomic():
        document = Document.objects.create(
            project=project,
            title=((manifest.label if manifest else "") or url or name)[:300],
            description=manifest.summary if manifest else "",
            script=project.script,
            source=(url or (manifest.id if manifest else ""))[:2000],
            metadata=_metadata_kept(manifest) if manifest else [],
            created_by=signed_in(user),
        )
        job = page_job_create(
            kind=KIND,
            document=document,
            user=user,
            params={"source": url or name, "manifest_url": url if manifest is None else "", "canvases": canvases},
            total=len(canvases),
            message=f"{len(canvases)} IIIF pages to fetch" if manifest else "the manifest is to be fetched",
        )
        job_enqueue(_signature(job), job=job)
    return document, job


def _metadata_kept(manifest: Manifest) -> list[dict]:
    kept = list(manifest.metadata)
    if manifest.attribution:
        kept.append({"label": "Attribution", "value": manifest.attribution})
    if manifest.rights:
        kept.append({"label": "Rights", "value": manifest.rights})
    return kept


_signature = page_job_task("iiif_import")


@resumable(KIND)
def iiif_import_resume(job: Job) -> None:
    """Fetch again from the first page: nothing was stored before the last page was fetched."""
    page_job_resume(job, _signature, "fetching the pages again (the worker stopped)")


def job_dir(job: Job) -> Path:
    document_id = job.target.partition(":")[2]
    return Path(settings.MEDIA_ROOT) / "documents" / document_id / "uploads" / f"iiif-{job.pk}"


def iiif_import(*, job_id: int, attempt: int | None = None) -> None:
    """The worker's part: fetch every page to disk, then store them all as the document's pages."""
    page_job_run(
        job_id=job_id,
        attempt=attempt,
        folder_of=job_dir,
        total_of=lambda job: len(job.params["canvases"]),
        starting="fetching the IIIF pages",
        scans_made=_scans_made,
        refused=(uploads.UploadError, FetchError, ImportRefused),
        failed="the IIIF pages could not be fetched",
        no_page="; no page was added",
    )


def _scans_made(job: Job, document: Document, folder: Path) -> list[uploads.Scan]:
    if job.params.get("manifest_url") and not job.params["canvases"]:
        _manifest_load(job, document)
    return _fetch_pages(job, folder)


def _manifest_load(job: Job, document: Document) -> None:
    """The worker's first step for an import by address: fetch and read the manifest, give the document its label,
    summary and metadata, and the job its canvases (kept, so a resumed job does not fetch the manifest again)."""
    url = job.params["manifest_url"]
    job_progress(job, done=0, message=f"fetching the manifest {url}")
    data, final_url = manifest_fetch(url)
    manifest = manifest_checked(data, url)
    Document.objects.filter(pk=document.pk).update(
        title=(manifest.label or url)[:300],
        description=manifest.summary,
        source=url[:2000] if final_url == url else final_url[:2000],
        metadata=_metadata_kept(manifest),
    )
    job.params = {**job.params, "canvases": manifest.canvases_as_params()}
    Job.objects.filter(pk=job.pk).update(params=job.params)
    job_progress(
        job,
        done=0,
        total=len(manifest.canvases),
        message=f"{len(manifest.canvases)} IIIF pages to fetch",
    )


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
        fetched = fetch_retrying(url, max_bytes=settings.IIIF_IMAGE_MAX_BYTES, accept="image/jpeg, image/*")
    except FetchError as exc:
        if not canvas.service or url == canvas.full_url() or exc.transient:
            raise
        fetched = fetch_retrying(
            canvas.full_url(), max_bytes=settings.IIIF_IMAGE_MAX_BYTES, accept="image/jpeg, image/*"
        )
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
