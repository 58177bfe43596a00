from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.jobs.models import Job


def job_visible_to(job: Job, user, session_key: str | None) -> bool:
    """Archive work: whoever may read its page or document now, its starter too only while they may. A
    conversation's work: while the conversation is theirs and readable. Other demo work: its owner or session."""
    if user and user.is_authenticated and user.is_superuser:
        return True
    if job.target.startswith("archive."):
        from portal.archive.permissions import target_visible_to

        return target_visible_to(job.target, user, job.kind)
    kind, _, pk = job.target.partition(":")
    if kind == "assistant.conversation" and pk.isdigit():
        from assistant.selectors import conversation_for

        return conversation_for(pk=int(pk), user=user, session_key=session_key) is not None
    if user and user.is_authenticated and job.owner_id == user.pk:
        return True
    return bool(job.session_key and session_key and job.session_key == session_key)


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """A websocket in one Channels group (a room) about one thing: a job, a document, a conversation. Who may see
    the thing is checked before joining, so an outsider never receives an event, and again for every event, so
    someone who lost access (removed from the project, a document un-published) hears no more and is closed as a
    refused connect would be. A room says what it is about (`visible`), its group, and what a newcomer gets first."""

    def visible(self):
        """The thing, if the socket's user may see it now; else None. Runs in a thread: it may query."""
        raise NotImplementedError

    def group_of(self, thing) -> str:
        raise NotImplementedError

    async def joined(self, thing) -> None:
        """Sent right after joining: the current state, so a late subscriber never waits."""

    async def forward(self, event: dict, thing) -> None:
        await self.send_json(event)

    def session_key(self) -> str | None:
        session = self.scope.get("session")
        return session.session_key if session is not None else None

    async def connect(self):
        thing = await database_sync_to_async(self.visible)()
        if thing is None:
            await self.close(code=4403)
            return
        self.group = self.group_of(thing)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.joined(thing)

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def progress_event(self, message):
        if not hasattr(self, "group"):  # left already; an event was on its way
            return
        thing = await database_sync_to_async(self.visible)()
        if thing is None:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            del self.group
            await self.close(code=4403)
            return
        await self.forward(message["event"], thing)


class JobConsumer(RoomConsumer):
    """Streams one job's progress; sends the current state first."""

    def visible(self) -> Job | None:
        job = Job.objects.filter(pk=self.scope["url_route"]["kwargs"]["job_id"]).first()
        if job and job_visible_to(job, self.scope.get("user"), self.session_key()):
            return job
        return None

    def group_of(self, job: Job) -> str:
        return f"job-{job.pk}"

    async def joined(self, job: Job) -> None:
        await self.send_json(job.as_event())
