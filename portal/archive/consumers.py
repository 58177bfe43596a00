"""One websocket room per document: page states and job progress, for people who may read the document."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db.models import Count

from portal.archive.models import Document, Page
from portal.archive.permissions import can_read_document, document_role, job_event_for
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


class DocumentConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.document_id = self.scope["url_route"]["kwargs"]["document_id"]
        if not await self._may_read():
            # Check BEFORE joining the group: an outsider never receives a single event.
            await self.close(code=4403)
            return
        self.group = f"document-{self.document_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        state = job_event_for(await database_sync_to_async(document_state)(self.document_id), self.member)
        await self.send_json(state)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def progress_event(self, message):
        if not hasattr(self, "group"):  # left already; an event was on its way
            return
        if not await self._may_read():
            # Checked again for every event: a member removed, or a document un-published, hears no more.
            await self._leave()
            return
        event = job_event_for(message["event"], self.member)
        if event is None:
            return
        await self.send_json(event)
        kind, _, pk = str(event.get("target", "")).partition(":")
        if event.get("type") == "job" and kind == "archive.page" and pk.isdigit():
            page = await self._page(int(pk))
            if page is not None:
                await self.send_json(page)

    async def _leave(self):
        """Out of the group, and the socket closed as a refused connect would be."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        del self.group
        await self.close(code=4403)

    @database_sync_to_async
    def _may_read(self) -> bool:
        """Whether the user may read the document (and, in `self.member`, is a member of its project)."""
        document = Document.objects.select_related("project").filter(pk=self.document_id).first()
        self.member = bool(document and document_role(document, self.scope.get("user")) is not None)
        return bool(document and can_read_document(document, self.scope.get("user")))

    @database_sync_to_async
    def _page(self, page_id: int) -> dict | None:
        page = Page.objects.filter(pk=page_id, document_id=self.document_id).annotate(line_count=Count("lines")).first()
        return page_event(page, page.line_count) if page else None
