"""What a recogniser learns to write: ground-truth lines of several transcription conventions brought to one form.

The training sets follow different conventions (the CREMMA guidelines, HTRomance's graphematic transcription,
Copiste d'un jour's aligned source texts). A model trained on them all should write one thing for one sign, so each
ground-truth line goes through `model_text` before it is learned from or scored against. A model's config names the
form it writes (`RecognizerConfig.transcription`):

- ``"plain"``: the text as given, in Unicode NFC with whitespace runs as one space (models before v3).
- ``"semi-diplomatic"``: what is on the page, letter by letter, with these conventions:

  ========================================  ==================================================================
  in the ground truth                       the model writes
  ========================================  ==================================================================
  deleted text ``>mot<`` (all sets)         ``mot``: struck-out words are read as written, without marks
  illegible deletion ``<>`` / ``><``        nothing
  long s ``ſ``                              ``s``
  abbreviation marks over a letter: tilde,  one combining tilde U+0303 (``ā`` → ``ã``, ``q̶`` → ``q̃``); NFC
  macron, vertical tilde, stroke overlay    composes it where a precomposed letter exists (``ẽ``, ``õ``)
  abbreviation letters ``ꝑ ꝓ ꝙ đ ẜ``        base letter + tilde: ``p̃ p̃ q̃ d̃ s̃``
  tironian et ``⁊``                         ``&``
  superscript ``^r`` (CREMMA)               kept: ``m^r``; combining superscript letters ``ͨ ͫ`` become ``^c ^m``
  livre sign ``₶``                          ``lt``
  line-end hyphen ``¬``                     ``-``
  insertion marks ``‸ ⎀``                   nothing
  quotes ``’ ‘`` / ``“ ”``                  ``'`` / ``"``
  a Cyrillic look-alike in a Latin line     its Latin letter (``Сomme`` → ``Comme``)
  ========================================  ==================================================================

  Lines that teach nothing about handwriting are left out (``model_text`` gives ""): lines with an illegible mark
  (``[?]``, ``[???]``), Copiste d'un jour's page codes (``wikitexte_0240``, ``imp_wikitexte_0183 2/2``, ``Wikitexte-0201``) and the
  LaTeX residue of its Wikipedia sources (``{\\displaystyle …}``).
"""

from __future__ import annotations

import re
import unicodedata

FORMS = ("plain", "semi-diplomatic")

_TILDE = "\u0303"
_ABBREVIATION_MARKS = {"\u0303", "\u0304", "\u033e", "\u0336"}  # tilde, macron, vertical tilde, long stroke
_ABBREVIATION_LETTERS = {"ꝑ": "p", "ꝓ": "p", "ꝙ": "q", "đ": "d", "ẜ": "s"}
_SIGNS = str.maketrans(
    {"ſ": "s", "⁊": "&", "₶": "lt", "¬": "-", "‸": "", "⎀": "", "’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "}
)
# Combining Latin small letters a..x (U+0363..U+036F), written as superscripts: CREMMA's ^ convention.
_SUPERSCRIPT_LETTERS = {chr(0x0363 + i): "^" + letter for i, letter in enumerate("aeiouc" + "dhmrtvx")}
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХаеорсухі", "ABEKMHOPCTXaeopcyxi")

_DELETED = re.compile(r">([^<>]*)<")  # >struck-out text<
_EMPTY_DELETION = re.compile(r"<>")
_ILLEGIBLE = re.compile(r"\[\s*\?+\s*\]")
_PAGE_CODE = re.compile(r"^\s*(imp[\W_]*)?wikitexte", re.IGNORECASE)
_LATEX = re.compile(r"displaystyle|[_^]\{")


def model_text(text: str, form: str = "semi-diplomatic") -> str:
    """`text` (a ground-truth line in any of the conventions above) in the model's `form`; "" for a line to skip."""
    if form not in FORMS:
        raise ValueError(f"unknown transcription form {form!r}; expected one of {', '.join(FORMS)}")
    text = unicodedata.normalize("NFC", text or "")
    if form == "semi-diplomatic":
        text = _semi_diplomatic(text)
    return " ".join(text.split())


def _semi_diplomatic(text: str) -> str:
    if _ILLEGIBLE.search(text) or _PAGE_CODE.match(text) or _LATEX.search(text):
        return ""
    text = _EMPTY_DELETION.sub("", _DELETED.sub(r"\1", text))
    text = text.replace("<", "").replace(">", "")  # the halves of deletion marks that span two lines
    text = text.translate(_SIGNS)
    letters = [c for c in text if c.isalpha()]
    if sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 < len(letters):  # a Latin line
        text = text.translate(_CYRILLIC_LOOKALIKES)
    out = []
    for char in unicodedata.normalize("NFD", text):
        if char in _ABBREVIATION_LETTERS:
            out += [_ABBREVIATION_LETTERS[char], _TILDE]
        elif char in _ABBREVIATION_MARKS:
            if not out or out[-1] != _TILDE:  # one mark per letter
                out.append(_TILDE)
        elif char in _SUPERSCRIPT_LETTERS:
            out.append(_SUPERSCRIPT_LETTERS[char])
        else:
            out.append(char)
    return unicodedata.normalize("NFC", "".join(out))
