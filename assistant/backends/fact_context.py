"""The lines around a fact: where it stands on its page, its neighbours, and the quote that is its evidence.

A fact (a person, place or date) is found on one or more lines; the words of the question, of an event ("mort le…")
or of a dateline ("Fait à Caen le…") that make it the answer stand on those lines or next to them. Imports nothing
from Django but the translation of the quote's wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.backends.lexicon import names_a_person
from assistant.backends.quotes import Hit, Passage, _where, fold, named_in
from portal.entities.french_lexicon import TITLES

if TYPE_CHECKING:
    from assistant.backends.facts import Fact


# How much a line counts by how far it stands from the fact's line: the neighbours (evidence around a fact), and
# two lines off too (where an event's or a question's word may stand).
NEIGHBOURS = ((0, 1.0), (-1, 0.7), (1, 0.7))
TWO_OFF = ((0, 1.0), (-1, 0.6), (1, 0.6), (-2, 0.3), (2, 0.3))


def fact_lines(fact: Fact, by_key: dict[str, int]) -> Iterator[int]:
    """The indices of the passages the fact was found on."""
    for key in fact.keys:
        i = by_key.get(key)
        if i is not None:
            yield i


def fact_spans(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> Iterator[tuple[int, str, int]]:
    """(index, line, where the fact's text starts on it) for each of the fact's lines that holds its text."""
    for i in fact_lines(fact, by_key):
        at = passages[i].text.find(fact.text)
        if at >= 0:
            yield i, passages[i].text, at


def nearby(
    fact: Fact, by_key: dict[str, int], passages: list[Passage], weights=NEIGHBOURS
) -> Iterator[tuple[int, float]]:
    """(index, weight) of the fact's lines and of the lines of the same page `weights` (offset, weight) reach."""
    for i in fact_lines(fact, by_key):
        for offset, weight in weights:
            j = i + offset
            if 0 <= j < len(passages) and passages[j].page_key == passages[i].page_key:
                yield j, weight


def near_lines(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> Iterator[tuple[Passage, float]]:
    """(passage, weight) of the fact's lines (1.0) and of their neighbours on the same page (0.7)."""
    for j, weight in nearby(fact, by_key, passages):
        yield passages[j], weight


def page_lines(passages: list[Passage], i: int) -> tuple[list[Passage], int]:
    """The lines of the page passage `i` is on, and its position among them."""
    same_page = [p for p in passages if p.page_key == passages[i].page_key]
    return same_page, same_page.index(passages[i])


def evidence(fact: Fact, by_key: dict[str, int], passages: list[Passage], score: float) -> list[Hit]:
    """The fact's lines as the answer's hits (a date's as written, to be highlighted)."""
    return [
        Hit(passage=passages[by_key[k]], score=score, date=fact.text if fact.kind == "date" else "")
        for k in fact.keys
        if k in by_key
    ]


def quote(hits: list[Hit], language: str, many_pages: bool) -> str:
    """ "“Fait à Caen le…” (line 4); …": the hits' lines as the answer quotes them."""
    return "; ".join(_where(h, language, many_pages) for h in hits)


# Events a question may ask the date or place of: the words that name one in a question (English, Russian, French)
# and on the lines (French, Russian, English), in lower case with their accents, since "né" is no "ne" and "marié"
# no "Marie"; an old hand that drops an accent is still read where the word stays a word ("deces", "baptise").
EVENTS = [
    (
        r"born|birth|рожд\w*|родил\w*|родив\w*|née?|naissance|naquit",
        r"née?s?|naissance|naquit|naît|nait|рожд\w*|родил\w*|родив\w*|born|birth",
    ),
    (
        r"baptis\w*|baptiz\w*|christen\w*|крещ\w*|крести\w*|bapt[êe]me",
        r"baptis[ée]\w*|bapt[êe]s?me|ondoy[ée]\w*|крещ\w*|крести\w*|baptis\w*|baptiz\w*|christen\w*",
    ),
    (
        r"marri\w*|wed|weds|wedded|wedding|венча\w*|женил\w*|замуж\w*|брак\w*|mariage|mari[ée]e?|[ée]pous\w*",
        r"mari[ée]e?s?|mariage|mari[èe]rent|[ée]pous[ae]\w*|noces|венча\w*|женил\w*|замуж\w*|брак\w*|married|wedding",
    ),
    (
        r"die|died|dies|dead|death|умер\w*|скончал\w*|смерт\w*|mort\w*|d[ée]c[èe]s|d[ée]c[ée]d[ée]\w*",
        r"morte?s?|mourut|meurt|d[ée]c[ée]d[ée]e?s?|d[ée]c[èe]s|tr[ée]pas\w*|умер\w*|скончал\w*|смерт\w*|died|death",
    ),
    (
        r"buried|burial|bury|похорон\w*|погреб\w*|inhum\w*|enterr\w*",
        r"inhum[ée]\w*|inhumation|enterr[ée]\w*|s[ée]pulture|похорон\w*|погреб\w*|buried|burial",
    ),
    (
        r"testament|(?:the|his|her|this|a|its) will|завещ\w*",
        r"testament\w*|l[èe]gue\w*|legs|завещ\w*",
    ),
    (  # a sale, a contract, a deed
        r"sold|sale|sell|bought|purchase\w*|deed|contract|act|продал\w*|продаж\w*|купчая|купил\w*|акт|договор\w*",
        r"vend(?:u|ue|us|ues|ent|it|re|ons)|vente|achet[ée]\w*|acte|contrat|trait[ée]|bail|купчая|продал\w*"
        r"|продаж\w*|купил\w*|акт|договор\w*",
    ),
    (  # a letter or a parcel sent, and where to: "adresser à Paris à l'adresse de votre journal"
        r"send|sends|sent|sending|forward\w*|address\w*|посла\w*|посыла\w*|послан\w*|отправ\w*|пересла\w*|адрес\w*",
        r"envoy\w*|envoi\w*|enverr\w*|renvoy\w*|adress\w*|exp[ée]di\w*|посла\w*|посыла\w*|отправ\w*|пересла\w*"
        r"|пересыл\w*|адрес\w*|sent|send\w*|forward\w*|address\w*",
    ),
]
_EVENTS = [
    (re.compile(rf"(?<!\w)(?:{asked})(?!\w)"), re.compile(rf"(?<!\w)(?:{written})(?!\w)")) for asked, written in EVENTS
]


def event_asked(question: str) -> re.Pattern | None:
    """The words on the lines that name the event the question asks about ("when was X baptised?": baptisé,
    baptême, крещён…); None when it names none."""
    lower = question.lower()
    return next((written for asked, written in _EVENTS if asked.search(lower)), None)


def is_event_word(word: str) -> bool:
    """A word of the question that names an event ("died", "крещён"): it says what the answer stands beside, not
    what the question is about."""
    return any(asked.fullmatch(word) for asked, _written in _EVENTS)


def event_nearness(fact: Fact, event: re.Pattern, by_key: dict[str, int], passages: list[Passage]) -> float:
    """How close to the fact the lines name the event: on its line 1.0, the line before or after 0.6, two lines off
    0.3 (a heading's date over a signature over "acte par lequel…"), else 0. A date or place belongs to the life
    event named last before it, across a line break: in "né le 14 décembre 1857 à Cologne et mort le" / "9 août
    1949 à Cologne" the first date is the birth's (0, though "mort" shares its line) and the second the death's
    (1.5, above any line's mere nearness)."""
    owner = life_event_of(fact, by_key, passages)
    if owner is not None:
        return 1.5 if owner.pattern == event.pattern else 0.0
    best = 0.0
    for j, weight in nearby(fact, by_key, passages, TWO_OFF):
        if weight > best and event.search(passages[j].text.lower()):
            best = weight
    return best


def life_event_of(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> re.Pattern | None:
    """The written pattern of the birth, baptism, marriage, death or burial named last before the fact in the
    running text of its line and the line before ("…et mort le" / "9 août 1949"); None when none is."""
    for i, line, at in fact_spans(fact, by_key, passages):
        before = line[:at].lower()
        if i > 0 and passages[i - 1].page_key == passages[i].page_key:
            before = passages[i - 1].text.lower() + " " + before
        found = [(m.end(), written) for _asked, written in _EVENTS[:5] for m in written.finditer(before)]
        if found:
            return max(found, key=lambda pair: pair[0])[1]
    return None


_OF = re.compile(r"[\s,.]*(?:de|du|dud|des|d['’]|of|the)\b", re.IGNORECASE)  # "épouse de…", "veuve dud. sieur…"
_OF_SPAN = 60  # how far after "de" the name it belongs to may stand ("épouse dud. sieur De Francini")


_WHOSE = re.compile(r"\b(?:whose|ч(?:еи|ья|ье\w*|ьи\w*))\b")


def word_nearness(
    fact: Fact, words: set[str], question: str, persons: list[Fact], by_key: dict[str, int], passages: list[Passage]
) -> float:
    """How close to the person a line says the word the question asks about ("wife", "tutor", "blessed": `words`
    are its folded forms on the page, "epouse", "precepteur", "benediction"): on its line 1.0, the line before or
    after 0.6, two lines off 0.3, else 0. A word of a role that belongs to someone the question does not name
    ("épouse dud. sieur De Francini" when it asks for the wife of Du Molin) does not count; an act's "de X" names
    its doer ("par ordre de feu Monseigneur Le duc d'orleans"), and a whose-question asks for that "de X" itself."""
    best = 0.0
    for j, weight in nearby(fact, by_key, passages, TWO_OFF):
        if weight <= best:
            continue
        following = (
            passages[j + 1].text if j + 1 < len(passages) and passages[j + 1].page_key == passages[j].page_key else ""
        )
        whose = _WHOSE.search(fold(question)) is not None  # "Чьей родственницей её считали?" over "parente de X": X
        if any(
            whose
            or not names_a_person(fold(m.group()))  # "par ordre de feu Monseigneur / Le duc": the act's own doer
            or not _of_another(passages[j].text[m.end() :] + " " + following, fact, question, persons)
            for m in re.finditer(r"[^\W\d_]+", passages[j].text)
            if fold(m.group()) in words
        ):
            best = weight
    return best


def _of_another(after: str, fact: Fact, question: str, persons: list[Fact]) -> bool:
    """The word is followed by "de" and a name the question does not give: the person's own ("épouse dud. sieur
    Martin" on Martin's line: Martin is the husband) or someone else's."""
    of = _OF.match(after)
    if of is None:
        return False
    span = after[of.end() : of.end() + _OF_SPAN]
    owner = min(
        ((span.find(p.text), p) for p in [fact, *persons] if p.text and p.text in span),
        key=lambda found: found[0],
        default=None,
    )
    return owner is not None and (owner[1] is fact or not named_in(owner[1].name, question))


# A dateline says where and when a letter or an act was written: "Nîmes, le 13 X^bre 1866", "Sens le 5 avril 1867",
# "Fait à Caen le vingt trois Août…", "de Paris le XXVII jour de juillet 1602", "Le 3 mai 1705, à Paris", "A Roüen"
# over "15 Septembre 1688.". What may stand before its place at the line's start, between a place and the date after
# it, and between a date and the place after it:
_DATELINE_OPENING = re.compile(
    r"[\s,.]*(?:(?:fait|faict|donn[ée]|[ée]crit|escrit|pass[ée]|sign[ée]|à|a|au|de|d['’]|en|at|from|из|в|во|писано|писан"
    r"|дано|дан)[\s,.]+)*",
    re.IGNORECASE,
)
_PLACE_THEN_DATE = re.compile(
    r"[\s,.]*(?:(?:le|ce|ces|this|the|on|jour|day|de|du|d|of|mois|дня|числа|[ivxlc]+|\d+"
    r"|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)[\s,.]*){0,4}",
    re.IGNORECASE,
)
_DATE_THEN_PLACE = re.compile(r"[\s,.]*(?:à|a|en|at|in|в|во|из)?[\s,.]*", re.IGNORECASE)
# "Monsieur de Londres ce 26 juin": from a place "this" day, wherever the line starts
_FROM_PLACE = re.compile(r"(?:^|[\s,.])(?:de|d['’]|from|из)\s*$", re.IGNORECASE)
_THIS_DAY = re.compile(r"[\s,]+(?:ce|this|сего)[\s,]+", re.IGNORECASE)
# A birth, baptism, marriage, death or burial beside the place tells where that happened, not where one wrote
# ("né le 14 novembre 1914 à Montevideo"): the events of `EVENTS` but a will and a sale, which acts are dated by.
_LIFE_EVENTS = re.compile("|".join(f"(?:{written.pattern})" for _asked, written in _EVENTS[:5]))


def is_dateline_place(fact: Fact, dates: list[Fact], by_key: dict[str, int], passages: list[Passage]) -> bool:
    """The place of a dateline: on a line with a date, the place opening the line just before the date ("Sens le 5
    avril"), or anywhere next to the date on the first or last three lines of words of a page ("…vie de Paris le XXVII jour de
    juillet 1602"); "de Londres ce 26 juin" after anything; or a place alone on its line (but for "le" / "ce") over a
    line that opens with a date ("A Roüen" / "15 Septembre 1688.", "A Fontainebleau ce" / "23 Aoust"). Not where
    the line tells of a birth or a death."""
    for i, line, at in fact_spans(fact, by_key, passages):
        if _LIFE_EVENTS.search(line.lower()):
            continue
        key = passages[i].key
        same_page, position = page_lines(passages, i)
        worded = [p for p in same_page if re.search(r"[^\W\d_]", p.text)]  # a folio's number is no line of text
        edge = passages[i] in worded[:3] + worded[-3:]
        opens = _DATELINE_OPENING.fullmatch(line[:at]) is not None
        for date in dates:
            if key in date.keys:
                found = line.find(date.text)
                if found < 0:
                    continue
                if found >= at + len(fact.text):
                    gap = line[at + len(fact.text) : found]
                    if _PLACE_THEN_DATE.fullmatch(gap) and (opens or edge):
                        return True
                    if _THIS_DAY.fullmatch(gap) and _FROM_PLACE.search(line[:at]):
                        return True
                elif edge and _DATE_THEN_PLACE.fullmatch(line[found + len(date.text) : at]):
                    if _DATELINE_OPENING.fullmatch(re.sub(r"(?i)\b(le|ce)\b", "", line[:found])) is not None:
                        return True
        below = same_page[position + 1] if position + 1 < len(same_page) else None
        alone = opens and _PLACE_THEN_DATE.fullmatch(line[at + len(fact.text) :])  # "A Fontainebleau ce" / "23 Aoust"
        if alone and below is not None:
            for date in dates:
                if below.key in date.keys and _DATELINE_OPENING.fullmatch(below.text[: below.text.find(date.text)]):
                    return True
    return False


_AT_HOUSE_OF = re.compile(
    r"(?<!\w)ch[eé][zs]\s+(?:(?:les|le|la)\s+|l['’]\s*)?(?:[^\W\d_]+\.?\^?[^\W\d_]*\.?\s+){0,2}$", re.I
)


def at_house_of(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> str:
    """ "ches Mme N Hunay" as written when the person is named after "chez" (at the house of), a place to say
    where someone is; else ""."""
    for _i, line, at in fact_spans(fact, by_key, passages):
        found = _AT_HOUSE_OF.search(line[:at]) if at > 0 else None
        if found:
            return line[found.start() : at + len(fact.text)]
    return ""


# The writer names himself in the text: "je soussigné Jean Dupont", "Je, Pierre Martin,", "moi, Louis Lully",
# "nous soussignés…", "я, Иван Петров,", "я нижеподписавшийся…", "I, John Smith,", "I the undersigned…".
_SPEAKER = re.compile(
    r"(?:\b(?:je|moi|nous)\s*,\s*|\b(?:je|nous)\s+soussign\w*\s*,?\s*|\bsoussign\w*\s*,?\s*"
    r"|(?<!\w)я\s*,\s*|(?<!\w)я\s+нижеподписавш\w*\s*,?\s*|нижеподписавш\w*\s*,?\s*"
    r"|\bI\s*,\s*|\bI,?\s+the\s+undersigned\s*,?\s*|\bundersigned\s*,?\s*)"
    rf"(?:(?:{TITLES})\.?\s+)?$",
    re.IGNORECASE,
)


def is_speaker(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> bool:
    """The person is who speaks: named right after "je soussigné", "я,", "I,", so the writer of a letter or an act
    whoever else it names or greets."""
    return any(_SPEAKER.search(line[:at]) for _i, line, at in fact_spans(fact, by_key, passages))


# "Where did X live?": the place the text says X lived at, "Jean Louis De Lully … demeurant / rue de Clery",
# "Claude La Pierre. / habitant de la ville de Lyon", "Bernard Vautier / bourgeois de Paris y demeurant".
LIVED_ASKED = re.compile(
    r"(?<!\w)(?:live|lived|lives|living|resided|resides|dwelt|жил\w*|жив[её]т|живут|прожива\w*)(?!\w)"
)
_LIVES = re.compile(
    r"(?<!\w)(?:demeur\w*|habitant\w*|habit(?:e|ait|oit|ent)|r[ée]sid\w*|domicili[ée]\w*|жив\w*|прожива\w*"
    r"|living|lives|lived|resid\w*)(?!\w)",
    re.IGNORECASE,
)
_THERE = re.compile(r"(?<!\w)y\s*$")  # "bourgeois de Paris y demeurant": the place before "y" is where
_RESIDENCE_LINES = 3  # the person's line and the two after it


def residence(
    person: Fact, places: list[Fact], persons: list[Fact], by_key: dict[str, int], passages: list[Passage]
) -> Fact | None:
    """The place named with the first word of dwelling (demeurant, habitant, проживающий) after the person, in the
    running text of the person's line and the two after it, unless another person is named before that word (the
    dwelling is then that one's): the first place after the word, or the one just before "y demeurant"."""
    keys = [k for k in person.keys if k in by_key]
    if not keys:
        return None
    i = by_key[keys[-1]]
    starts, text = _running_text(passages, i, i, i + _RESIDENCE_LINES - 1)
    at = passages[i].text.find(person.text)
    begin = at + len(person.text) if at >= 0 else 0
    word = _LIVES.search(text, begin)
    if word is None:
        return None
    if any(_at(p, starts, passages, by_key, begin, word.start()) is not None for p in persons if p.text != person.text):
        return None
    found = [(_at(p, starts, passages, by_key, begin, len(text)), p) for p in places]
    found = [(where, p) for where, p in found if where is not None]
    if _THERE.search(text[: word.start()]):
        before = [(where, p) for where, p in found if where < word.start()]
        return max(before, key=lambda pair: pair[0])[1] if before else None
    after = [(where, p) for where, p in found if where >= word.end()]
    return min(after, key=lambda pair: pair[0])[1] if after else None


def _running_text(passages: list[Passage], on: int, first: int, last: int) -> tuple[dict[int, int], str]:
    """The lines `first`…`last` that share passage `on`'s page as one text, a space after each, with where each line
    starts in it."""
    starts, text = {}, ""
    for j in range(max(0, first), min(last, len(passages) - 1) + 1):
        if passages[j].page_key == passages[on].page_key:
            starts[j] = len(text)
            text += passages[j].text + " "
    return starts, text


def _at(fact: Fact, starts: dict[int, int], passages: list[Passage], by_key: dict[str, int], lo: int, hi: int):
    """Where the fact stands in the window's running text, if between `lo` and `hi`; else None."""
    for key in fact.keys:
        j = by_key.get(key)
        if j in starts:
            found = passages[j].text.find(fact.text)
            if found >= 0 and lo <= starts[j] + found < hi:
                return starts[j] + found
    return None


# "Jacques Du Molin … a cause de dame Gabrielle Hilaire de Lully son epouse": the wife named with "son épouse" after
# her name is the wife of the one named before her; the words say whose spouse she is, not her husband's name.
_POSSESSIVE = re.compile(r"[\s,]*(?:son|sa|leur|his|her|его|ее|её)\s+([^\W\d_]+)", re.IGNORECASE)
_SPOUSE_LINES_BEFORE = 3  # how many lines before the named spouse the other may stand


def spouse_before(
    named: Fact, spouse_words: set[str], persons: list[Fact], by_key: dict[str, int], passages: list[Passage]
) -> Fact | None:
    """The person named last before `named` (on its line or the three before, on its page) where `named` is
    followed by "son / sa" and a word of `spouse_words` (folded: "epouse" when the husband is asked for)."""
    keys = [k for k in named.keys if k in by_key]
    if not keys:
        return None
    first, last = by_key[keys[0]], by_key[keys[-1]]
    starts, text = _running_text(passages, first, first - _SPOUSE_LINES_BEFORE, last)
    begin = text.find(named.text, starts[first])
    if begin < 0:
        return None
    said = _POSSESSIVE.match(text, begin + len(named.text))
    if said is None or fold(said.group(1)) not in spouse_words:
        return None
    before = [(_at(p, starts, passages, by_key, 0, begin), p) for p in persons if p.text != named.text]
    before = [(where, p) for where, p in before if where is not None]
    return max(before, key=lambda pair: pair[0])[1] if before else None
