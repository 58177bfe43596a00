"""Dates in a transcription: in figures or in words ("le vingt trois Août mil neuf cent quatorze",
"двадцать третьяго августа 1721 года"), in French or Russian, old style (Julian) where the text says so.

Numbers written in words become figures first (text2num for French; pymorphy3 lemmas + ru-word2number for
Russian, ordinals included), pre-reform spelling folded as the search does; dateparser then reads the month.
Every date keeps its span in the text it was found in. Imports nothing from Django.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date

_ORDINALS_RU = {
    "первый": "один", "второй": "два", "третий": "три", "четвёртый": "четыре", "четвертый": "четыре",
    "пятый": "пять", "шестой": "шесть", "седьмой": "семь", "восьмой": "восемь", "девятый": "девять",
    "десятый": "десять", "одиннадцатый": "одиннадцать", "двенадцатый": "двенадцать", "тринадцатый": "тринадцать",
    "четырнадцатый": "четырнадцать", "пятнадцатый": "пятнадцать", "шестнадцатый": "шестнадцать",
    "семнадцатый": "семнадцать", "восемнадцатый": "восемнадцать", "девятнадцатый": "девятнадцать",
    "двадцатый": "двадцать", "тридцатый": "тридцать", "сороковой": "сорок", "пятидесятый": "пятьдесят",
    "шестидесятый": "шестьдесят", "семидесятый": "семьдесят", "восьмидесятый": "восемьдесят",
    "девяностый": "девяносто", "сотый": "сто", "тысячный": "тысяча",
}  # fmt: skip
# Ordinals as the old hands spell them ("quinziéme", "vingt troisiesme", "unième", an accent perhaps a combining
# mark): their cardinal's stem, then the ending
_ORDINAL_STEM = r"un|deux|trois|quatr|cinqu|six|sept|huit|neuv|dix|onz|douz|treiz|quatorz|quinz|seiz|vingt|trent"
_ORDINAL_END = r"i[eéè][\u0300-\u036f]?s?me"
_FR_ORDINAL = re.compile(rf"({_ORDINAL_STEM}){_ORDINAL_END}$", re.IGNORECASE)
_FR_ORDINAL_STEMS = {"quatr": "quatre", "cinqu": "cinq", "neuv": "neuf", "onz": "onze", "douz": "douze",
                     "treiz": "treize", "quatorz": "quatorze", "quinz": "quinze", "seiz": "seize", "trent": "trente"}  # fmt: skip
_FR_NUMBER = (
    rf"(?:{_ORDINAL_STEM}){_ORDINAL_END}"
    r"|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|vingts?|trente"
    r"|quarante|cinquante|soixante|cents?|cens|mil|mille|et"
)
# A year of the 17th/18th-century notaries: the hundreds in Roman figures, then the rest in Roman figures or in
# words ("l'an XVI.C quatre vingt huit", "XVIc LXXXVIII", "XVII^c dix")
_ROMAN_HUNDREDS = re.compile(r"(?<![^\W\d_])(X{1,2}V?I{0,4})\s*\.?\s*\^?[cC](?![^\W\d_'’])\.?")
_ROMAN_REST = re.compile(r"\s+(L?X{0,4}(?:IX|IV|V?I{0,4}))(?![^\W\d_])")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_SPACE = re.compile(r"\s*")
_FR_RUN = re.compile(rf"\b(?:{_FR_NUMBER})(?:[\s-]+(?:{_FR_NUMBER}))*\b", re.IGNORECASE)
_RU_WORD = re.compile(r"[а-яёѣіїѳѵ]+ъ?", re.IGNORECASE)
_PRE_REFORM = str.maketrans({"ѣ": "е", "Ѣ": "Е", "і": "и", "І": "И", "ї": "и", "ѳ": "ф", "Ѳ": "Ф", "ѵ": "и"})

_MONTHS_FR = {
    "janvier": 1, "janv": 1, "j^er": 1, "jer": 1, "jan.^er": 1, "janv.^er": 1, "février": 2, "fevrier": 2,
    "févr": 2, "fevr": 2, "fev": 2, "fév": 2, "fev.^er": 2, "fév.^er": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "may": 5, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8, "aoust": 8,
    "septembre": 9, "sept": 9, "7bre": 9, "7^bre": 9, "octobre": 10, "oct": 10, "8bre": 10, "8^bre": 10,
    "novembre": 11, "nov": 11, "9bre": 11, "9^bre": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
    "xbre": 12, "x^bre": 12, "10bre": 12, "10^bre": 12,
}  # fmt: skip
_MONTHS_RU = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6, "июл": 7, "август": 8, "сентябр": 9,
    "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_FR = "|".join(sorted((re.escape(m) for m in _MONTHS_FR), key=len, reverse=True))
_MONTH_RU = r"(?:январ|феврал|апрел|сентябр|октябр|ноябр|декабр)[яьеи]|марта?|ма[яйе]|июн[яьеи]|июл[яьеи]|августа?"
_MONTH = rf"(?:{_MONTH_FR}|{_MONTH_RU})\.?"
_YEAR = r"1\d{3}|20[0-2]\d"
_DAY = r"[0-3]?\d(?:er|\^?er|-?го|-?е|\s?(?:\^?[eè]me|\^?e)\b|\.\^?e|\.)?|1er|premier"  # "21 eme", "2^e", "27."
# "le 15 jour de septembre", "le 3.e jour du mois d'avril"; a year after it "de l'an", "aud. an", "dudit an"
_DAY_OF = r"(?:\s+jour)?(?:\s+du\s+mois)?\s+(?:de\s+|d['’]\s*|d\s+)?"
_YEAR_OF = r"(?:de\s+l['’]an\s+|l['’]an\s+|(?:aud|dud|audit|dudit)\.?\s+an\s+)?"
# The French Republican calendar (1793-1805): twelve months of thirty days, then five or six complementary days;
# year I began on 22 September 1792. Each year's first day in the Gregorian calendar (years III, VII, XI had six
# complementary days, so the year after began a day later).
_REPUBLICAN_MONTHS = {
    "vendemiaire": 1, "brumaire": 2, "frimaire": 3, "nivose": 4, "pluviose": 5, "ventose": 6, "germinal": 7,
    "floreal": 8, "prairial": 9, "messidor": 10, "thermidor": 11, "fructidor": 12,
}  # fmt: skip
_REPUBLICAN_NEW_YEAR = {
    1: date(1792, 9, 22), 2: date(1793, 9, 22), 3: date(1794, 9, 22), 4: date(1795, 9, 23), 5: date(1796, 9, 22),
    6: date(1797, 9, 22), 7: date(1798, 9, 22), 8: date(1799, 9, 23), 9: date(1800, 9, 23), 10: date(1801, 9, 23),
    11: date(1802, 9, 23), 12: date(1803, 9, 24), 13: date(1804, 9, 23), 14: date(1805, 9, 23),
}  # fmt: skip
_REPUBLICAN_MONTH = r"vend[ée]miaire|brumaire|frimaire|niv[ôo]se|pluvi[ôo]se|vent[ôo]se|germinal|flor[ée]al|prairial|messidor|thermidor|fructidor"
_REPUBLICAN = re.compile(
    rf"(?<![\d/.])([0-3]?\d)(?:er|\^?er|\.)?\s+({_REPUBLICAN_MONTH})\s*,?\s*(?:de\s+)?(?:l['’]\s*)?an\s+"
    r"(?:>[^<\n]{0,6}<\s*)?(1[0-4]|[1-9]|X{0,1}(?:IV|V?I{0,3}|IX)|XIV)(?![^\W_])(?:\s*\.?\s*\^?e(?![^\W\d_]))?",
    re.IGNORECASE,
)


def republican_to_gregorian(year: int, month: int, day: int) -> date | None:
    """ "13 nivôse an V" → 2 January 1797; None outside years I-XIV or thirty days."""
    if year not in _REPUBLICAN_NEW_YEAR or not 1 <= month <= 12 or not 1 <= day <= 30:
        return None
    return date.fromordinal(_REPUBLICAN_NEW_YEAR[year].toordinal() + (month - 1) * 30 + day - 1)


_PATTERNS = [
    (_REPUBLICAN, "republican"),  # "13 nivôse, an 5.^e", "le 3 fructidor an XII"
    # the year first, as the notaries write it: "L'an 1688 le 15 jour de septembre"
    (re.compile(rf"\bl['’]an\s+(?:de\s+gr[aâ]ce\s+)?({_YEAR})\s*,?\s+(?:et\s+)?(?:le\s+)?({_DAY}){_DAY_OF}({_MONTH})(?!\w)",
                re.IGNORECASE), "ydm"),
    (re.compile(rf"(?<![\d/.])({_DAY}){_DAY_OF}({_MONTH})(?:\s*,?\s*{_YEAR_OF}({_YEAR}))?(?!\d)",
                re.IGNORECASE), "dmy"),
    (re.compile(rf"(?<![\w])({_MONTH})\s+(?:de\s+l'an\s+)?({_YEAR})(?!\d)", re.IGNORECASE), "my"),
    (re.compile(rf"(?<![\d/.])([0-3]?\d)[./]([01]?\d)[./]({_YEAR})(?![\d/.])"), "numeric"),
    (re.compile(rf"(?:\b(?:en|l'an|an|anno|année|annee|in|de|du|в|во|с|по|к)\s+)({_YEAR})(?!\d)|(?<!\d)({_YEAR})"
                rf"(?=\s*(?:года|году|год|г\.))", re.IGNORECASE), "y"),
    (re.compile(r"\b(?:en|anno|l'an|в)\s+([1-9]\d{2})(?![\d.,]*\s*(?:ans|lieues|livres|лет))", re.IGNORECASE), "y"),
    # A year after words of time ("depuis 1995", "les années 1960"), closing a range that opened with one
    # ("de 1860 à 1891"), in brackets ("(1956)") or alone on its line (a catalogue's or a letter's date).
    (re.compile(rf"\b(?:depuis|vers|avant|apr[eè]s|d[eè]s|jusqu'en|jusqu'à|ann[ée]es|annee)\s+({_YEAR})(?!\d)"
                rf"|(?<!\d)(?:{_YEAR})\s*(?:à|a|au|et|-|–)\s*({_YEAR})(?!\d)|\(\s*({_YEAR})\s*\)"
                rf"|^[ \t]*({_YEAR})\.?[ \t]*$", re.IGNORECASE | re.MULTILINE), "y"),
]  # fmt: skip
_OLD_STYLE = re.compile(
    r"стар(?:аго|ого)\s+стил|по\s+старому\s+стил|\bст\.\s*ст\.|\bst\.\s*v(?:et)?\.|\bv\.\s*st\.|vieux\s+style"
    r"|stil[oe]\s+veteri|\bold\s+style|\bo\.\s*s\.",
    re.IGNORECASE,
)
OLD_STYLE_REACH = 40  # characters around a date where an "old style" note counts for it


@dataclass(frozen=True)
class FoundDate:
    start: int
    end: int
    text: str  # as written
    year: int | None
    month: int | None
    day: int | None
    calendar: str = "gregorian"  # "julian" where the text says old style; "republican": year/month/day Gregorian

    @property
    def iso(self) -> str:
        """ "1914-08-23", "1914-08", "1914", or "--10-13" (a day of the year without its year)."""
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}" if self.day else f"--{self.month:02d}"
        return "-".join(f"{v:0{w}d}" for v, w in ((self.year, 4), (self.month, 2), (self.day, 2)) if v)

    @property
    def earliest(self) -> date | None:
        if self.year is None:
            return None
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date | None:
        if self.year is None:
            return None
        if self.day:
            return date(self.year, self.month, self.day)
        if self.month:
            following = date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(self.year, 12, 31)

    @property
    def gregorian(self) -> date | None:
        """The same day in the Gregorian calendar, for a complete old-style date."""
        if self.calendar != "julian" or not (self.year and self.month and self.day):
            return None
        return julian_to_gregorian(self.year, self.month, self.day)


def julian_to_gregorian(year: int, month: int, day: int) -> date:
    a = (14 - month) // 12
    y, m = year + 4800 - a, month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    return date.fromordinal(jdn - 1721425)


# Numbers in words -> figures, keeping where each piece came from ------------------------------------------------


class Rewritten:
    """A text with some spans replaced; `origin(start, end)` maps a span of the new text back to the old one."""

    def __init__(self, text: str, replacements: list[tuple[int, int, str]]):
        self.pieces: list[tuple[int, int, int, int]] = []  # new start, new end, old start, old end
        out, pos, new_pos = [], 0, 0
        for start, end, value in sorted(replacements):
            out.append(text[pos:start])
            new_pos += start - pos
            out.append(value)
            self.pieces.append((new_pos, new_pos + len(value), start, end))
            new_pos += len(value)
            pos = end
        out.append(text[pos:])
        self.text = "".join(out)

    def _old(self, offset: int, is_end: bool) -> int:
        shift = 0
        for new_start, new_end, old_start, old_end in self.pieces:
            if offset < new_start or (is_end and offset == new_start):
                break
            if offset < new_end or (is_end and offset == new_end):
                return old_end if is_end else old_start
            shift = old_end - new_end
        return offset + shift

    def origin(self, start: int, end: int) -> tuple[int, int]:
        return self._old(start, False), self._old(end, True)


def fold_pre_reform(text: str) -> str:
    """ѣ→е, і→и, ѳ→ф, ѵ→и (one character for one, as the search folds), case kept."""
    return text.translate(_PRE_REFORM)


_morph_lock = threading.Lock()
_morph: list = []


def morph_analyzer():
    """pymorphy3's analyzer, loaded once per process."""
    with _morph_lock:
        if not _morph:
            import pymorphy3

            _morph.append(pymorphy3.MorphAnalyzer())
        return _morph[0]


def _ru_number_word(word: str) -> str | None:
    """The cardinal lemma of a Russian number word (ordinals too: третьяго → три), else None."""
    folded = fold_pre_reform(word.lower()).rstrip("ъ")
    folded = re.sub(r"([ая])го$", lambda m: "ого" if m.group(1) == "а" else "его", folded)
    for parse in morph_analyzer().parse(folded)[:2]:
        if "NUMR" in parse.tag:
            return parse.normal_form
        if "Anum" in parse.tag and parse.normal_form in _ORDINALS_RU:
            return _ORDINALS_RU[parse.normal_form]
    if folded.startswith("тысяч"):
        return "тысяча"
    return None


def _russian_numbers(text: str) -> list[tuple[int, int, str]]:
    from ru_word2number import w2n

    found, run = [], []

    def close() -> None:
        if run:
            try:
                value = w2n.word_to_num(" ".join(lemma for _s, _e, lemma in run))
            except ValueError:
                value = None
            if value is not None:
                found.append((run[0][0], run[-1][1], str(value)))
            run.clear()

    last_end = None
    for match in _RU_WORD.finditer(text):
        lemma = _ru_number_word(match.group(0))
        if lemma is None or (run and text[last_end : match.start()].strip()):
            close()
        if lemma is not None:
            run.append((match.start(), match.end(), lemma))
            last_end = match.end()
    close()
    return found


def roman_value(numeral: str) -> int:
    """ "LXXXVIII" → 88 (subtractive pairs read as such); "" → 0."""
    values = [_ROMAN[c] for c in numeral.upper()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _cardinal_words(words: str) -> str:
    """ "quinziéme" → "quinze", "six cens" → "six cent": what text2num reads."""
    out = []
    for word in re.split(r"[\s-]+", words.lower()):
        ordinal = _FR_ORDINAL.match(word)
        if ordinal:
            word = _FR_ORDINAL_STEMS.get(ordinal.group(1), ordinal.group(1))
        out.append("cent" if word == "cens" else word)
    return " ".join(out)


def _roman_years(text: str) -> list[tuple[int, int, str]]:
    """ "XVI.C quatre vingt huit" → 1688, "XVIc LXXXVIII" → 1688, "XVII^c" alone → 1700."""
    from text_to_num import text2num

    found = []
    for match in _ROMAN_HUNDREDS.finditer(text):
        hundreds = roman_value(match.group(1))
        if not 10 <= hundreds <= 20:
            continue
        end, rest = match.end(), 0
        roman = _ROMAN_REST.match(text, end)
        after_space = _SPACE.match(text, end).end()
        words = _FR_RUN.match(text, after_space) if after_space - end <= 2 else None
        if roman and roman.group(1):
            end, rest = roman.end(), roman_value(roman.group(1))
        elif words:
            try:
                rest = text2num(_cardinal_words(words.group(0).strip()), "fr")
                end = words.end()
            except ValueError:
                pass
        if rest < 100:
            found.append((match.start(), end, str(hundreds * 100 + rest)))
    return found


def _french_numbers(text: str) -> list[tuple[int, int, str]]:
    from text_to_num import text2num

    found = _roman_years(text)
    for match in _FR_RUN.finditer(text):
        words = match.group(0).strip()
        if words.lower() in {"un", "une", "et"} or words.lower().startswith("et"):
            continue
        if any(match.start() < e and s < match.end() for s, e, _v in found):
            continue
        try:
            found.append((match.start(), match.end(), str(text2num(_cardinal_words(words), "fr"))))
        except ValueError:
            continue
    return found


def numbers_as_figures(text: str, language: str) -> Rewritten:
    replacements = _russian_numbers(text) if language == "ru" else _french_numbers(text)
    return Rewritten(text, replacements)


# Finding the dates ----------------------------------------------------------------------------------------------


def _month_number(word: str, language: str) -> int | None:
    key = word.lower().rstrip(".")
    if key in _MONTHS_FR:
        return _MONTHS_FR[key]
    for stem, number in _MONTHS_RU.items():
        if key.startswith(stem) and (stem != "ма" or key in {"мая", "май", "мае"}):
            return number
    import dateparser

    parsed = dateparser.parse(f"1 {word} 2000", languages=[language], settings={"REQUIRE_PARTS": ["month"]})
    return parsed.month if parsed else None


def _day_number(word: str) -> int | None:
    digits = re.match(r"\d+", word)
    if digits:
        return int(digits.group(0))
    return 1 if word.lower() in {"1er", "premier"} else None


def _plain_month(word: str) -> str:
    return word.lower().replace("é", "e").replace("ô", "o")


def find_dates(text: str, language: str = "fr") -> list[FoundDate]:
    """Every date in `text`, the most complete reading of each place first taken; spans in `text`."""
    rewritten = numbers_as_figures(fold_pre_reform(text), language)
    digits = rewritten.text
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []
    for pattern, shape in _PATTERNS:
        for match in pattern.finditer(digits):
            groups = match.groups()
            if shape == "y":  # the year alone, without the words around it
                start, end = match.span(next(i for i, g in enumerate(groups, 1) if g))
            else:
                start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            year = month = day = None
            calendar = "gregorian"
            if shape == "republican":
                number = groups[2]
                republican_year = int(number) if number.isdigit() else roman_value(number.upper())
                month_key = _plain_month(groups[1])
                found_day = republican_to_gregorian(republican_year, _REPUBLICAN_MONTHS[month_key], int(groups[0]))
                if found_day is None:
                    continue
                year, month, day, calendar = found_day.year, found_day.month, found_day.day, "republican"
            elif shape == "dmy":
                day, month = _day_number(groups[0]), _month_number(groups[1], language)
                year = int(groups[2]) if groups[2] else None
            elif shape == "ydm":
                year, day, month = int(groups[0]), _day_number(groups[1]), _month_number(groups[2], language)
            elif shape == "my":
                month, year = _month_number(groups[0], language), int(groups[1])
            elif shape == "numeric":
                day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
            else:
                year = int(next(g for g in groups if g))
            if digits[end - 1 : end] == ".":
                end -= 1
            if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
                continue
            if shape in ("dmy", "ydm", "numeric") and (month is None or day is None):
                continue
            if year and month and day:
                try:
                    date(year, month, day)
                except ValueError:
                    continue
            old_start, old_end = rewritten.origin(start, end)
            if (
                shape == "y"
                and not re.search(r"\d", text[old_start:old_end])
                and not re.match(r"\s*(?:года|году|год\b|г\.)", digits[end:])
                and not re.match(r"(?:l['’]an|an|anno|ann[ée]e)\s", match.group(0), re.IGNORECASE)
            ):
                continue  # "deux mille" alone is an amount more often than a year; "l'an mil six cens" is one
            taken.append((start, end))
            nearby = text[max(0, old_start - OLD_STYLE_REACH) : old_end + OLD_STYLE_REACH]
            found.append(
                FoundDate(
                    start=old_start,
                    end=old_end,
                    text=text[old_start:old_end],
                    year=year,
                    month=month,
                    day=day,
                    calendar="julian" if _OLD_STYLE.search(fold_pre_reform(nearby)) else calendar,
                )
            )
    return sorted(found, key=lambda d: d.start)
