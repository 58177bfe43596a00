"""Fetching things: what a user may read, which layer a page is read in, a page's lines with their text."""

from __future__ import annotations

from django.db import connection
from django.db.models import Max, Q, QuerySet

from portal.archive.models import Document, Layer, Line, Membership, Page, Project, Transcription


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


_LINE_WITH_ROLE = f"""
SELECT l.page_id, p.document_id, d.project_id, d.is_public, d.retrain_every, pr.owner_id,
    (SELECT m.role FROM {Membership._meta.db_table} AS m WHERE m.project_id = pr.id AND m.user_id = %(user)s LIMIT 1)
FROM {Line._meta.db_table} AS l
    JOIN {Page._meta.db_table} AS p ON p.id = l.page_id
    JOIN {Document._meta.db_table} AS d ON d.id = p.document_id
    JOIN {Project._meta.db_table} AS pr ON pr.id = d.project_id
WHERE l.id = %(line)s
"""


def line_with_role(pk: int, user) -> tuple[Line | None, str | None]:
    """The line with its page, document and project, and the user's role in that project (as `Project.role_of`
    says it), in one query written out: it runs before every save, and built by the ORM (select_related, a
    subquery) it cost 6 ms of CPU against 0.4 ms written out (2-core test machine). The objects hold the ids and what the access check and the save read (the document's
    `is_public`, `retrain_every`, the project's owner); any other field is read from the database when first used."""
    user_id = user.pk if user and user.is_authenticated else None
    with connection.cursor() as cursor:
        cursor.execute(_LINE_WITH_ROLE, {"line": pk, "user": user_id})
        row = cursor.fetchone()
    if row is None:
        return None, None
    page_id, document_id, project_id, is_public, retrain_every, owner_id, member_role = row
    db = connection.alias
    project = Project.from_db(db, ["id", "owner_id"], [project_id, owner_id])
    document = Document.from_db(
        db, ["id", "project_id", "is_public", "retrain_every"], [document_id, project_id, is_public, retrain_every]
    )
    page = Page.from_db(db, ["id", "document_id"], [page_id, document_id])
    line = Line.from_db(db, ["id", "page_id"], [pk, page_id])
    document.project, page.document, line.page = project, document, page
    if user_id is None:
        return line, None
    if user_id == owner_id or user.is_superuser:
        return line, Membership.Role.OWNER
    return line, member_role


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
