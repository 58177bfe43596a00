"""A small IIIF server for the import tests, on 127.0.0.1 in a thread: Presentation 2 and 3 manifests and an Image
API (2 and 3) that crops and scales real images with Pillow, plus the bad answers an import must survive.

Images (drawn once, kept in memory): `folio1` 5000×3000 and `folio2` 1200×1600 JPEGs, `plain.jpg` served without a
service, `html` (an HTML page where an image should be), `huge` (a PNG of 12000×11000 pixels, over
UPLOAD_MAX_PIXELS), and `level0` whose service refuses every size but the whole image; `/v3/empty/manifest.json` has no canvases. Every
request's path is recorded in `server.requests`; `server.failures[path] = n` answers that path 503 n times first.
"""

from __future__ import annotations

import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

SIZES = {"folio1": (5000, 3000), "folio2": (1200, 1600), "level0": (900, 700), "plain": (800, 600)}


def _drawn(name: str, size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, (240, 232, 212))
    draw = ImageDraw.Draw(image)
    for y in range(100, size[1] - 100, 150):
        draw.line([(100, y), (size[0] - 100, y)], fill=(50, 40, 30), width=8)
    draw.rectangle([0, 0, size[0] // 10, size[1] // 10], fill=(200, 30, 30))  # a mark to check crops by
    return image


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    return buf.getvalue()


class IiifServer:
    def __init__(self):
        self.images = {name: _drawn(name, size) for name, size in SIZES.items()}
        self.requests: list[str] = []
        self.failures: dict[str, int] = {}  # path -> how many 503 answers it gets before the real one
        self._huge: bytes | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                if server.failures.get(self.path, 0) > 0:  # a server failing for a while, then answering
                    server.failures[self.path] -= 1
                    status, content_type, body = 503, "text/plain", b"busy, try again"
                else:
                    status, content_type, body = server.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> IiifServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- manifests ---------------------------------------------------------------------------------------------

    def manifest_v3(self, images: list[str]) -> dict:
        canvases = []
        for i, name in enumerate(images, start=1):
            width, height = SIZES.get(name, (1000, 1000))
            body = {
                "id": f"{self.base}/iiif3/{name}/full/max/0/default.jpg",
                "type": "Image",
                "format": "image/jpeg",
                "width": width,
                "height": height,
                "service": [{"id": f"{self.base}/iiif3/{name}", "type": "ImageService3", "profile": "level1"}],
            }
            if name == "plain":
                body = {"id": f"{self.base}/files/plain.jpg", "type": "Image", "format": "image/jpeg"}
            canvases.append(
                {
                    "id": f"{self.base}/canvas/{i}",
                    "type": "Canvas",
                    "label": {"en": [f"f. {i}r"]},
                    "width": width,
                    "height": height,
                    "items": [
                        {
                            "id": f"{self.base}/canvas/{i}/page",
                            "type": "AnnotationPage",
                            "items": [
                                {
                                    "id": f"{self.base}/canvas/{i}/image",
                                    "type": "Annotation",
                                    "motivation": "painting",
                                    "body": body,
                                    "target": f"{self.base}/canvas/{i}",
                                }
                            ],
                        }
                    ],
                }
            )
        return {
            "@context": "http://iiif.io/api/presentation/3/context.json",
            "id": f"{self.base}/v3/manifest.json",
            "type": "Manifest",
            "label": {"fr": ["Registre des délibérations, 1914"]},
            "summary": {"en": ["Minutes of the <b>town council</b>."]},
            "metadata": [
                {"label": {"en": ["Date"]}, "value": {"none": ["1914"]}},
                {"label": {"en": ["Shelfmark"]}, "value": {"none": ["AD14 3 E 12"]}},
            ],
            "requiredStatement": {"label": {"en": ["Attribution"]}, "value": {"en": ["Archives du Calvados"]}},
            "items": canvases,
        }

    def manifest_v2(self, images: list[str]) -> dict:
        canvases = []
        for i, name in enumerate(images, start=1):
            width, height = SIZES.get(name, (1000, 1000))
            resource = {
                "@id": f"{self.base}/files/{name}.jpg",
                "@type": "dctypes:Image",
                "format": "image/jpeg",
                "service": {
                    "@context": "http://iiif.io/api/image/2/context.json",
                    "@id": f"{self.base}/iiif2/{name}",
                    "profile": "http://iiif.io/api/image/2/level1.json",
                },
            }
            if name == "plain":
                resource.pop("service")
            canvases.append(
                {
                    "@id": f"{self.base}/c{i}",
                    "@type": "sc:Canvas",
                    "label": f"p. {i}",
                    "width": width,
                    "height": height,
                    "images": [
                        {
                            "@type": "oa:Annotation",
                            "motivation": "sc:painting",
                            "resource": resource,
                            "on": f"{self.base}/c{i}",
                        }
                    ],
                }
            )
        return {
            "@context": "http://iiif.io/api/presentation/2/context.json",
            "@id": f"{self.base}/v2/manifest.json",
            "@type": "sc:Manifest",
            "label": "Журнал входящих бумаг",
            "description": "Книга 1812 года",
            "attribution": "ЦГИА СПб",
            "metadata": [{"label": "Фонд", "value": "Ф. 19"}],
            "sequences": [{"@type": "sc:Sequence", "canvases": canvases}],
        }

    # --- answers -----------------------------------------------------------------------------------------------

    def answer(self, path: str) -> tuple[int, str, bytes]:
        path = path.split("?", 1)[0]
        if path == "/v3/empty/manifest.json":
            data = {**self.manifest_v3([]), "items": []}
            return 200, "application/json", json.dumps(data).encode()
        match = re.fullmatch(r"/(v2|v3)/(?:([\w,]+)/)?manifest\.json", path)
        if match:
            names = (match[2] or "folio1,folio2").split(",")
            data = self.manifest_v3(names) if match[1] == "v3" else self.manifest_v2(names)
            return 200, "application/json", json.dumps(data).encode()
        if path == "/files/plain.jpg":
            return 200, "image/jpeg", _jpeg(self.images["plain"])
        match = re.fullmatch(r"/iiif([23])/(\w+)/([^/]+)/([^/]+)/0/default\.jpg", path)
        if match:
            return self.image(match[2], match[3], match[4])
        return 404, "text/plain", b"not found"

    def image(self, name: str, region: str, size: str) -> tuple[int, str, bytes]:
        if name == "html":
            return 200, "text/html", b"<html><body>Service temporarily unavailable</body></html>"
        if name == "huge":
            if self._huge is None:
                buf = io.BytesIO()
                Image.new("1", (12000, 11000)).save(buf, "PNG")
                self._huge = buf.getvalue()
            return 200, "image/png", self._huge
        image = self.images.get(name)
        if image is None:
            return 404, "text/plain", b"no such image"
        if name == "level0" and size not in ("full", "max"):
            return 400, "text/plain", b"level 0: only full sizes"
        if region != "full":
            x, y, w, h = (int(v) for v in region.split(","))
            image = image.crop((x, y, x + w, y + h))
        if size not in ("full", "max"):
            match = re.fullmatch(r"(!?)(\d*),(\d*)", size)
            if not match:
                return 400, "text/plain", b"bad size"
            w, h = int(match[2] or 0), int(match[3] or 0)
            if match[1]:
                scale = min(w / image.width, h / image.height)
                w, h = round(image.width * scale), round(image.height * scale)
            w = w or round(image.width * h / image.height)
            h = h or round(image.height * w / image.width)
            image = image.resize((w, h), Image.Resampling.LANCZOS)
        return 200, "image/jpeg", _jpeg(image)
