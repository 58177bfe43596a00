"""Fetching things: what a user may read, which layer a page is read in, a page's lines with their text."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet

from portal.archive.models import Document, Layer, Line, Page, Project, Transcription


def projects_visible_to(user) -> QuerySet[Project]:
    if not user or not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct()


def documents_readable_by(user) -> QuerySet[Document]:
    """Published documents, plus those of the projects the user owns or belongs to."""
    qs = Document.objects.select_related("project")
    if not user or not user.is_authenticated:
        return qs.filter(is_public=True)
    if user.is_superuser:
        return qs.all()
    member = Q(project__owner=user) | Q(project__memberships__user=user)
    return qs.filter(Q(is_public=True) | member).distinct()


def page_layers(page: Page) -> list[Layer]:
    """The layers that hold text for at least one line of the page (`last_written`: their latest on the page)."""
    layers = Layer.objects.filter(transcriptions__line__page=page).annotate(last_written=Max("transcriptions__updated"))
    return list(layers.order_by("created", "pk"))


def page_reading_layer(page: Page) -> Layer | None:
    """The layer a page is shown in: the manual one if it has text (corrections, and the latest reading of the lines
    no one corrected), else the model that read the page last, else the import."""
    layers = page_layers(page)
    for kind in (Layer.Kind.MANUAL, Layer.Kind.MODEL, Layer.Kind.GROUND_TRUTH):
        of_kind = [layer for layer in layers if layer.kind == kind]
        if of_kind:
            return max(of_kind, key=lambda layer: (layer.last_written, layer.created, layer.pk))
    return None


def page_lines_read(page: Page, layer: Layer | None) -> list[tuple[Line, Transcription | None]]:
    """The page's lines in reading order, each with its transcription in `layer` (None where it has none)."""
    lines = list(page.lines.order_by("order", "pk"))
    if layer is None:
        return [(line, None) for line in lines]
    by_line = {t.line_id: t for t in Transcription.objects.filter(layer=layer, line__page=page)}
    return [(line, by_line.get(line.pk)) for line in lines]


def transcription_author(transcription: Transcription | None) -> tuple[str | None, str]:
    """(username or None, model name) of the latest revision."""
    if transcription is None:
        return None, ""
    revision = transcription.revisions.select_related("author").order_by("-version").first()
    if revision is None:
        return None, ""
    return (revision.author.get_username() if revision.author else None), revision.model_name
