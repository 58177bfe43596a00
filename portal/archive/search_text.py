"""The search's text matching in Python, the same on PostgreSQL and SQLite: folding (case, accents, pre-reform
letters), the query's words and "quoted phrases", trigram similarity between a word of the query and a word of a
line, and the highlighted snippet.

Folding matches PostgreSQL's `translate(unaccent(lower(text)), _FROM, _TO)` (migration 0006): lower case, accents and
ligatures off (é→e, œ→oe, ſ→s), then the pre-reform letters (ѣ→е, і→и, ѳ→ф, ѵ→и). `fold_map` also says where each
folded character came from, so a match in the folded text is highlighted at its place in the original.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

# Kept as migration 0003 froze them (its index); the accents among them are also taken off by unaccent first.
_FROM = "ѣіїѳѵёйàáâãäåèéêëìíîïòóôõöùúûüýÿçñ"
_TO = "еиифиеиaaaaaaeeeeiiiiooooouuuuyycn"
_TABLE = str.maketrans(_FROM, _TO)
_SPELLED_OUT = {"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ı": "i"}

SNIPPET_CHARS = 160
TRIGRAM_MIN = 0.3  # trigram similarity from which a word may be the query's word misspelt (PostgreSQL's <% too)
SPELLING_MIN = 0.7  # ... and it is, if at most 3 letters in 10 differ (1 - edit distance / longer length)
SUBSTRING = 0.9  # score of a word that holds the query's word (a partial word); a misspelt one scores below 0.85
_WORD = re.compile(r"\w+")


def _fold_char(c: str) -> str:
    c = c.lower()
    if c in _SPELLED_OUT:
        return _SPELLED_OUT[c]
    c = "".join(ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch))
    return c.lower().translate(_TABLE)


class _FoldTable(dict):
    """str.translate's table, filled as characters are met; `irregular`: those that fold to more or less than one."""

    irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        self[code] = folded = _fold_char(chr(code))
        if len(folded) != 1:
            self.irregular.add(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accents off, pre-reform letters to modern ones (see the module docstring)."""
    return text.translate(_FOLD)


def fold_map(text: str) -> tuple[str, list[int]]:
    """(folded text, for each folded character the index of the original character it came from)."""
    folded = fold(text)
    if _FOLD.irregular.isdisjoint(text):
        return folded, list(range(len(text)))
    where: list[int] = []
    for i, c in enumerate(text):
        where += [i] * len(_FOLD[ord(c)])
    return folded, where


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: two spaces before it, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two words: shared trigrams over all their trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def spelling_similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / the longer length: 1 for the same word, 0.75 for "marole" against "marolles"."""
    if a == b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1 - previous[-1] / max(len(a), len(b))


def padded_words(folded: str) -> str:
    """The line as pg_trgm sees it: each word with two spaces before and one after (for a quick trigram test)."""
    return "".join(f"  {w} " for w in _WORD.findall(folded))


def may_be_near(padded: str, term: str, term_trigrams: set[str]) -> bool:
    """False when no word of the line can be within TRIGRAM_MIN of `term` (too few of its trigrams in the line)."""
    if term in padded:
        return True
    need = TRIGRAM_MIN * len(term_trigrams)
    return sum(t in padded for t in term_trigrams) >= need


@dataclass
class Query:
    words: list[str] = field(default_factory=list)  # folded; each may be found misspelt
    phrases: list[str] = field(default_factory=list)  # folded, spaces collapsed; found exactly, words in order

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def trigrams(self, word: str) -> set[str]:
        if not hasattr(self, "_trigrams"):
            self._trigrams = {w: trigrams(w) for w in self.words}
        return self._trigrams[word]


_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"'})


def plain_quotes(q: str) -> str:
    """« », “ ” and „ as plain double quotes."""
    return q.translate(_QUOTES)


def query_parse(q: str) -> Query:
    """Words, and "exact phrases" in double quotes (« » and “ ” too); an unclosed quote quotes the rest."""
    q = plain_quotes(q)
    query = Query()
    for i, chunk in enumerate(q.split('"')):
        folded = " ".join(fold(chunk).split())
        if i % 2:
            if folded:
                query.phrases.append(folded)
        else:
            query.words += [w for w in _WORD.findall(folded)]
    return query


@dataclass
class Match:
    score: float  # 1: every part found as written; lower: partial or misspelt words
    spans: list[tuple[int, int]]  # in the folded text
    near: dict[str, tuple[int, int]]  # query word -> the word of the line it was found as (folded span), if misspelt


def line_match(folded: str, query: Query) -> Match | None:
    """How the folded text of a line matches the query: every phrase exactly, every word as a whole word, inside a
    word, or as a misspelt word (within TRIGRAM_MIN trigram similarity, then SPELLING_MIN edit distance). None: it
    does not match."""
    spans: list[tuple[int, int]] = []
    scores: list[float] = []
    near: dict[str, tuple[int, int]] = {}
    for phrase in query.phrases:
        found = [(m.start(), m.end()) for m in re.finditer(re.escape(phrase).replace(r"\ ", r"\s+"), folded)]
        if not found:
            return None
        spans += found
        scores.append(1.0)
    if not query.words:
        return Match(score=1.0, spans=spans, near=near)
    padded = padded_words(folded)
    fuzzy_terms = {}
    for term in query.words:
        fuzzy_terms[term] = may_be_near(padded, term, query.trigrams(term))
        if term not in folded and not fuzzy_terms[term]:
            return None
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    for term in query.words:
        term_trigrams, fuzzy = query.trigrams(term), fuzzy_terms[term]
        best, best_spans, best_word = 0.0, [], (0, 0)
        for word, start, end in words:
            if word == term:
                score, at = 1.0, [(start, end)]
            elif term in word:
                score = SUBSTRING
                at = [(start + m.start(), start + m.end()) for m in re.finditer(re.escape(term), word)]
            elif fuzzy:
                word_trigrams = trigrams(word)
                shared = len(term_trigrams & word_trigrams)
                if shared < TRIGRAM_MIN * (len(term_trigrams) + len(word_trigrams) - shared):
                    continue
                score = spelling_similarity(term, word)
                if score < SPELLING_MIN:
                    continue
                score, at = 0.85 * score, [(start, end)]
            else:
                continue
            if score > best:
                best, best_spans, best_word = score, at, (start, end)
            elif score == best:
                best_spans += at
        if not best:
            return None
        spans += best_spans
        scores.append(best)
        if best < SUBSTRING:
            near[term] = best_word
    return Match(score=sum(scores) / len(scores), spans=spans, near=near)


def original_span(text: str, where: list[int], start: int, end: int) -> tuple[int, int]:
    """The span of `text` that the folded span [start, end) came from, with the combining accents that follow it."""
    lo, hi = where[start], where[end - 1] + 1
    while hi < len(text) and unicodedata.combining(text[hi]):
        hi += 1
    return lo, hi


def snippet(text: str, spans: list[tuple[int, int]], where: list[int]) -> str:
    """HTML: the text around the first match, the matches (spans in the folded text, `where` its map to `text`)
    wrapped in <mark>, everything else escaped."""
    original = sorted(original_span(text, where, s, e) for s, e in spans if e > s)
    merged: list[list[int]] = []
    for start, end in original:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    lo = max(0, merged[0][0] - SNIPPET_CHARS // 3) if merged else 0
    hi = min(len(text), lo + SNIPPET_CHARS)
    out, pos = [], lo
    for start, end in merged:
        if start >= hi:
            break
        out += [html.escape(text[pos:start]), "<mark>", html.escape(text[start : min(end, hi)]), "</mark>"]
        pos = min(end, hi)
    out.append(html.escape(text[pos:hi]))
    return ("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(text) else "")
