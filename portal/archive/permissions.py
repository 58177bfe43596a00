"""Who may do what: owner / editor / viewer per project; published documents readable by anyone."""

from portal.archive.models import Document, Membership, Page, Project


def document_role(document: Document, user) -> str | None:
    return document.project.role_of(user)


def can_read_document(document: Document, user) -> bool:
    return document.is_public or document_role(document, user) is not None


def can_edit_document(document: Document, user) -> bool:
    return document_role(document, user) in (Membership.Role.OWNER, Membership.Role.EDITOR)


def can_manage_document(document: Document, user) -> bool:
    return document_role(document, user) == Membership.Role.OWNER


def can_train_and_choose_models(project: Project, user) -> bool:
    """The one rule for models (issue #11.8): a project's owners and editors train models on its pages and choose
    which models read it and its documents; viewers see the figures only. The API and the pages both ask it."""
    return project.role_of(user) in (Membership.Role.OWNER, Membership.Role.EDITOR)


class NotAllowed(PermissionError):
    """The user may not make this change; the message says who may."""


def document_change_check(document: Document, user, *, project: Project | None = None, is_public=None) -> None:
    """The rules of moving a document to `project` and of publishing it (`is_public`), for an editor of it;
    None: not changed. Raises NotAllowed."""
    if project is not None and project != document.project:
        if project.role_of(user) != Membership.Role.OWNER or not can_manage_document(document, user):
            raise NotAllowed("moving a document needs ownership of both projects")
    if is_public is not None and is_public != document.is_public and not can_manage_document(document, user):
        raise NotAllowed("only the project's owner may publish or unpublish a document")


# Jobs that name the project's own models and their figures: for its members only, even on a published document.
MEMBERS_ONLY_JOBS = ("model_training", "segmentation_training")


def job_event_for(event: dict, member: bool) -> dict | None:
    """What a document's room tells a reader of a job or state `event`: all of it to a member; to a visitor of a
    published document, nothing of a training (None for its events, left out of a state's jobs)."""
    if member:
        return event
    if event.get("type") == "job" and event.get("kind") in MEMBERS_ONLY_JOBS:
        return None
    if isinstance(event.get("jobs"), list):
        return {**event, "jobs": [job for job in event["jobs"] if job.get("kind") not in MEMBERS_ONLY_JOBS]}
    return event


def target_visible_to(target: str, user, job_kind: str = "") -> bool:
    """A job target such as 'archive.page:12' or 'archive.document:3'; a training (`job_kind`) to members only."""
    kind, _, pk = target.partition(":")
    if kind == "archive.document":
        document = Document.objects.filter(pk=pk).select_related("project").first()
    elif kind == "archive.page":
        page = Page.objects.filter(pk=pk).select_related("document__project").first()
        document = page.document if page else None
    elif kind == "archive.project" and pk.isdigit():  # a project's training: its members
        project = Project.objects.filter(pk=pk).first()
        return bool(project and project.role_of(user) is not None)
    else:
        return False
    if job_kind in MEMBERS_ONLY_JOBS:
        return bool(document and document_role(document, user) is not None)
    return bool(document and can_read_document(document, user))
