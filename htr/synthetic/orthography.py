"""Modern Russian spelling to pre-reform (pre-1918) spelling, by rules: good enough to give synthetic lines
the letter statistics of 18th-century text (ѣ, і, ѳ, ѵ, final ъ, -аго/-яго), not a philologist's edition.

Rules, in order, per word (case kept):
  1. whole-word forms: нет → нѣтъ, где → гдѣ, мне → мнѣ, ее → ея, …
  2. ѣ in the standard list of ѣ-roots (бѣда, вѣра, дѣло, мѣсто, рѣка, свѣтъ, человѣкъ, …), at the start of
     the word or after a prefix; ѣ in infinitives in -еть (имѣть, видѣть; not тереть/мереть/переть), their
     present forms (-ѣетъ, -ѣютъ) and the past/verbal nouns of common -ѣть verbs (видѣлъ, терпѣніе);
  3. ѣ in the dative/prepositional -е right after в/на/о/при/к/по (въ городѣ, къ Москвѣ);
  4. ѳ in Greek names and loans (Ѳеодоръ, Аѳанасій, ариѳметика), ѵ in мѵро, сѵнодъ, ѵпостась;
  5. -ого/-его of adjectives → -аго/-яго (новаго, синяго, хорошаго), except pronouns and stressed forms;
  6. і before a vowel or й (Россія, исторія, синій);
  7. ъ after a final consonant (домъ, въ, съ).
ё becomes е (pre-reform printing did not write ё).
"""

from __future__ import annotations

import re

VOWELS = "аеёиоуыэюя"
CONSONANTS = "бвгджзклмнпрстфхцчшщ"

_WHOLE = {
    "нет": "нѣт",
    "где": "гдѣ",
    "здесь": "здѣсь",
    "мне": "мнѣ",
    "тебе": "тебѣ",
    "себе": "себѣ",
    "вне": "внѣ",
    "две": "двѣ",
    "обе": "обѣ",
    "после": "послѣ",
    "вместе": "вмѣстѣ",
    "более": "болѣе",
    "менее": "менѣе",
    "ее": "ея",
    "её": "ея",
    "нее": "нея",
    "неё": "нея",
    "тем": "тѣм",
    "тех": "тѣх",
    "теми": "тѣми",
    "те": "тѣ",
    "чем": "чѣм",
    "всех": "всѣх",
    "всем": "всѣм",
    "всеми": "всѣми",
    "доселе": "доселѣ",
    "отселе": "отселѣ",
    "зело": "зѣло",
    "зачем": "зачѣм",
    "затем": "затѣм",
    "совсем": "совсѣм",
    "между": "между",
    "нежели": "нежели",
    "ехать": "ѣхать",
    "еду": "ѣду",
    "едет": "ѣдет",
    "едут": "ѣдут",
    "еда": "ѣда",
    "еды": "ѣды",
    "поезд": "поѣзд",
    "поездка": "поѣздка",
    "подле": "подлѣ",
    "вскоре": "вскорѣ",
}

_PREFIXES = (
    "",
    "по",
    "на",
    "за",
    "у",
    "от",
    "об",
    "о",
    "пере",
    "при",
    "про",
    "раз",
    "рас",
    "из",
    "ис",
    "вы",
    "до",
    "под",
    "с",
    "со",
    "не",
    "без",
    "бес",
    "в",
    "во",
    "вз",
    "вос",
    "воз",
    "пре",
    "пред",
    "недо",
    "пооб",
    "обо",
)

# Pre-reform stems (ѣ where the modern word has е) with an optional look-ahead that keeps homographs out.
_YAT_STEMS = [
    r"бѣд(?!р)",
    r"бѣг",
    r"бѣж(?!ев)",
    r"бѣл",
    r"бѣс(?=$|[ыаоуи]|ен|ов|ь)",
    r"бесѣд",
    r"вѣда",
    r"вѣдо",
    r"вѣдь",
    r"вѣдѣ",
    r"вѣдом",
    r"вѣк(?!с)",
    r"вѣн(?=ец|ц|ик|ок|к|ч)",
    r"вѣр(?=[аоуыиья]|е(?![втш])|н)",
    r"вѣс(?=$|[ыау]|ом|ит|ят|ть|ти|тн|тник|ел)",
    r"вѣтер",
    r"вѣтр",
    r"вѣтв",
    r"вѣчн",
    r"вѣш",
    r"вѣя",
    r"отвѣт",
    r"совѣт",
    r"привѣт",
    r"завѣт",
    r"обѣт",
    r"свѣт",
    r"цвѣт",
    r"гнѣв",
    r"гнѣзд",
    r"грѣх",
    r"грѣш",
    r"дѣв(?=[аиоуыкч]|ств|ушк)",
    r"дѣд",
    r"дѣл(?!ь)",
    r"дѣт(?=[иейьс]|ск|ств)",
    r"дѣйств",
    r"дѣя",
    r"желѣз",
    r"звѣзд",
    r"звѣр",
    r"змѣ(?=й|я|и|ю|е|ин)",
    r"колѣн",
    r"крѣп",
    r"лѣв(?=[ыаоуш])",
    r"лѣз(?=ть|у|ет|ь|л|ви)",
    r"лѣкар",
    r"лѣн(?=ь|ив|ост|ит)",
    r"лѣп(?=и|л|ят)",
    r"великолѣп",
    r"лѣс(?=$|[аоуыеи]|н|ок|тниц)",
    r"лѣт(?=$|о|а$|ом|ний|н|у$|ами|ах|опис)",
    r"мѣд(?=ь|н|и$|ью|$)",
    r"мѣн(?=я|а|ы|у|и(?![ея]))",
    r"мѣр(?=[аыуояк]|е(?!ть)|ил|н)",
    r"мѣст(?!ь)",
    r"мѣсяц",
    r"мѣх(?=$|у|ов|ом|и$|ами|ах|а$)",
    r"мѣш",
    r"нѣдр",
    r"нѣж(?=н|ит|ен)",
    r"нѣм(?=ец|ц|ой|ая|ое|ые|ого|ому|от)",
    r"нѣкогда",
    r"нѣкто",
    r"нѣкий",
    r"нѣкотор",
    r"нѣсколь",
    r"обѣд",
    r"обѣщ",
    r"орѣх",
    r"пѣн(?=а|ы|у|о|ист)",
    r"пѣсн",
    r"пѣсен",
    r"пѣтух",
    r"пѣ(?=ть$|ни[ея]|вец|вц|вуч|л$|ла$|ли$|ло$)",
    r"плѣн",
    r"полѣн",
    r"прѣсн",
    r"рѣд(?=к|ьк)",
    r"рѣз(?=$|а|ч|к|ь|н[оаы])",
    r"рѣк(?=а$|и$|у$|е$|ой$|ою$|ам|ами|ах|$)",
    r"рѣч(?=ь|и$|ью|ей|ам|ами|ах|н)",
    r"рѣш",
    r"сѣвер",
    r"сѣд(?=о|ой|л|ин)",
    r"сосѣд",
    r"сѣн(?=о$|а$|у$|ом|ник|ок|и$)",
    r"сѣр(?=ы|ая|ое|ую|ого|ому|ым|ых|ость|о$|а$)",
    r"сѣт(?=ь|и|ью|ей|ов)",
    r"сѣя",
    r"сѣм(?=я|ен|ечк)",
    r"слѣд",
    r"слѣп",
    r"смѣ(?=х|ш|я|ть$|л|ю|ет|ют|ем|ешь|ли)",
    r"снѣг",
    r"снѣж",
    r"спѣ(?=ш|х|ть$|л|ет|ют)",
    r"стрѣл",
    r"стѣн",
    r"тѣл(?=$|о|а|у|е(?![гфвл])|ес)",
    r"тѣн(?=ь|и|ью|ей|ист)",
    r"тѣс(?=н|то|та|ту|те)",
    r"хлѣб",
    r"хлѣв",
    r"хрѣн",
    r"цѣл",
    r"цѣн(?=а|ы|у|е|о|и|я|н|к)",
    r"цѣп",
    r"человѣк",
    r"заповѣд",
    r"исповѣд",
    r"проповѣд",
    r"врѣд",
    r"пѣш",
    r"свирѣп",
    r"телѣг",
    r"утѣш",
    r"зрѣ(?=ть|ни|л)",
    r"дѣла",
    r"ѣзд",
    r"ѣх(?=а)",
    r"намѣр",
    r"Днѣпр",
    r"Днѣстр",
    r"Алексѣ",
    r"Матвѣ",
    r"Сергѣ",
    r"Андрѣ",
    r"Моисѣ",
    r"Евдокѣ",
    r"Тимоѳѣ",
]
_YAT_RE = re.compile(
    "^("
    + "|".join(sorted(_PREFIXES, key=len, reverse=True))
    + ")("
    + "|".join(s.replace("ѣ", "е").replace("ѳ", "ф") for s in _YAT_STEMS)
    + ")",
    re.IGNORECASE,
)
_YAT_LOOKUP = {s.split("(")[0].replace("ѣ", "е").replace("ѳ", "ф").lower(): s.split("(")[0].lower() for s in _YAT_STEMS}
_PRESENT_RE = re.compile(r"(?<=[" + CONSONANTS + r"])е(?=(ет|ешь|ем|ете|ют)(ся)?$)")

# Roots of -ѣть verbs whose past forms and verbal nouns also keep ѣ: видѣлъ, терпѣніе, владѣлецъ.
_YAT_VERBS = (
    "им",
    "ум",
    "хот",
    "вид",
    "сид",
    "смотр",
    "лет",
    "терп",
    "вел",
    "влад",
    "бол",
    "жал",
    "усп",
    "сум",
    "гор",
    "гляд",
    "верт",
    "вис",
    "шум",
    "грем",
    "кип",
    "звен",
    "обид",
    "ненавид",
    "блест",
    "свист",
    "скрип",
    "гол",
    "бел",
    "ред",
    "полн",
    "зрел",
    "пьян",
    "слаб",
    "хран",
    "терп",
    "свет",
    "сер",
    "болд",
    "раз",
    "кос",
)
_VERB_RE = re.compile(
    "^("
    + "|".join(sorted(_PREFIXES, key=len, reverse=True))
    + ")("
    + "|".join(_YAT_VERBS)
    + r")е(л|ла|ло|ли|ние|ния|нию|нием|нии|ний|ниям|ниями|ниях|лец)$",
    re.IGNORECASE,
)
_NOT_YAT_INFINITIVE = ("тереть", "переть", "мереть")

_FITA = {
    "феодор": "ѳеодор",
    "федор": "ѳедор",
    "федот": "ѳедот",
    "феофан": "ѳеофан",
    "феофил": "ѳеофил",
    "феодос": "ѳеодос",
    "фекл": "ѳекл",
    "фома": "ѳома",
    "фомы": "ѳомы",
    "фоме": "ѳоме",
    "фому": "ѳому",
    "марф": "марѳ",
    "афин": "аѳин",
    "афон": "аѳон",
    "афанас": "аѳанас",
    "фадде": "ѳадде",
    "мефод": "меѳод",
    "тимофе": "тимоѳе",
    "евфим": "евѳим",
    "агаф": "агаѳ",
    "варфолом": "варѳолом",
    "арифмет": "ариѳмет",
    "орфограф": "орѳограф",
    "кафедр": "каѳедр",
    "эфир": "эѳир",
    "миф": "миѳ",
    "логарифм": "логариѳм",
    "пифагор": "пиѳагор",
    "голиаф": "голиаѳ",
    "евфрос": "евѳрос",
    "фивы": "ѳивы",
    "риторик": "риторик",
    "феатр": "ѳеатр",
    "фимиам": "ѳиміам",
}
_IZHITSA = {
    "миро": "мѵро",
    "мира": "мѵра",
    "синод": "сѵнод",
    "ипостас": "ѵпостас",
    "ипакои": "ѵпакои",
    "иссоп": "ѵссоп",
}
_IZHITSA_EXACT = {
    "миро",
    "мира",
}  # "мир" (world, peace) keeps и; only the chrism is мѵро

_OGO_KEEP = {
    "одного",
    "этого",
    "того",
    "сего",
    "кого",
    "никого",
    "чего",
    "ничего",
    "такого",
    "какого",
    "другого",
    "его",
    "него",
    "всего",
    "моего",
    "твоего",
    "своего",
    "нашего",
    "вашего",
    "много",
    "немного",
    "строго",
    "долго",
    "дорого",
    "убого",
    "полого",
    "самого",
    "отлого",
    "некого",
    "нечего",
    "иного",
    "кое",
}
_LOCATIVE_PREPS = {"в", "во", "на", "о", "об", "обо", "при", "к", "ко", "по"}
_NOT_LOCATIVE = {
    "все",
    "ее",
    "её",
    "уже",
    "тоже",
    "также",
    "еще",
    "ещё",
    "где",
    "мне",
    "себе",
    "тебе",
    "вне",
    "что",
    "же",
}

_WORD_RE = re.compile(r"[А-Яа-яЁёѢѣІіѲѳѴѵ]+")


def _match_case(new: str, old: str) -> str:
    if old.isupper() and len(old) > 1:
        return new.upper()
    if old[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _convert_word(word: str, previous: str | None, abbreviation: bool = False) -> str:
    lower = word.lower().replace("ё", "е")
    if lower in _WHOLE:
        out = _WHOLE[lower]
    else:
        out = lower
        m = _YAT_RE.match(out)
        if m:
            prefix, stem = m.group(1), m.group(2)
            out = prefix + _YAT_LOOKUP.get(stem.lower(), stem) + out[m.end() :]
        if out.endswith("еть") and len(out) > 4 and not out.endswith(_NOT_YAT_INFINITIVE):
            out = out[:-3] + "ѣть"
        if len(out) > 4:
            out = _PRESENT_RE.sub("ѣ", out)
        m = _VERB_RE.match(out)
        if m:
            out = m.group(1) + m.group(2) + "ѣ" + m.group(3)
        if (
            previous in _LOCATIVE_PREPS
            and len(out) >= 4
            and out not in _NOT_LOCATIVE
            and re.search(r"[" + CONSONANTS + r"ь]е$", out)
        ):
            out = out[:-1] + "ѣ"
        for modern, old in _FITA.items():
            if out.startswith(modern):
                out = old + out[len(modern) :]
                break
        for modern, old in _IZHITSA.items():
            if out.startswith(modern) and (modern not in _IZHITSA_EXACT or out == modern):
                out = old + out[len(modern) :]
                break
        if out not in _OGO_KEEP and len(out) > 5:
            if out.endswith("ого"):
                out = out[:-3] + "аго"
            elif out.endswith("его") and out[-4] in "нжшчщ":
                out = out[:-3] + ("яго" if out[-4] == "н" else "аго")
    out = re.sub(r"и(?=[" + VOWELS + r"йѣ])", "і", out)
    acronym = word.isupper() and len(word) > 1 and not any(c in VOWELS for c in lower)
    if out[-1] in CONSONANTS and not acronym and not abbreviation:
        out += "ъ"
    return _match_case(out, word)


def to_prereform(text: str) -> str:
    """`text` in modern Russian spelling, rewritten in pre-reform spelling (see the module docstring)."""
    pieces: list[str] = []
    last = 0
    previous: str | None = None
    for m in _WORD_RE.finditer(text):
        gap = text[last : m.start()]
        pieces.append(gap.replace("ё", "е").replace("Ё", "Е"))
        if gap.strip():
            previous = None
        word = m.group(0)
        abbreviation = len(word) == 1 and text[m.end() : m.end() + 1] == "."
        pieces.append(_convert_word(word, previous, abbreviation))
        previous = word.lower()
        last = m.end()
    pieces.append(text[last:])
    return "".join(pieces)
