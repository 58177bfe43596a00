"""Searching the text of the documents a user may read, tolerant of misspellings.

The database hands over candidate lines, Python (search_text.py) decides, ranks and highlights them, the same way on
both databases. PostgreSQL: `skoropis_fold(text)` (unaccent + pre-reform letters, migration 0008) with a trigram
index finds the lines that hold each word of the query inside a word (LIKE) or have a word within the trigram
word-similarity threshold (<%). SQLite (the embedded default) has no such index: every readable line is handed over
(measured: benchmarks/search_tolerant.py).
"Exact phrases" in quotes are never fuzzy. When words were found only misspelt, a suggestion is made from the words
of the lines found ("did you mean").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, TextField, Value

from portal.archive import selectors
from portal.archive.models import Layer, Revision, Transcription
from portal.archive.search_text import (
    TRIGRAM_MIN,
    Query,
    fold,
    fold_map,
    line_match,
    original_span,
    plain_quotes,
    query_parse,
    snippet,
)

MAX_RESULTS = 100
CANDIDATES = 2000  # lines the database hands over to be ranked in Python
_WORD = re.compile(r"\w+")
TEXT_KINDS = ("corrected", "machine")  # written by a person (corrected or imported) / as a model read it


def _word_near(term: str) -> Q:
    """PostgreSQL: the line's folded text holds `term` inside a word, or a word within TRIGRAM_MIN of it."""
    near = Func(
        Value(term),
        F("folded"),
        function="",
        template="(%(expressions)s)",
        arg_joiner=" <%% ",
        output_field=BooleanField(),
    )
    return Q(folded__contains=term) | Q(near)


def _candidates(*, user, query: Query, project: int | None, document: int | None, text: str | None):
    """The current text of the readable lines (the manual layer's where it has the line); on PostgreSQL only those
    the indexes find near the query, at most CANDIDATES. SQLite hands over every line: Python decides."""
    documents = selectors.documents_readable_by(user)
    if project is not None:
        documents = documents.filter(project_id=project)
    if document is not None:
        documents = documents.filter(pk=document)
    qs = (
        Transcription.objects.filter(line__page__document__in=documents.values("pk"))
        .annotate(
            has_manual=Exists(Transcription.objects.filter(line=OuterRef("line"), layer__kind=Layer.Kind.MANUAL)),
            corrected=Exists(Revision.objects.filter(transcription=OuterRef("pk"), author__isnull=False)),
        )
        .filter(Q(layer__kind=Layer.Kind.MANUAL) | Q(has_manual=False))
        .exclude(text="")
    )
    if text == "corrected":
        qs = qs.filter(corrected=True)
    elif text == "machine":
        qs = qs.filter(corrected=False)
    fields = (
        "line_id",
        "text",
        "corrected",
        "layer_id",
        "line__page_id",
        "line__page__number",
        "line__page__document_id",
        "line__page__document__title",
    )
    if connection.vendor != "postgresql":
        return qs.values_list(*fields).iterator(chunk_size=2000)
    qs = qs.annotate(folded=Func(F("text"), function="skoropis_fold", output_field=TextField()))
    for phrase in query.phrases:  # each of its words; search_text checks they stand in order
        for word in phrase.split():
            qs = qs.filter(folded__contains=word)
    for term in query.words:
        qs = qs.filter(_word_near(term))
    order = ("line__page__document_id", "line__page__number", "line__order", "pk")
    return qs.order_by(*order).values_list(*fields)[:CANDIDATES]


def _rows(**kwargs):
    if connection.vendor != "postgresql":
        return _candidates(**kwargs)
    with transaction.atomic():  # SET LOCAL holds for this transaction only
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [TRIGRAM_MIN])
        return list(_candidates(**kwargs))


@dataclass
class Found:
    results: list[dict]  # best first
    suggestion: str | None  # the query with its misspelt words as the lines found write them ("did you mean")


def search_lines(*, user, q: str, **filters) -> list[dict]:
    """Lines matching `q`, best first, only from documents the user may read (see `search_run`)."""
    return search_run(user=user, q=q, **filters).results


def search_run(
    *, user, q: str, project: int | None = None, document: int | None = None, text: str | None = None
) -> Found:
    """Lines matching `q` in the documents the user may read, with a suggestion when words were found only misspelt.
    `text`: "corrected" (written by a person) or "machine" (as a model read it) lines only."""
    query = query_parse(q)
    if not query:
        return Found(results=[], suggestion=None)
    hits, seen = [], set()
    spelled: dict[str, Counter] = {}
    for line, line_text, corrected, layer, page, number, doc, title in _rows(
        user=user, query=query, project=project, document=document, text=text
    ):
        if line in seen:
            continue
        match = line_match(fold(line_text), query)
        if match is None:
            continue
        seen.add(line)
        _folded, where = fold_map(line_text)
        for term, (start, end) in match.near.items():
            lo, hi = original_span(line_text, where, start, end)
            spelled.setdefault(term, Counter())[line_text[lo:hi]] += 1
        hits.append(
            (
                -match.score,
                doc,
                number,
                len(hits),
                {
                    "line": line,
                    "page": page,
                    "page_number": number,
                    "document": doc,
                    "document_title": title,
                    "layer": layer,
                    "text": line_text,
                    "corrected": corrected,
                    "score": round(match.score, 3),
                    "snippet": snippet(line_text, match.spans, where),
                    "image": f"/api/lines/{line}/image/",
                },
            )
        )
    hits.sort(key=lambda h: h[:4])
    return Found(results=[h[4] for h in hits[:MAX_RESULTS]], suggestion=_suggestion(q, spelled))


def _suggestion(q: str, spelled: dict[str, Counter]) -> str | None:
    """The query with each word that was found only misspelt replaced by its most frequent spelling in the lines;
    quoted phrases stay as they are."""
    if not spelled:
        return None

    def spelling(word: re.Match) -> str:
        found = spelled.get(fold(word.group()))
        return found.most_common(1)[0][0] if found else word.group()

    chunks = plain_quotes(q.strip()).split('"')
    suggestion = '"'.join(chunk if i % 2 else _WORD.sub(spelling, chunk) for i, chunk in enumerate(chunks))
    return suggestion if suggestion != plain_quotes(q.strip()) else None
