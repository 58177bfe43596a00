"""The archive reader's answers: a question about a manuscript answered by quoting its best matching lines.

Hybrid retrieval over the page's (or document's) read lines: a sentence embedding (meaning, across languages)
plus character-level fuzzy matching of the question's words on spelling-folded text (pre-reform Russian,
old French, OCR slips), plus a date finder for "when" questions. Below a calibrated score it says
"I don't know" instead of quoting a line that merely looks similar. Russian questions get Russian answers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from assistant.backends.embeddings import Embedder
from assistant.backends.lexicon import same_meaning

# Spelling folding ---------------------------------------------------------------------------------------------

_PRE_REFORM = str.maketrans({"ѣ": "е", "і": "и", "ї": "и", "ѳ": "ф", "ѵ": "и", "ё": "е", "ſ": "s", "ꝛ": "r"})
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss", "&": " et "}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HAS_WORD = re.compile(r"[^\W\d_]{3}")


def fold(text: str) -> str:
    """Lower-case, strip accents, fold pre-reform letters (ѣ→е, і→и, ѳ→ф, ѵ→и), drop a word-final ъ, ſ→s.

    The result keeps only letters and digits separated by single spaces, so that "Пріѣхалъ въ Парижъ"
    and "Приехал в Париж" fold to the same string.
    """
    text = text.lower().translate(_PRE_REFORM)
    for ligature, plain in _LIGATURES.items():
        text = text.replace(ligature, plain)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = [w[:-1] if len(w) > 1 and w.endswith("ъ") else w for w in _WORD.findall(text)]
    return " ".join(w for w in words if w)


_TRANSLIT = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z", "и": "i", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
        "я": "ia",
    }
)  # fmt: skip


_SOUNDS = [("ph", "f"), ("ch", "sh"), ("ou", "u"), ("c", "k"), ("q", "k"), ("w", "v"), ("x", "ks"), ("y", "i")]


def _sound(word: str) -> str:
    """A Latin word's consonants as they sound, doubled ones once (cook → kk, pape → pp): how a name transliterated
    from Cyrillic is matched to its French or English spelling."""
    for written, said in _SOUNDS:
        word = word.replace(written, said)
    single = "".join(c for i, c in enumerate(word) if i == 0 or c != word[i - 1])
    return "".join(c for c in single if c.isalpha() and c not in "aeiouh")


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


# Question words of the three languages we meet (folded): they say what is asked, not what to look for.
_STOPWORDS = set(
    """
    a an the is are was were be been of in on at to for from by with about and or not it its this that these those
    there here he she they him her his them we you i me my your our what which who whom whose where when why how
    does did do done has have had can could would should will shall may might mentioned mention mentions written
    write wrote say says said said page line lines text letter document manuscript please tell show find ask asks
    asked
    где когда что кто кого чем чему какой какая какое какие каком какого каких как почему зачем ли ль же бы не ни
    это эта этот эти тот та те то он она оно они его ее их ему ей им мне меня я ты вы мы вас нас в во на о об обо
    по с со к ко у из за от до для при про и а но или да есть был была было были быть упоминается упомянут
    упомянуто упоминание написано написан написана написал пишет говорит сказано страница странице строка строке
    строки текст тексте письмо письме документ документе рукопись рукописи просит просят
    ou quand qui que quoi quel quelle quels quelles comment pourquoi est sont etait le la les un une des du de d l
    en et il elle ils elles se sa son ses au aux ce cet cette dans sur par pour avec il y a t on
    """.split()
)

_WHEN = re.compile(
    r"\b(when|date|dated|year|what day|когда|дата|датировано|датирован|числа|году|год|какого|quand|annee)\b"
)

# Dates ----------------------------------------------------------------------------------------------------------

_MONTHS = (
    r"janvier|janv|fevrier|fevr|fev|mars|avril|avr|mai|juin|juillet|juil|aout|septembre|sept|7bre|octobre|oct|8bre"
    r"|novembre|nov|9bre|decembre|dec|xbre|10bre"
    r"|january|jan|february|feb|march|april|apr|may|june|july|august|aug|september|sep|october|november|december"
    r"|январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[ия]|июн[ья]|июл[ья]|августа?|сентябр[ья]|октябр[ья]|ноябр[ья]"
    r"|декабр[ья]"
)
_YEAR = r"1[4-9]\d\d|20[0-2]\d"
_DAY = r"[0-3]?\d|1er|premier"
_DATE_PATTERNS = [  # (pattern on folded text, strength)
    (re.compile(rf"\b({_DAY}) ({_MONTHS})(?: ({_YEAR}))?\b"), 0.85),
    (re.compile(rf"\b({_MONTHS}) ({_YEAR}|\d\d)\b"), 0.8),
    (
        re.compile(rf"\b([0-3]?\d) ([01]?\d) ({_YEAR}|\d\d)\b"),
        0.75,
    ),  # 3.5.1767 folds to "3 5 1767"
    (re.compile(rf"\b({_YEAR})\b"), 0.6),
    (re.compile(r"\b(?:en|in|anno|в|во) (\d{3,4})\b"), 0.5),  # "fils de clovis en 558"
]


def find_date(text: str) -> tuple[str, float] | None:
    """The strongest date-looking span of a line (folded), with a strength in [0, 1]; None without one."""
    folded = fold(text)
    best: tuple[str, float] | None = None
    for pattern, strength in _DATE_PATTERNS:
        for match in pattern.finditer(folded):
            has_year = bool(re.search(rf"\b({_YEAR})\b", match.group(0)))
            score = 1.0 if has_year and strength >= 0.75 else strength  # a full date beats a part of one
            if best is None or score > best[1]:
                best = (match.group(0), score)
    return best


def is_when_question(question: str) -> bool:
    return bool(_WHEN.search(fold(question)))


# Retrieval ------------------------------------------------------------------------------------------------------


@dataclass
class Passage:
    """One read line, wherever it comes from (an archive line, a line of an uploaded page)."""

    key: str  # "line:123" (archive) or "upload:7:l3" (a line of an uploaded page)
    text: str
    number: int  # 1-based position in the page's reading order
    page: int | None = None  # page number inside the document, when the scope is a whole document
    page_key: str = ""  # which image to show the line on
    document: str = ""  # the document's title, when the scope is a whole collection
    polygon: list = field(default_factory=list)


@dataclass
class Hit:
    passage: Passage
    score: float
    semantic: float = 0.0
    fuzzy: float = 0.0
    date: str = ""


@dataclass
class Calibration:
    """How the two signals mix and where "I don't know" starts. Fit by `benchmarks/assistant_retrieval.py`."""

    sem_floor: float  # cosine at which a line is as good as unrelated
    sem_ceil: float  # cosine at which a line is as good as a paraphrase
    w_sem: float = 0.5
    w_fuzzy: float = 0.5
    threshold: float = 0.35


DATE_WEIGHT = 0.5  # how much a date in a line counts for a "when" question

CALIBRATIONS = {
    # Fit on benchmarks/data/assistant_questions.json (ground truth, page scope): `assistant_retrieval.py --fit`.
    # The fit's best threshold was 0.12; 0.16 keeps the same correct answers and refuses more (fewer wrong quotes).
    "e5": Calibration(sem_floor=0.74, sem_ceil=0.86, w_sem=0.3, w_fuzzy=0.7, threshold=0.16),
    "minilm": Calibration(sem_floor=0.15, sem_ceil=0.6, w_sem=0.3, w_fuzzy=0.7, threshold=0.16),
    None: Calibration(sem_floor=0.0, sem_ceil=1.0, w_sem=0.0, w_fuzzy=1.0, threshold=0.15),
}


# French function words that are English words of substance: kept in an English question ("Lully's eldest son").
_ENGLISH_WORDS = {"son"}
_ENGLISH_QUESTION = {"who", "whom", "whose", "what", "which", "where", "when", "the", "was", "were", "did", "does"}


def keywords(question: str) -> list[str]:
    words = fold(question).split()
    kept = _ENGLISH_WORDS if _ENGLISH_QUESTION.intersection(words) else set()
    return [w for w in words if (w not in _STOPWORDS or w in kept) and (len(w) >= 3 or w.isdigit())]


def _word_score(keyword: str, words: list[str]) -> float:
    """How well a question word appears among a line's words: exact 1.0, misspelt or inflected a bit less."""
    if not words:
        return 0.0
    forms = {keyword}
    sound = ""
    if _has_cyrillic(keyword):
        forms.add(keyword.translate(_TRANSLIT))
        sound = _sound(keyword.translate(_TRANSLIT))
    best = 0.0
    for form in forms:
        for word in words:
            if sound and len(sound) >= 2 and word.isascii() and _sound(word) == sound:
                best = max(best, 0.9)  # a name written in Cyrillic by its sound: Кук → Cook, Папа → pape
            if abs(len(word) - len(form)) > max(3, len(form) // 2):
                continue
            ratio = fuzz.ratio(form, word) / 100
            if len(word) > len(form) and word.startswith(form[: max(4, len(form) - 1)]):
                ratio = max(ratio, 0.9)  # an inflected form: Париж → Парижа
            best = max(best, ratio)
    return float(np.clip((best - 0.65) / 0.35, 0.0, 1.0))  # 0.7 (a loose look-alike) counts little, 1.0 fully


LEXICON_SCORE = 0.9  # a word of the lexicon's concept ("tutor" on a line saying "précepteur"): as sure as an inflection


def word_score(keyword: str, words: list[str]) -> float:
    """How well a question word or a word of the same meaning in another language (`lexicon`) appears among a
    line's words."""
    score = _word_score(keyword, words)
    if score < LEXICON_SCORE and same_meaning(keyword, set(words)):
        return LEXICON_SCORE
    return score


def named_in(name: str, question: str) -> bool:
    """The question gives the name: one of its words spelled as the page spells it, or written in the other
    alphabet ("Люлли" for Lully, "Кук" for Cook)."""
    asked = fold(question).split()
    words = [w for w in fold(name).split() if len(w) >= 3]
    return any(
        a == w or (_has_cyrillic(a) != _has_cyrillic(w) and _word_score(a, [w]) >= 0.7) for w in words for a in asked
    )


def fuzzy_scores(question: str, passages: list[Passage], translations: dict[str, set[str]] | None = None) -> np.ndarray:
    """Per line: the question's words found in it, or a word of the same meaning in another language (`lexicon`),
    weighted by how rare they are in the scope (idf); a word of the question found only through the embedder's
    translation (`word_translations`) counts as a loose look-alike."""
    terms = keywords(question)
    if not terms or not passages:
        return np.zeros(len(passages), dtype=np.float32)
    line_words = [fold(p.text).split() for p in passages]
    matrix = np.array(
        [[word_score(t, words) for t in terms] for words in line_words],
        dtype=np.float32,
    )
    for j, term in enumerate(terms):
        found = (translations or {}).get(term)
        if found:
            hit = np.array([bool(found & set(words)) for words in line_words])
            matrix[:, j] = np.where(hit, np.maximum(matrix[:, j], TRANSLATION_SCORE), matrix[:, j])
    df = (matrix >= 0.5).sum(axis=0)
    n = len(passages)
    idf = np.array([math.log((n + 1) / (d + 0.5)) for d in df], dtype=np.float32)
    idf = np.clip(idf, 0.05, None)
    return (matrix * idf).sum(axis=1) / idf.sum()


TRANSLATION_SCORE = 0.6  # a word matched by meaning across languages: less sure than one matched by its letters
_TRANSLATION_MARGIN = 0.035  # how far the best word's cosine must stand above the vocabulary's mean
_TRANSLATION_LINES = 10  # the lines closest in meaning whose words are looked through
_word_vectors: dict[str, np.ndarray] = {}
_WRITTEN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def word_translations(
    question: str, passages: list[Passage], embedder: Embedder | None, semantic: np.ndarray
) -> dict[str, set[str]]:
    """The question's words that no line spells ("замок", "tutor"), each with the word of the closest lines that
    means it ("château", "précepteur"): the multilingual embedder compares single words, where its sentence
    vectors of a short question and a long line in another language are too close to every line to choose."""
    if embedder is None or not passages:
        return {}
    line_words = [fold(p.text).split() for p in passages]
    missing = [t for t in keywords(question) if not t.isdigit() and max(word_score(t, w) for w in line_words) < 0.5]
    if not missing:
        return {}
    closest = np.argsort(-semantic)[:_TRANSLATION_LINES]
    written = {}  # folded word -> the word as written (the embedder knows "château" better than "chateau")
    for i in closest:
        for word in _WRITTEN_WORD.findall(passages[i].text.lower()):
            folded = fold(word)
            if len(folded) >= 4 and folded not in _STOPWORDS and not folded.isdigit() and " " not in folded:
                written.setdefault(folded, word)
    vocabulary = sorted(written)
    if len(vocabulary) < 5:
        return {}
    new = [written[w] for w in vocabulary if written[w] not in _word_vectors]
    if new:
        if len(_word_vectors) > 50_000:
            _word_vectors.clear()
        _word_vectors.update(zip(new, embedder.passages(new), strict=True))
    matrix = np.stack([_word_vectors[written[w]] for w in vocabulary])
    found = {}
    for term in missing:
        scores = matrix @ embedder.query(term)
        best = int(scores.argmax())
        if scores[best] - scores.mean() >= _TRANSLATION_MARGIN:
            found[term] = {vocabulary[best]}
    return found


def semantic_scores(
    question: str,
    passages: list[Passage],
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
) -> np.ndarray:
    if embedder is None or not passages:
        return np.zeros(len(passages), dtype=np.float32)
    if vectors is None:
        vectors = embedder.passages([p.text for p in passages])
    scores = vectors @ embedder.query(question)
    # A bare page number or a lone "&c" sits close to every question in embedding space: it never wins on meaning.
    wordless = np.array([not _HAS_WORD.search(p.text) for p in passages])
    if wordless.any() and not wordless.all():
        scores = np.where(wordless, scores[~wordless].min(), scores)
    return scores


def _semantic_strength(semantic: np.ndarray, cal: Calibration) -> np.ndarray:
    """Half absolute closeness, half how far a line stands out from the rest of the scope (z-score).

    Cosines of small embedders crowd into a narrow band, so the absolute value alone separates an answer from a
    merely similar line poorly; a line that stands out from its neighbours is the better sign.
    """
    absolute = np.clip((semantic - cal.sem_floor) / max(cal.sem_ceil - cal.sem_floor, 1e-6), 0.0, 1.0)
    if len(semantic) < 5 or float(semantic.std()) < 1e-6:
        return absolute
    z = (semantic - semantic.mean()) / semantic.std()
    return 0.5 * absolute + 0.5 * np.clip((z - 1.0) / 3.0, 0.0, 1.0)


def search(
    question: str,
    passages: list[Passage],
    *,
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
    calibration: Calibration | None = None,
    translate: bool = False,
) -> list[Hit]:
    """Every passage scored and ranked, best first. `translate`: the question's words that no line spells are
    looked for by meaning too (`word_translations`); the fact ranking asks for it, where a person, place or date
    must be on or beside the line. The line reader does not: it answered more unanswerable questions with it."""
    cal = calibration or CALIBRATIONS[embedder.name if embedder else None]
    semantic = semantic_scores(question, passages, embedder, vectors)
    sem_n = _semantic_strength(semantic, cal)
    translations = word_translations(question, passages, embedder, semantic) if translate else None
    fuzzy = fuzzy_scores(question, passages, translations)
    combined = cal.w_sem * sem_n + cal.w_fuzzy * fuzzy
    hits = [
        Hit(
            passage=p,
            score=float(combined[i]),
            semantic=float(semantic[i]),
            fuzzy=float(fuzzy[i]),
        )
        for i, p in enumerate(passages)
    ]
    if is_when_question(question):
        # "When was this written?" asks for any date; "when was Napoleon born?" only for a date near Napoleon.
        topical = bool(keywords(question))
        for hit in hits:
            found = find_date(hit.passage.text)
            if found:
                hit.date, strength = found
                relevance = min(1.0, hit.score / (2 * cal.threshold)) if topical and cal.threshold > 0 else 1.0
                hit.score += DATE_WEIGHT * strength * relevance
    return sorted(hits, key=lambda h: (-h.score, h.passage.page or 0, h.passage.number))


# Answers --------------------------------------------------------------------------------------------------------


@dataclass
class Answer:
    text: str
    hits: list[Hit]  # the quoted evidence, best first
    known: bool
    language: str  # "en" or "ru"


def question_language(question: str) -> str:
    return "ru" if _has_cyrillic(question) else "en"


def _where(hit: Hit, language: str, many_pages: bool) -> str:
    p = hit.passage
    with translation.override(language):
        where = _("line %(number)s") % {"number": p.number}
        if many_pages and p.page:
            where += _(", page %(page)s") % {"page": p.page}
        if p.document:
            where += ", " + p.document
        return _("“%(text)s” (%(where)s)") % {"text": p.text, "where": where}


def answer(
    question: str,
    passages: list[Passage],
    *,
    embedder: Embedder | None,
    vectors: np.ndarray | None = None,
    calibration: Calibration | None = None,
    max_quotes: int = 3,
) -> Answer:
    """Quote the best lines, or say "I don't know" when nothing clears the calibrated threshold."""
    language = question_language(question)
    cal = calibration or CALIBRATIONS[embedder.name if embedder else None]
    with translation.override(language):
        if not passages:
            return Answer(text=_("I found no lines of text here."), hits=[], known=False, language=language)
        ranked = search(question, passages, embedder=embedder, vectors=vectors, calibration=cal)
        top = ranked[0]
        if top.score < cal.threshold:
            text = _("I don't know: no line of the text matches the question closely enough.")
            return Answer(text=text, hits=[], known=False, language=language)
        many_pages = len({p.page_key for p in passages}) > 1
        if is_when_question(question) and top.date:
            text = _("The text gives a date: %(quote)s.") % {"quote": _where(top, language, many_pages)}
            return Answer(text=text, hits=[top], known=True, language=language)
        hits = [h for h in ranked[:max_quotes] if h.score >= cal.threshold and h.score >= 0.8 * top.score]
        quotes = [_where(h, language, many_pages) for h in hits]
        if len(quotes) > 1:
            text = _("The best matching line is %(quote)s. Also: %(others)s.") % {
                "quote": quotes[0],
                "others": "; ".join(quotes[1:]),
            }
        else:
            text = _("The best matching line is %(quote)s.") % {"quote": quotes[0]}
    return Answer(text=text, hits=hits, known=True, language=language)
