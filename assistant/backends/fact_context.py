"""The lines around a fact: where it stands on its page, its neighbours, and the quote that is its evidence.

A fact (a person, place or date) is found on one or more lines; the words of the question, of an event ("mort le…")
or of a dateline ("Fait à Caen le…") that make it the answer stand on those lines or next to them. Imports nothing
from Django but the translation of the quote's wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.backends.quotes import Hit, Passage, _where

if TYPE_CHECKING:
    from assistant.backends.facts import Fact


def near_lines(fact: Fact, by_key: dict[str, int], passages: list[Passage]) -> Iterator[tuple[Passage, float]]:
    """(passage, weight) of the fact's lines (1.0) and of their neighbours on the same page (0.7)."""
    for key in fact.keys:
        i = by_key.get(key)
        if i is None:
            continue
        for j, weight in ((i, 1.0), (i - 1, 0.7), (i + 1, 0.7)):
            if 0 <= j < len(passages) and passages[j].page_key == passages[i].page_key:
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
