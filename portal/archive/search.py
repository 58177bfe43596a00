"""Searching the text of the documents a user may read.

PostgreSQL: full text (`simple` configuration: no stemming, any language), plus folded substring matches for
partial words and pre-reform spellings, plus trigram word similarity for near misses. SQLite (the embedded
default): folded substring matches through a small SQL function registered on the connection.
Folding lower-cases and maps one character to one character (ѣ→е, і→и, ѳ→ф, ѵ→и, ё→е, é→e…), so a match
found in the folded text is at the same place in the original: that is where the snippet's <mark> goes.
"""

from __future__ import annotations

import html
import re

from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Q, TextField, Value
from django.db.models.functions import Lower

from portal.archive import selectors
from portal.archive.models import Layer, Transcription

_FROM = "ѣіїѳѵёйàáâãäåèéêëìíîïòóôõöùúûüýÿçñ"
_TO = "еиифиеиaaaaaaeeeeiiiiooooouuuuyycn"
_TABLE = str.maketrans(_FROM, _TO)
SNIPPET_CHARS = 160
MAX_RESULTS = 100


def fold(text: str) -> str:
    """Lower-case and fold, one character for one (see the module docstring)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text).translate(_TABLE)


def _folded(field: str):
    if connection.vendor == "postgresql":
        return Func(Lower(F(field)), Value(_FROM), Value(_TO), function="translate", output_field=TextField())
    connection.ensure_connection()
    connection.connection.create_function("skoropis_fold", 1, lambda s: fold(s) if s else s, deterministic=True)
    return Func(F(field), function="skoropis_fold", output_field=TextField())


def snippet(text: str, terms: list[str]) -> str:
    """HTML: the text around the first match, the matches wrapped in <mark>, everything else escaped."""
    folded = fold(text)
    spans = []
    for term in terms:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(term), folded)]
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
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


def search_lines(*, user, q: str, project: int | None = None, document: int | None = None) -> list[dict]:
    """Lines whose current text matches `q`, best first, only from documents the user may read."""
    terms = [t for t in fold(q).split() if t]
    if not terms:
        return []
    documents = selectors.documents_readable_by(user)
    if project is not None:
        documents = documents.filter(project_id=project)
    if document is not None:
        documents = documents.filter(pk=document)
    manual_exists = Exists(
        Transcription.objects.filter(line=OuterRef("line"), layer__kind=Layer.Kind.MANUAL)
    )
    qs = (
        Transcription.objects.filter(line__page__document__in=documents.values("pk"))
        .annotate(has_manual=manual_exists, folded=_folded("text"))
        .filter(Q(layer__kind=Layer.Kind.MANUAL) | Q(has_manual=False))
        .exclude(text="")
        .select_related("line__page__document", "layer")
    )
    substring = Q()
    for term in terms:
        substring &= Q(folded__contains=term)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity

        query = SearchQuery(q, config="simple", search_type="websearch")
        vector = SearchVector("text", config="simple")
        qs = qs.annotate(vector=vector, rank=SearchRank(vector, query), similarity=TrigramWordSimilarity(q, "text"))
        qs = qs.filter(Q(vector=query) | substring | Q(similarity__gte=0.6)).order_by(
            "-rank", "-similarity", "line__page__document_id", "line__page__number", "line__order"
        )
    else:
        qs = qs.filter(substring).order_by("line__page__document_id", "line__page__number", "line__order")
    results, seen = [], set()
    for t in qs[: MAX_RESULTS * 3]:
        if t.line_id in seen:
            continue
        seen.add(t.line_id)
        page = t.line.page
        results.append(
            {
                "line": t.line_id,
                "page": page.pk,
                "page_number": page.number,
                "document": page.document_id,
                "document_title": page.document.title,
                "layer": t.layer_id,
                "text": t.text,
                "snippet": snippet(t.text, terms),
            }
        )
        if len(results) >= MAX_RESULTS:
            break
    return results
