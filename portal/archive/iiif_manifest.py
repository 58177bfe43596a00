"""Reading a IIIF Presentation 2 or 3 manifest: its label, summary and metadata, and for each canvas the image to
fetch (from its Image API service where it has one, else the canvas's image itself).

Only what the import needs is read; a manifest that lacks it is refused with a message naming what is missing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from django.utils.html import strip_tags


class ManifestError(ValueError):
    """A manifest that cannot be imported; the message says why."""


@dataclass
class Canvas:
    label: str
    width: int
    height: int
    service: str = ""  # the Image API service's base URL, without a trailing slash
    service_version: int = 2
    image: str = ""  # the painted image's own URL (the fallback)

    def image_url(self, max_side: int) -> str:
        """The image at no more than `max_side` pixels a side (never upscaled), from the service if there is one."""
        if not self.service:
            return self.image
        full = "max" if self.service_version >= 3 else "full"
        if self.width and self.height and max(self.width, self.height) <= max_side:
            size = full
        else:
            size = f"!{max_side},{max_side}"
        return f"{self.service}/full/{size}/0/default.jpg"

    def full_url(self) -> str:
        """The service's whole image (what a level-0 server always has)."""
        full = "max" if self.service_version >= 3 else "full"
        return f"{self.service}/full/{full}/0/default.jpg" if self.service else self.image


@dataclass
class Manifest:
    id: str
    version: int
    label: str
    summary: str = ""
    metadata: list[dict] = field(default_factory=list)  # [{"label": ..., "value": ...}]
    attribution: str = ""
    rights: str = ""
    canvases: list[Canvas] = field(default_factory=list)

    def canvases_as_params(self) -> list[dict]:
        return [asdict(c) for c in self.canvases]


def text_of(value, languages: tuple[str, ...] = ("none", "en")) -> str:
    """Plain text of a IIIF label/value: a v3 language map, a v2 string, {"@value"} or a list of those."""
    if value is None:
        return ""
    if isinstance(value, str):
        return strip_tags(value).strip()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "; ".join(t for t in (text_of(v, languages) for v in value) if t)
    if isinstance(value, dict):
        if "@value" in value:
            return text_of(value["@value"], languages)
        for language in (*languages, *value.keys()):
            if language in value:
                return text_of(value[language], languages)
    return ""


def _id(obj) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return str(obj.get("id") or obj.get("@id") or "")
    return ""


def _first(value):
    return value[0] if isinstance(value, list) and value else value


def _service(resource: dict) -> tuple[str, int]:
    """(base URL, Image API version) of an image resource's service; ("", 0) without one."""
    services = resource.get("service") or []
    for service in services if isinstance(services, list) else [services]:
        if not isinstance(service, dict):
            continue
        kind = str(service.get("type") or service.get("@type") or "")
        context = json.dumps(service.get("@context") or "")
        profile = json.dumps(service.get("profile") or "")
        if kind.startswith("ImageService") or "iiif.io/api/image" in context + profile:
            version = 3 if kind == "ImageService3" or "image/3" in context else 2
            base = _id(service).rstrip("/")
            if base.endswith("/info.json"):
                base = base[: -len("/info.json")]
            if base:
                return base, version
    return "", 0


def _size(obj: dict, name: str) -> int:
    try:
        return max(0, int(obj.get(name) or 0))
    except (TypeError, ValueError):
        return 0


def _canvas(canvas: dict, resource, number: int) -> Canvas:
    if isinstance(resource, dict) and str(resource.get("type") or resource.get("@type")) in ("Choice", "oa:Choice"):
        resource = resource.get("default") or _first(resource.get("items")) or {}
    if not isinstance(resource, dict) or not _id(resource):
        raise ManifestError(f"canvas {number} ({text_of(canvas.get('label')) or _id(canvas)}) has no image")
    service, version = _service(resource)
    return Canvas(
        label=text_of(canvas.get("label")) or str(number),
        width=_size(canvas, "width") or _size(resource, "width"),
        height=_size(canvas, "height") or _size(resource, "height"),
        service=service,
        service_version=version or 2,
        image=_id(resource),
    )


def _canvases_v2(manifest: dict) -> list[Canvas]:
    sequence = _first(manifest.get("sequences")) or {}
    canvases = sequence.get("canvases") if isinstance(sequence, dict) else None
    found = []
    for number, canvas in enumerate(canvases or [], start=1):
        if not isinstance(canvas, dict):
            raise ManifestError(f"canvas {number} is not an object")
        image = _first(canvas.get("images")) or {}
        found.append(_canvas(canvas, image.get("resource") if isinstance(image, dict) else None, number))
    return found


def _canvases_v3(manifest: dict) -> list[Canvas]:
    found = []
    for number, canvas in enumerate(manifest.get("items") or [], start=1):
        if not isinstance(canvas, dict) or canvas.get("type") != "Canvas":
            continue  # a manifest's items are canvases; anything else is not a page
        body = None
        for page in canvas.get("items") or []:
            for annotation in (page.get("items") or []) if isinstance(page, dict) else []:
                if isinstance(annotation, dict) and annotation.get("motivation") in ("painting", ["painting"]):
                    body = _first(annotation.get("body"))
                    break
            if body is not None:
                break
        found.append(_canvas(canvas, body, number))
    return found


def _metadata(manifest: dict) -> list[dict]:
    entries = []
    for entry in manifest.get("metadata") or []:
        if isinstance(entry, dict):
            label, value = text_of(entry.get("label")), text_of(entry.get("value"))
            if label or value:
                entries.append({"label": label[:500], "value": value[:5000]})
    return entries


def manifest_read(data: bytes, *, source: str) -> Manifest:
    """The manifest in `data` (JSON), version 2 or 3; raises ManifestError naming `source`."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{source}: not a IIIF manifest (not JSON: {exc})") from exc
    if not isinstance(document, dict):
        raise ManifestError(f"{source}: not a IIIF manifest (the JSON is not an object)")
    context = json.dumps(document.get("@context") or "")
    kind = str(document.get("type") or document.get("@type") or "")
    if "presentation/3" in context:
        version = 3
    elif "presentation/2" in context:
        version = 2
    else:
        raise ManifestError(f"{source}: not a IIIF Presentation 2 or 3 manifest (its @context names neither version)")
    if kind in ("Collection", "sc:Collection"):
        raise ManifestError(f"{source}: a IIIF collection, not a manifest; import its manifests one by one")
    if kind not in ("Manifest", "sc:Manifest"):
        raise ManifestError(f"{source}: a IIIF {kind or 'resource without a type'}, not a manifest")
    canvases = _canvases_v3(document) if version == 3 else _canvases_v2(document)
    if not canvases:
        raise ManifestError(f"{source}: the manifest has no canvases (no pages to import)")
    if version == 3:
        statement = document.get("requiredStatement") or {}
        attribution = text_of(statement.get("value")) if isinstance(statement, dict) else ""
        summary, rights = text_of(document.get("summary")), str(document.get("rights") or "")
    else:
        attribution = text_of(document.get("attribution"))
        summary, rights = text_of(document.get("description")), str(document.get("license") or "")
    return Manifest(
        id=_id(document),
        version=version,
        label=text_of(document.get("label")),
        summary=summary,
        metadata=_metadata(document),
        attribution=attribution,
        rights=rights if isinstance(rights, str) else "",
        canvases=canvases,
    )
