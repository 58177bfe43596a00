"""A document as one TEI P5 file (htr/formats/tei.py): its pages in order, each line's text in the page's reading
layer linked to the line's zone on the page's image, the document's title, summary, source and metadata in the
header."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from htr.formats.tei import Surface, document_to_tei
from portal.archive import exports
from portal.archive.iiif import image_service_url
from portal.archive.models import Document


def document_tei(document: Document, *, base: str) -> bytes:
    """`base`: the site's scheme and host, for the images' URLs (our IIIF Image API)."""
    surfaces = [
        Surface(
            page=exports.page_as_htr(page),
            image_url=f"{image_service_url(base, page)}/full/max/0/default.jpg",
            label=str(page.number),
            id=f"page_{page.pk}",
        )
        for page in document.pages.order_by("number")
    ]
    metadata = [
        (str(entry.get("label", "")), str(entry.get("value", "")))
        for entry in document.metadata or []
        if isinstance(entry, dict)
    ]
    return document_to_tei(
        surfaces,
        title=document.title,
        summary=document.description,
        source=document.source,
        metadata=metadata,
        publisher=settings.SITE_NAME,
        date=timezone.localdate().isoformat(),
    )
