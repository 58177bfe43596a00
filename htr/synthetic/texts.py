"""What synthetic lines say: line-length snippets of real prose, in the spelling of the script's period.

Two kinds of source:
- text files in a texts folder ($SKOROPIS_TEXTS, default ~/.cache/skoropis/texts, filled by
  `scripts/fetch_texts.sh`): `cyrillic/*.txt` are modern Russian, rewritten into pre-reform spelling by
  `htr.synthetic.orthography`; `cyrillic-prereform/*.txt` are used as they are; `latin/*.txt` for Latin script.
  One passage per line.
- a small built-in vocabulary of early-18th-century chancery and military Russian written for this project
  (titles, formulas, names, places, dates in Arabic numerals), composed into random phrases. It keeps ѳ and ѵ,
  rare in any prose, present, and it is what the generator falls back on when no text files are installed.
"""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

from htr.synthetic.orthography import to_prereform

PUNCTUATION = ".,:;!?-()"
CHARSETS = {
    "cyrillic": set(
        "абвгдежзийклмнопрстуфхцчшщъыьэюяѣіѳѵАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯѢІѲѴ0123456789 " + PUNCTUATION
    ),
    "latin": set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        "àâäæçéèêëîïôœùûüÿÀÂÄÆÇÉÈÊËÎÏÔŒÙÛÜŸſ&0123456789 '" + PUNCTUATION
    ),
}
# Passages with these roots (obscenities, sex jokes) are not drawn: archive-facing examples should not show them.
_UNWANTED = re.compile(
    r"ху[йяеё]|пизд|[её]б[аил]|бля[дт]|жоп|\bсук|шлюх|минет|оргазм|секс|трах|мудак|гондон|педик",
    re.IGNORECASE,
)
_QUOTES = str.maketrans(
    {
        "«": "",
        "»": "",
        '"': "",
        "„": "",
        "“": "",
        "”": "",
        "—": "-",
        "–": "-",
        "…": "...",
        "ё": "е",
        "Ё": "Е",
    }
)

# Written for this project in the spelling of the period; not taken from any manuscript or edition.
_TITLES = [
    "Государь",
    "Милостивый государь",
    "Господинъ адмиралъ",
    "Господинъ генералъ",
    "Господинъ губернаторъ",
    "Господинъ фельдмаршалъ",
    "Господинъ капитанъ",
    "Премилостивый государь",
    "Господинъ полковникъ",
]
_NAMES = [
    "Ѳедоръ",
    "Ѳеодоръ",
    "Ѳома",
    "Аѳанасій",
    "Ѳеофанъ",
    "Ѳедотъ",
    "Тимоѳей",
    "Алексѣй",
    "Андрѣй",
    "Матвѣй",
    "Сергѣй",
    "Борисъ",
    "Гаврило",
    "Иванъ",
    "Петръ",
    "Александръ",
    "Михайло",
    "Яковъ",
    "Никита",
    "Василій",
    "Григорій",
    "Ѳекла",
    "Марѳа",
    "Евдокія",
    "Ѵпатій",
    "Данило",
    "Семенъ",
    "Кирило",
    "Прокофій",
    "Ѳилиппъ",
]
_PATRONYMS = [
    "Ѳедоровичъ",
    "Петровичъ",
    "Ивановичъ",
    "Алексѣевичъ",
    "Даниловичъ",
    "Матвѣевичъ",
    "Андрѣевичъ",
    "Борисовичъ",
    "Яковлевичъ",
    "Михайловичъ",
    "Тимоѳеевичъ",
    "Аѳанасьевичъ",
    "Григорьевичъ",
]
_PLACES = [  # (въ ..., изъ ...)
    ("Москвѣ", "Москвы"),
    ("Азовѣ", "Азова"),
    ("Воронежѣ", "Воронежа"),
    ("Санктпитербурхѣ", "Санктпитербурха"),
    ("Ригѣ", "Риги"),
    ("Ревелѣ", "Ревеля"),
    ("Нарвѣ", "Нарвы"),
    ("Выборхѣ", "Выборха"),
    ("Кронштатѣ", "Кронштата"),
    ("Полтавѣ", "Полтавы"),
    ("Кіевѣ", "Кіева"),
    ("Смоленскѣ", "Смоленска"),
    ("Архангелскомъ городѣ", "Архангелска"),
    ("Шлисельбурхѣ", "Шлисельбурха"),
    ("Таганрогѣ", "Таганрога"),
    ("Олонцѣ", "Олонца"),
    ("Казани", "Казани"),
    ("Ѳеодосіи", "Ѳеодосіи"),
    ("Ѳинляндіи", "Ѳинляндіи"),
]
_NOUNS = [
    "указъ",
    "писмо",
    "вѣдомость",
    "вѣдѣніе",
    "грамота",
    "челобитная",
    "полкъ",
    "баталіонъ",
    "рота",
    "драгуны",
    "солдаты",
    "матросы",
    "офицеры",
    "корабль",
    "фрегатъ",
    "галеры",
    "шнява",
    "верфь",
    "пушки",
    "фузеи",
    "порохъ",
    "провіантъ",
    "фуражъ",
    "амуниція",
    "лѣсъ",
    "доски",
    "канаты",
    "деньги",
    "рубли",
    "копѣйки",
    "жалованье",
    "сенатъ",
    "коллегія",
    "канцелярія",
    "губернія",
    "воевода",
    "стольникъ",
    "дьякъ",
    "подьячій",
    "посолъ",
    "король",
    "цесарь",
    "шведы",
    "турки",
    "непріятель",
    "крѣпость",
    "городъ",
    "гавань",
    "флотъ",
    "армія",
    "мѵро",
    "мѵропомазаніе",
    "сѵнодальный",
    "ѵпостась",
    "ѳлагъ",
    "каѳедра",
    "Ѳеодосія",
    "ѵѳимія",
    "орѳографія",
    "эѳиръ",
    "сѵнодъ",
    "ѳиміамъ",
    "ариѳметика",
    "геометрія",
    "навигація",
    "чертежъ",
    "мастеръ",
    "работники",
    "подводы",
    "лошади",
    "хлѣбъ",
    "соль",
    "сукно",
    "желѣзо",
    "мѣдь",
]
_VERBS = [
    "получилъ",
    "посылаю",
    "извѣстно",
    "указалъ",
    "повелѣваемъ",
    "прислать",
    "учинить",
    "отправить",
    "собрать",
    "строить",
    "держать",
    "вѣдать",
    "писать",
    "объявить",
    "исправить",
    "пріѣхать",
    "отпустить",
    "взять",
    "зачать",
    "окончить",
    "смотрѣть",
    "разсмотрѣть",
    "дать знать",
    "не мѣшкать",
    "поспѣшать",
]
_LINKS = [
    "и",
    "а",
    "также",
    "дабы",
    "понеже",
    "ежели",
    "однако жъ",
    "тотчасъ",
    "немедленно",
    "впредь",
    "для того",
    "о чемъ",
    "при семъ",
    "по сему",
    "сего",
    "оные",
    "оный",
    "онаго",
    "сіе",
    "зѣло",
    "вскорѣ",
    "безъ мотчанія",
]
_MONTHS = [
    "генваря",
    "февраля",
    "марта",
    "апрѣля",
    "маія",
    "іюня",
    "іюля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]
_FORMULAS = [
    "{title}.",
    "{title} {name} {patronym}.",
    "Писмо ваше {day} {month} получилъ.",
    "При семъ посылаю {noun}.",
    "Изъ {place_gen} {month} въ {day} день {year}.",
    "Въ {place} {month} {day} дня {year} году.",
    "{name} {patronym} {verb} {noun}.",
    "о чемъ {name} {patronym} {verb}.",
    "{link} {noun} {verb}, {link} {noun}.",
    "Указалъ великій государь {verb} {noun}.",
    "{noun} {number} рублевъ {number2} копѣекъ.",
    "{number} человѣкъ {noun}",
    "въ {place} {noun} {verb}",
    "{link} {verb} {noun} и {noun2}",
]


def built_in_phrase(rng: random.Random) -> str:
    """One random phrase from the built-in period vocabulary."""
    return rng.choice(_FORMULAS).format(
        title=rng.choice(_TITLES),
        name=rng.choice(_NAMES),
        patronym=rng.choice(_PATRONYMS),
        place=rng.choice(_PLACES)[0],
        place_gen=rng.choice(_PLACES)[1],
        noun=rng.choice(_NOUNS),
        noun2=rng.choice(_NOUNS),
        verb=rng.choice(_VERBS),
        link=rng.choice(_LINKS),
        month=rng.choice(_MONTHS),
        day=rng.randint(1, 31),
        year=rng.randint(1689, 1725),
        number=rng.randint(2, 999),
        number2=rng.randint(1, 99),
    )


def default_texts_dir() -> Path:
    env = os.environ.get("SKOROPIS_TEXTS")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "skoropis" / "texts"


def clean_text(text: str, script: str) -> str:
    """Quotes and dashes normalised, characters outside the script's charset dropped, spaces collapsed."""
    allowed = CHARSETS[script]
    text = text.translate(_QUOTES)
    text = "".join(c for c in text if c in allowed)
    return re.sub(r"\s+", " ", text).strip()


class TextSource:
    """Samples line-length snippets for one script from text files plus (Cyrillic) the built-in vocabulary."""

    def __init__(
        self,
        script: str = "cyrillic",
        files: list[str | Path] | None = None,
        built_in_share: float = 0.2,
        passages: list[str] | None = None,
    ):
        if script not in CHARSETS:
            raise ValueError(f"unknown script {script!r}; choose one of {sorted(CHARSETS)}")
        self.script = script
        self.passages: list[tuple[str, bool]] = []  # (text, already in period spelling)
        # The installed text files only when no text is given at all.
        paths = [Path(f) for f in files or []] if files or passages else self._default_files(script)
        for path in paths:
            if not path.is_file():
                raise FileNotFoundError(f"text file {path} does not exist")
            prereform = script != "cyrillic" or "prereform" in str(path.parent.name) or "prereform" in path.name
            with path.open(encoding="utf-8", errors="replace") as handle:
                for raw in handle:
                    raw = raw.strip()
                    if len(raw) < 12 or (script == "cyrillic" and re.search(r"[A-Za-z]", raw)):
                        continue
                    self.passages.append((raw, prereform))
        # Passages given directly (a training set's own transcriptions) are taken as they are spelled.
        self.passages += [(text, True) for text in passages or [] if text.strip()]
        self.sources = [str(p) for p in paths] + (["given passages"] if passages else [])
        if not self.passages and script != "cyrillic":
            raise FileNotFoundError(
                f"no {script} text: run scripts/fetch_texts.sh or pass text files (one passage per line)"
            )
        self.built_in_share = 1.0 if not self.passages else built_in_share if script == "cyrillic" else 0.0

    @staticmethod
    def _default_files(script: str) -> list[Path]:
        base = default_texts_dir()
        folders = [base / script] + ([base / "cyrillic-prereform"] if script == "cyrillic" else [])
        return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.txt"))

    def _passage(self, rng: random.Random) -> str:
        if rng.random() < self.built_in_share:
            return " ".join(built_in_phrase(rng) for _ in range(3))
        text, prereform = rng.choice(self.passages)
        if not prereform:
            text = to_prereform(text)
        return text

    def sample(self, rng: random.Random, min_chars: int = 8, max_chars: int = 56) -> str:
        """A run of whole words, between min_chars and max_chars long, running on into further passages."""
        target = rng.randint(min_chars, max_chars)
        words = clean_text(self._passage(rng), self.script).split()
        line = ""
        if words:
            words = words[rng.randrange(len(words)) :]
        for _ in range(8):
            for word in words:
                if line and len(line) + 1 + len(word) > (target if len(line) >= min_chars else max_chars):
                    return line
                line = f"{line} {word}" if line else word[:max_chars]
            words = clean_text(self._passage(rng), self.script).split()
        return line or clean_text(built_in_phrase(rng), self.script)[:max_chars]
