"""Places (and organisations) in French manuscripts that spaCy's small news model misses or mistakes:

- `headed_spans`: a name after a noun that says what it is ("rue de Clery", "parroisse S^t Roch", "le groupe
  Cloroform") is a place or an organisation, whatever a saint's title or spaCy make of it;
- `place_spans`: a name after "à" / "en", or before the date that opens a letter, is a place;
- `written_from_spans`: "de Londres ce 26 juin" (from X this day) is a dateline's place, even after "Monsieur".

Imports nothing from Django.
"""

from __future__ import annotations

import re

from portal.entities.french_lexicon import FORMULAE, TITLE, WORD, is_common_word, is_stop_word

_WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"}
PLACE_CUE = re.compile(r"(?:^|[\s(])(?:à|a|en)\s+$", re.IGNORECASE)
# What may open a dateline's line before its place: "Sens le 5 avril", "A Roüen", "Fait à Caen le…"
_DATELINE_START = re.compile(r"\s*(?:(?:fait|faict|donn[ée]|[ée]crit|escrit|à|a|au)\s+)*", re.IGNORECASE)
# Nouns that say what the name after them is ("la rue de Clery", "parroisse S^t Roch", "le groupe Cloroform"):
# the name is a place or an organisation whatever spaCy or a saint's title make of it. Streets keep their noun.
_STREETS = r"rue|rüe|avenue|boulevard|quai|faubourg|pont"
_PLACE_HEADS = (
    r"paroisse|parroisse|parr\^?e|par\^?sse|[ée]glise|chapelle|abbaye|prieur[ée]|ville|village|commune|district"
    r"|province|r[ée]gion|d[ée]partement|[ée]tat|[îi]le|pays|palais|ch[âa]teau|villa|port|lac|fleuve|rivi[èe]re"
    r"|comt[ée]|duch[ée]|dioc[èe]se|canton"
)
_ORGANISATION_HEADS = (
    r"groupe|label|soci[ée]t[ée]|compagnie|usine|entreprise|firme|journal|gazette|revue|radio|banque|club|[ée]quipe"
    r"|parti|association|f[ée]d[ée]ration|syndicat|[ée]diteur|maison\s+d['’][ée]dition"
)
_HEAD = re.compile(
    rf"(?<![^\W\d_])(?:({_STREETS})|({_PLACE_HEADS})|({_ORGANISATION_HEADS}))\s+"
    r"(?:(?:de\s+la|de\s+l['’]|des|du|de|d['’])\s*)?",
    re.IGNORECASE,
)
_PLACE_NOUN = re.compile(rf"(?:{_STREETS}|{_PLACE_HEADS}|{_ORGANISATION_HEADS})s?", re.IGNORECASE)


def is_place_noun(word: str) -> bool:
    """ "paroisse", "ville", "rue", "compagnie": a noun that says what a place or body is, never its name."""
    return _PLACE_NOUN.fullmatch(word) is not None


SAINT = re.compile(r"(?:s\.?\^?te?|saint|sainte)\.?[\s-]+(?=[^\W\d_])", re.IGNORECASE)  # S^t, s.^t, Ste, Saint
_INNER_PARTICLE = re.compile(r"(?:de|du|des|d['’]|la|le|les|sur|en|et)$", re.IGNORECASE)


def headed_spans(text: str) -> list[tuple[int, int, str, str]]:
    """Names after a noun that says what they are: (start, end, "place" or "organisation", name)."""
    spans = []
    for head in _HEAD.finditer(text):
        start = head.end()
        saint = SAINT.match(text, start)
        words = list(WORD.finditer(text, saint.end() if saint else start))
        if not words or words[0].start() != (saint.end() if saint else start):
            continue
        if not saint and (not words[0].group(0)[:1].isupper() or is_stop_word(words[0].group(0))):
            continue
        if TITLE.fullmatch(words[0].group(0)) and not saint:
            continue
        end = words[0].end()
        for previous, word in zip(words, words[1:]):  # "Kaada Recordings", "S^t georges sur loire"
            gap = text[previous.end() : word.start()]
            if gap not in (" ", "-") or not (word.group(0)[:1].isupper() or _INNER_PARTICLE.match(word.group(0))):
                break
            if _INNER_PARTICLE.match(word.group(0)) and not word.group(0)[:1].isupper():
                continue
            end = word.end()
        street, _place, organisation = head.groups()
        begin = head.start() if street else start
        kind = "organisation" if organisation else "place"
        spans.append((begin, end, kind, re.sub(r"\s+", " ", text[begin:end])))
    return spans


def place_spans(text: str, date_spans: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """Places after "à" / "en" ("fait à Caen") and the place that heads a letter's date ("Sens le 5 avril 1867")."""
    spans = []
    for match in WORD.finditer(text):
        word = match.group(0)
        if not word[:1].isupper() or len(word) < 3 or TITLE.fullmatch(word):
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        before = text[line_start : match.start()]
        cue = PLACE_CUE.search(" " + before[-4:])
        if text[match.end() : match.end() + 1] == "." and not cue:  # "Clém.", but "à Rome." ends a sentence
            continue
        dateline = (
            _DATELINE_START.fullmatch(before) is not None
            and any(
                s >= match.end()
                and text[match.end() : s].strip(" ,\n").lower() in ("le", "ce", "")
                and (  # over the date's line only when it says so: "A Fontainebleau ce" / "23 Aoust"
                    "\n" not in text[match.end() : s]
                    or text[match.end() : s].count("\n") == 1
                    and (before.strip() or text[match.end() : s].strip(" ,\n"))
                )
                for s, _e in date_spans
            )
        )
        if word.lower() in FORMULAE:
            continue
        if dateline and word.lower() not in _WEEKDAYS or cue and not is_common_word(word):
            spans.append((match.start(), match.end(), "place", word))
    return spans


_WRITTEN_FROM = re.compile(r"(?<![^\W\d_])(?:de|d['’])\s*(?=[^\W\d_])", re.IGNORECASE)
_THIS_DAY = re.compile(r"[\s,]+ce[\s,]+", re.IGNORECASE)


def written_from_spans(text: str, date_spans: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """ "Monsieur de Londres ce 26 juin": the capitalised name after "de" that "ce" and a date follow is where a
    letter was written, not a person's name after a title (the line may go on to the next for the date)."""
    spans = []
    starts = {s for s, _e in date_spans}
    for cue in _WRITTEN_FROM.finditer(text):
        words = list(WORD.finditer(text, cue.end()))
        if not words or words[0].start() != cue.end() or not words[0].group(0)[:1].isupper():
            continue
        end = words[0].end()
        for previous, word in zip(words, words[1:]):  # "de Saint-Germain-en-Laye", "de Ville Franche"
            if text[previous.end() : word.start()] != " " or not word.group(0)[:1].isupper():
                break
            end = word.end()
        gap = _THIS_DAY.match(text, end)
        if gap and gap.end() in starts and not TITLE.fullmatch(words[0].group(0)):
            spans.append((cue.end(), end, "place", re.sub(r"\s+", " ", text[cue.end() : end])))
    return spans
