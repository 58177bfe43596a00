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


class JobConsumer(AsyncJsonWebsocketConsumer):
    """Streams one job's progress; sends the current state first, so a late subscriber never waits. Access is
    checked again for every event: a member removed from the project stops receiving them."""

    async def connect(self):
        self.job_id = self.scope["url_route"]["kwargs"]["job_id"]
        job = await self._visible_job()
        if job is None:
            await self.close(code=4403)
            return
        self.group = f"job-{self.job_id}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(job.as_event())

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def progress_event(self, message):
        if not hasattr(self, "group"):  # left already; an event was on its way
            return
        if await self._visible_job() is None:
            await self._leave()
            return
        await self.send_json(message["event"])

    async def _leave(self):
        """Out of the group, and the socket closed as a refused connect would be."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        del self.group
        await self.close(code=4403)

    @database_sync_to_async
    def _visible_job(self) -> Job | None:
        job = Job.objects.filter(pk=self.job_id).first()
        session = self.scope.get("session")
        session_key = session.session_key if session is not None else None
        if job and job_visible_to(job, self.scope.get("user"), session_key):
            return job
        return None
