"""The fonts synthetic lines are written in: one `FontFamily` per folder of font files.

A family is a folder holding one or more face files (.ttf, .otf, .woff) that together cover its characters:
fontsource splits a Google Fonts family into latin / cyrillic / cyrillic-ext subsets, so "Caveat" is three
files, and ѣ or ѳ often live only in the cyrillic-ext one. A character is drawn with the first face of the
family that has it; a character no face has (many handwriting families lack ѣ ѳ ѵ) is borrowed from a
fallback family, so those letters stay well represented whichever family a line is drawn with.

Fonts are looked up in the folders given, then $SKOROPIS_FONTS (default ~/.cache/skoropis/fonts, filled by
`scripts/fetch_fonts.sh`), then the few small OFL fonts bundled beside this module. Nothing is downloaded here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from PIL import ImageFont

FONT_SUFFIXES = (".ttf", ".otf", ".woff")
BUNDLED_FONTS = Path(__file__).with_name("fonts")

# What a family must cover to write a script by itself (rarer letters may come from a fallback family).
SCRIPT_LETTERS = {
    "cyrillic": "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ",
    "latin": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


class FontsMissing(RuntimeError):
    """No usable font for the requested script or families."""


def default_font_dirs() -> list[Path]:
    env = os.environ.get("SKOROPIS_FONTS")
    user = Path(env).expanduser() if env else Path.home() / ".cache" / "skoropis" / "fonts"
    return [user, BUNDLED_FONTS]


@lru_cache(maxsize=256)
def _codepoints(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


@lru_cache(maxsize=1024)
def _freetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@dataclass
class FontFamily:
    name: str
    faces: list[Path]
    licence: str = ""
    source: str = ""
    folder: Path | None = field(default=None, repr=False)

    @cached_property
    def _face_codepoints(self) -> list[frozenset[int]]:
        return [_codepoints(str(face)) for face in self.faces]

    def covers(self, char: str) -> bool:
        return any(ord(char) in cps for cps in self._face_codepoints)

    def face_for(self, char: str) -> Path | None:
        """The first face that has a glyph for `char`, or None."""
        code = ord(char)
        for face, cps in zip(self.faces, self._face_codepoints):
            if code in cps:
                return face
        return None

    @cached_property
    def x_height_ratio(self) -> float:
        """Height of a small letter over the font size: scripts differ threefold at the same point size."""
        face = self.face_for("о") or self.face_for("o") or self.faces[0]
        box = self.font(face, 100).getbbox("о" if self.covers("о") else "o", anchor="ls")
        return min(0.9, max(0.15, -box[1] / 100))

    def missing(self, chars: str) -> str:
        return "".join(c for c in dict.fromkeys(chars) if not c.isspace() and not self.covers(c))

    def font(self, face: Path, size: int) -> ImageFont.FreeTypeFont:
        return _freetype(str(face), size)


def _family_from_folder(folder: Path) -> FontFamily | None:
    faces = sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES)
    if not faces:
        return None
    # fontsource subsets: the cyrillic and latin faces first, the -ext faces (rarer letters) after them.
    faces.sort(key=lambda p: ("-ext-" in p.name, p.name))
    licence_file = next(
        (folder / n for n in ("LICENSE", "OFL.txt", "LICENSE.txt") if (folder / n).is_file()),
        None,
    )
    licence = ""
    if licence_file is not None:
        head = licence_file.read_text(encoding="utf-8", errors="replace")[:4000]
        licence = "OFL-1.1" if "SIL OPEN FONT LICENSE" in head.upper() else licence_file.name
    source_file = folder / "SOURCE"
    source = source_file.read_text(encoding="utf-8").strip() if source_file.is_file() else ""
    return FontFamily(name=folder.name, faces=faces, licence=licence, source=source, folder=folder)


def find_families(
    script: str = "cyrillic",
    dirs: list[str | Path] | None = None,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> list[FontFamily]:
    """Every font family found that can write `script` (the first folder with a given family name wins).

    Raises FontsMissing, saying how to get fonts, when none is left.
    """
    if script not in SCRIPT_LETTERS:
        raise ValueError(f"unknown script {script!r}; choose one of {sorted(SCRIPT_LETTERS)}")
    search = [Path(d).expanduser() for d in (dirs or [])] + default_font_dirs()
    found: dict[str, FontFamily] = {}
    for base in search:
        if not base.is_dir():
            continue
        candidates = [base] + sorted(p for p in base.iterdir() if p.is_dir())
        for folder in candidates:
            family = _family_from_folder(folder)
            if family is not None and family.name not in found:
                found[family.name] = family
    families = [f for f in found.values() if not f.missing(SCRIPT_LETTERS[script])]
    if include:
        unknown = sorted(set(include) - {f.name for f in families})
        if unknown:
            raise FontsMissing(
                f"font families {', '.join(unknown)} not found (or they cannot write {script}) in "
                f"{', '.join(map(str, search))}; run scripts/fetch_fonts.sh or pass --fonts DIR"
            )
        families = [f for f in families if f.name in include]
    if exclude:
        families = [f for f in families if f.name not in set(exclude)]
    if not families:
        raise FontsMissing(
            f"no font that can write {script} text in {', '.join(map(str, search))}: run "
            "scripts/fetch_fonts.sh (fetches OFL handwriting fonts from npm) or pass --fonts DIR with "
            ".ttf/.otf/.woff files"
        )
    return sorted(families, key=lambda f: f.name)
