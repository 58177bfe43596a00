"""Who may do what: owner / editor / viewer per project; published documents readable by anyone."""

from portal.archive.models import Document, Membership, Page


def document_role(document: Document, user) -> str | None:
    return document.project.role_of(user)


def can_read_document(document: Document, user) -> bool:
    return document.is_public or document_role(document, user) is not None


def can_edit_document(document: Document, user) -> bool:
    return document_role(document, user) in (Membership.Role.OWNER, Membership.Role.EDITOR)


def can_manage_document(document: Document, user) -> bool:
    return document_role(document, user) == Membership.Role.OWNER


def target_visible_to(target: str, user) -> bool:
    """A job target such as 'archive.page:12' or 'archive.document:3'."""
    kind, _, pk = target.partition(":")
    if kind == "archive.document":
        document = Document.objects.filter(pk=pk).select_related("project").first()
    elif kind == "archive.page":
        page = Page.objects.filter(pk=pk).select_related("document__project").first()
        document = page.document if page else None
    else:
        return False
    return bool(document and can_read_document(document, user))
