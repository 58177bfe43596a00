"""A document as a IIIF Presentation 3 manifest: one canvas per page, painted by the page's image from our Image API
(iiif_images.py), and each line with text as a `supplementing` annotation whose target is the line's box
(FragmentSelector xywh) and its polygon (SvgSelector), so that Mirador or Universal Viewer show the text on the scan.

The text is the page's reading layer, as in the other exports. Ids are stable URLs built from the document's and
the pages' and lines' ids (a page keeps its canvas when the pages are reordered).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from portal.archive import exports
from portal.archive.models import Document, Page

CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def _map(text: str) -> dict:
    return {"none": [text]}


def manifest_url(base: str, document: Document) -> str:
    return f"{base}/iiif/documents/{document.pk}/manifest.json"


def image_service_url(base: str, page: Page) -> str:
    return f"{base}/iiif/pages/{page.pk}"


def canvas_url(base: str, page: Page) -> str:
    return f"{base}/iiif/documents/{page.document_id}/canvases/{page.pk}"


def _polygon_svg(points: list[tuple[int, int]], width: int, height: int) -> str:
    coordinates = " ".join(f"{round(x)},{round(y)}" for x, y in points)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f"<polygon points={quoteattr(coordinates)}/></svg>"
    )


def _line_annotation(base: str, page: Page, canvas: str, line) -> dict:
    xs, ys = [x for x, _ in line.polygon], [y for _, y in line.polygon]
    x0, y0 = max(0, round(min(xs))), max(0, round(min(ys)))
    w, h = max(1, round(max(xs)) - x0), max(1, round(max(ys)) - y0)
    return {
        "id": f"{base}/iiif/documents/{page.document_id}/lines/{line.id.removeprefix('line_')}",
        "type": "Annotation",
        "motivation": "supplementing",
        "body": {"type": "TextualBody", "value": line.text, "format": "text/plain"},
        "target": {
            "type": "SpecificResource",
            "source": {"id": canvas, "type": "Canvas"},
            "selector": [
                {
                    "type": "FragmentSelector",
                    "conformsTo": "http://www.w3.org/TR/media-frags/",
                    "value": f"xywh={x0},{y0},{w},{h}",
                },
                {"type": "SvgSelector", "value": _polygon_svg(line.polygon, page.width, page.height)},
            ],
        },
    }


def _canvas(base: str, page: Page) -> dict:
    canvas = canvas_url(base, page)
    service = image_service_url(base, page)
    hpage = exports.page_as_htr(page)
    lines = [line for line in hpage.lines if line.text and len(line.polygon) >= 3]
    item = {
        "id": canvas,
        "type": "Canvas",
        "label": _map(page.original_name or str(page.number)),
        "width": page.width,
        "height": page.height,
        "thumbnail": [
            {
                "id": f"{service}/full/!{200},{200}/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "service": [{"id": service, "type": "ImageService3", "profile": "level1"}],
            }
        ],
        "items": [
            {
                "id": f"{canvas}/paintings",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas}/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": page.width,
                            "height": page.height,
                            "service": [{"id": service, "type": "ImageService3", "profile": "level1"}],
                        },
                        "target": canvas,
                    }
                ],
            }
        ],
    }
    if lines:
        item["annotations"] = [
            {
                "id": f"{canvas}/lines",
                "type": "AnnotationPage",
                "items": [_line_annotation(base, page, canvas, line) for line in lines],
            }
        ]
    return item


def document_manifest(document: Document, *, base: str) -> dict:
    """The manifest; `base` is the site's scheme and host (`https://archive.example`), without a trailing slash."""
    metadata = [
        {"label": _map(entry.get("label", "")), "value": _map(entry.get("value", ""))}
        for entry in document.metadata or []
        if isinstance(entry, dict)
    ]
    if document.source:
        metadata.append({"label": _map("Source"), "value": _map(document.source)})
    manifest = {
        "@context": CONTEXT,
        "id": manifest_url(base, document),
        "type": "Manifest",
        "label": _map(document.title),
        "metadata": metadata,
        "viewingDirection": "right-to-left" if document.direction == Document.Direction.RTL else "left-to-right",
        "homepage": [
            {
                "id": f"{base}/documents/{document.pk}/",
                "type": "Text",
                "label": _map(document.title),
                "format": "text/html",
            }
        ],
        "rendering": [
            {
                "id": f"{base}/api/documents/{document.pk}/export/?format=tei",
                "type": "Text",
                "label": {"en": ["TEI P5 transcription"]},
                "format": "application/tei+xml",
            }
        ],
        "items": [_canvas(base, page) for page in document.pages.order_by("number")],
    }
    if document.description:
        manifest["summary"] = _map(document.description)
    if not metadata:
        del manifest["metadata"]
    return manifest
