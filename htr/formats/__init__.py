"""Page files in and out: ALTO v4 (the default, what eScriptorium and kraken exchange), PAGE XML 2019, JSON.

    page = read_page("page.xml")                 # ALTO or PAGE, told apart by namespace; or our JSON
    write_page(page, "out/page.xml", format="page")

Line datasets (Digital Peter folders, TSV manifests) are in `htr.formats.peter` and `htr.formats.tsv`.
"""

from __future__ import annotations

from pathlib import Path

from htr.formats._xml import FormatError, local, namespace, parse_xml
from htr.formats.alto import read_alto, write_alto
from htr.formats.json_page import read_json, write_json
from htr.formats.page import read_page_xml, write_page_xml
from htr.lines import Page

FORMATS: tuple[str, ...] = ("alto", "page", "json")
SUFFIXES: dict[str, str] = {"alto": ".xml", "page": ".xml", "json": ".json"}

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "FormatError",
    "page_to_bytes",
    "read_page",
    "write_page",
]


def read_page(src: str | Path | bytes, image_name: str | None = None) -> Page:
    """Read an ALTO (v2-v4), PAGE XML (any schema year) or JSON page file, from a path or its bytes.

    `image_name` overrides the image file name the file records (e.g. when the image was renamed on upload).
    Raises FormatError (a ValueError) with the file's name and the reason when the input is none of these.
    """
    if isinstance(src, (bytes, bytearray)):
        data, name = bytes(src), "<bytes>"
    else:
        name = str(src)
        try:
            data = Path(src).read_bytes()
        except FileNotFoundError:
            raise FormatError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise FormatError(f"{name}: is a folder, expected a page file") from None
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise FormatError(f"{name}: empty file")
    if head[:1] in (b"{", b"["):
        return read_json(data, name, image_name)
    root = parse_xml(head, name)
    ns = namespace(root.tag) if isinstance(root.tag, str) else ""
    if local(root.tag) == "alto" or "/alto/" in ns:
        return read_alto(root, name, image_name)
    if "primaresearch.org/PAGE" in ns or local(root.tag) == "PcGts":
        return read_page_xml(root, name, image_name)
    raise FormatError(
        f"{name}: unknown page format: root element <{local(root.tag)}> in namespace {ns or '(none)'!r}; "
        "expected ALTO or PAGE XML"
    )


def page_to_bytes(page: Page, format: str = "alto") -> bytes:
    """Serialise a page as "alto" (v4), "page" (PAGE XML 2019) or "json"."""
    writers = {"alto": write_alto, "page": write_page_xml, "json": write_json}
    if format not in writers:
        raise ValueError(f"unknown page format {format!r}; choose one of {', '.join(FORMATS)}")
    return writers[format](page)


def write_page(page: Page, path: str | Path, format: str = "alto") -> Path:
    """Write the page file (parent folders are created) and return its path."""
    data = page_to_bytes(page, format)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
