"""PDFs built byte by byte for the upload tests (and the PDF memory benchmark): no file on disk, nothing rendered."""

from __future__ import annotations


def build_pdf(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF of these objects (numbered from 1, the first one the catalog), with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer_extra + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _stream(head: bytes, body: bytes) -> bytes:
    return head + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"


def pattern_pdf(pages: int, width: int, height: int, cell: float = 1.0) -> bytes:
    """`pages` pages of width×height points filled with a checkerboard `cell` points wide: about 1.5 KB whatever the
    size, and the worst case for JPEG (0.7 bytes a pixel at 200 dpi; a 3,700-point page is 106 MP and ~70 MB)."""
    half = cell / 2
    square = b"0 0 %g %g re f %g %g %g %g re f" % (half, half, half, half, half, half)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)) + b"] /Count %d >>" % pages,
        _stream(
            b"<< /Type /Pattern /PatternType 1 /PaintType 1 /TilingType 1 /BBox [0 0 %g %g] /XStep %g /YStep %g "
            b"/Resources << >>" % (cell, cell, cell, cell),
            square,
        ),
        _stream(b"<<", b"/Pattern cs /P1 scn 0 0 %d %d re f" % (width, height)),
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Pattern << /P1 3 0 R >> >> "
            b"/Contents 4 0 R >>" % (width, height)
        )
    return build_pdf(objects)
