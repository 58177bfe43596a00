"""One websocket room per document: page states and job progress, for people who may read the document."""

from channels.db import database_sync_to_async
from django.db.models import Count

from portal.archive.models import Document, Page
from portal.archive.permissions import can_read_document, document_role, job_event_for
from portal.jobs.consumers import RoomConsumer
from portal.jobs.models import Job

ACTIVE = (Job.Status.QUEUED, Job.Status.RUNNING)


def page_event(page: Page, lines: int) -> dict:
    return {
        "type": "page",
        "id": page.pk,
        "number": page.number,
        "original_name": page.original_name,
        "state": page.state,
        "lines": lines,
    }


def document_state(document_id: int) -> dict:
    """What a client needs on (re)connect: every page's state and every active job (the rows are the truth)."""
    pages = list(Page.objects.filter(document_id=document_id).annotate(line_count=Count("lines")))
    targets = [f"archive.page:{page.pk}" for page in pages] + [f"archive.document:{document_id}"]
    jobs = Job.objects.filter(target__in=targets, status__in=ACTIVE).order_by("created")
    return {
        "type": "document.state",
        "document": document_id,
        "pages": [page_event(page, page.line_count) for page in pages],
        "jobs": [job.as_event() for job in jobs],
    }


class DocumentConsumer(RoomConsumer):
    """A document's room: its pages' states and its jobs, for whoever may read it; a visitor of a published
    document hears nothing of its trainings (job_event_for)."""

    def visible(self) -> Document | None:
        """The document if the user may read it (and, in `self.member`, whether they are a member of its project)."""
        pk = self.scope["url_route"]["kwargs"]["document_id"]
        document = Document.objects.select_related("project").filter(pk=pk).first()
        self.member = bool(document and document_role(document, self.scope.get("user")) is not None)
        return document if document and can_read_document(document, self.scope.get("user")) else None

    def group_of(self, document: Document) -> str:
        return f"document-{document.pk}"

    async def joined(self, document: Document) -> None:
        await self.send_json(job_event_for(await database_sync_to_async(document_state)(document.pk), self.member))

    async def forward(self, event: dict, document: Document) -> None:
        event = job_event_for(event, self.member)
        if event is None:
            return
        await self.send_json(event)
        kind, _, pk = str(event.get("target", "")).partition(":")
        if event.get("type") == "job" and kind == "archive.page" and pk.isdigit():
            page = await self._page(document.pk, int(pk))
            if page is not None:
                await self.send_json(page)

    @database_sync_to_async
    def _page(self, document_id: int, page_id: int) -> dict | None:
        page = Page.objects.filter(pk=page_id, document_id=document_id).annotate(line_count=Count("lines")).first()
        return page_event(page, page.line_count) if page else None
