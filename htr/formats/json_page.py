"""The engine's own JSON: the dataclasses as they are, readable by the reference evaluator (htreval.py)."""

from __future__ import annotations

import json
from typing import Any

from htr.formats._xml import FormatError
from htr.lines import Line, Page, Point, Region


def read_json(data: bytes, name: str, image_name: str | None = None) -> Page:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{name}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("lines", []), list):
        raise FormatError(f"{name}: JSON page must be an object with a list of 'lines'")
    try:
        return Page(
            image=image_name or str(doc.get("image", "")),
            width=int(doc.get("width", 0)),
            height=int(doc.get("height", 0)),
            regions=[
                Region(
                    id=str(r["id"]),
                    polygon=_points(r.get("polygon")),
                    kind=str(r.get("kind", "text")),
                )
                for r in doc.get("regions", [])
            ],
            lines=[
                Line(
                    id=str(ln.get("id") or f"line_{i + 1}"),
                    polygon=_points(ln.get("polygon")),
                    baseline=_points(ln.get("baseline")),
                    text=str(ln.get("text") or ""),
                    confidences=[float(c) for c in ln.get("confidences") or []],
                    region=ln.get("region"),
                )
                for i, ln in enumerate(doc["lines"])
            ],
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FormatError(f"{name}: malformed JSON page ({exc!r})") from exc


def _points(value: Any) -> list[Point]:
    return [(round(float(p[0])), round(float(p[1]))) for p in value or []]


def write_json(page: Page) -> bytes:
    doc = {
        "image": page.image,
        "width": page.width,
        "height": page.height,
        "regions": [{"id": r.id, "polygon": [list(p) for p in r.polygon], "kind": r.kind} for r in page.regions],
        "lines": [
            {
                "id": ln.id,
                "region": ln.region,
                "polygon": [list(p) for p in ln.polygon],
                "baseline": [list(p) for p in ln.baseline],
                "text": ln.text,
                "confidences": [round(c, 4) for c in ln.confidences],
            }
            for ln in page.lines
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
