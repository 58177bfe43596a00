"""What the archive reader reads: a conversation's lines as `Passage`s, and their embeddings (cached by text)."""

from __future__ import annotations

import numpy as np
from django.urls import reverse

from assistant.backends import quotes
from assistant.backends.embeddings import Embedder
from assistant.backends.facts import Fact, fact_of, facts_of_passages
from assistant.models import Conversation, LineVector
from portal.archive.models import Page
from portal.archive.selectors import (
    documents_readable_by,
    page_lines_read,
    page_reading_layer,
)
from portal.entities.models import Mention


def image_info(conversation: Conversation, page: Page | None) -> dict:
    if page is None:
        return {
            "url": reverse("assistant:image", args=[conversation.pk]),
            "width": conversation.image_width,
            "height": conversation.image_height,
        }
    return {
        "url": reverse("assistant:page-image", args=[conversation.pk, page.pk]),
        "width": page.width,
        "height": page.height,
    }


def page_passages(page: Page, number: int | None = None, document: str = "") -> list[quotes.Passage]:
    layer = page_reading_layer(page)
    return [
        quotes.Passage(
            key=f"line:{line.pk}",
            text=t.text,
            number=i + 1,
            page=number,
            page_key=f"page:{page.pk}",
            polygon=line.polygon,
            document=document,
        )
        for i, (line, t) in enumerate(page_lines_read(page, layer))
        if t is not None and t.text.strip()
    ]


def conversation_passages(conversation: Conversation) -> list[quotes.Passage]:
    """The lines the questions are about: the uploaded image's, the archive page's, its document's, or those of
    every document of its project that the conversation's owner may read (published ones for a visitor)."""
    if conversation.project_id:
        documents = documents_readable_by(conversation.owner).filter(project=conversation.project_id)
        pages = Page.objects.filter(document__in=documents).select_related("document")
        return [
            p
            for page in pages.order_by("document__title", "document_id", "number")
            for p in page_passages(page, page.number, document=page.document.title)
        ]
    if conversation.document_id:
        pages = conversation.document.pages.order_by("number")
        return [p for page in pages for p in page_passages(page, page.number)]
    if conversation.page_id:
        return page_passages(conversation.page)
    return [
        quotes.Passage(
            key=f"upload:{conversation.pk}:{line['id']}",
            text=line["text"],
            number=i + 1,
            page_key="upload",
            polygon=line["polygon"],
        )
        for i, line in enumerate(conversation.lines)
        if line.get("text", "").strip()
    ]


def passage_vectors(passages: list[quotes.Passage], embedder: Embedder, on_progress=None) -> np.ndarray:
    """Embeddings of the passages, from the text-keyed cache where present; missing ones computed and stored."""
    digests = [LineVector.digest_of(p.text) for p in passages]
    known = {v.digest: v.as_array() for v in LineVector.objects.filter(embedder=embedder.name, digest__in=set(digests))}
    missing = [i for i, d in enumerate(digests) if d not in known]
    batch = 64
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        vectors = embedder.passages([passages[i].text for i in chunk])
        rows = []
        for i, vector in zip(chunk, vectors, strict=True):
            known[digests[i]] = vector
            rows.append(
                LineVector(
                    embedder=embedder.name,
                    digest=digests[i],
                    vector=vector.astype(np.float32).tobytes(),
                )
            )
        LineVector.objects.bulk_create(rows, ignore_conflicts=True)
        if on_progress:
            on_progress(min(start + batch, len(missing)), len(missing))
    if not passages:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([known[d] for d in digests])


def conversation_facts(passages: list[quotes.Passage]) -> list[Fact]:
    """The people, places and dates of the passages: archive lines' from the stored mentions (pages not extracted
    yet, or with none, are extracted here), an uploaded page's extracted here."""
    line_ids = {int(p.key.split(":")[1]): p.key for p in passages if p.key.startswith("line:")}
    facts: list[Fact] = []
    covered: set[str] = set()
    if line_ids:
        mentions = Mention.objects.filter(lines__in=line_ids).distinct().prefetch_related("lines")
        for m in mentions.order_by("page_id", "order"):
            keys = [line_ids[line.pk] for line in m.lines.all() if line.pk in line_ids]
            covered.add(f"page:{m.page_id}")
            facts.append(
                fact_of(
                    m.kind,
                    m.name,
                    m.text,
                    keys,
                    iso=_iso_of(m),
                    calendar=m.calendar,
                    gregorian=m.date_gregorian.isoformat() if m.date_gregorian else "",
                )
            )
    rest = [p for p in passages if p.page_key not in covered]
    return facts + (facts_of_passages(rest) if rest else [])


def _iso_of(mention: Mention) -> str:
    """The date's ISO form as extraction wrote it (the mention's key)."""
    return mention.key if mention.kind == Mention.Kind.DATE else ""
