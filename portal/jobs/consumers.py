from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.jobs.models import Job


def job_visible_to(job: Job, user, session_key: str | None) -> bool:
    if user and user.is_authenticated and (user.is_superuser or job.owner_id == user.pk):
        return True
    if job.session_key and session_key and job.session_key == session_key:
        return True
    if job.target.startswith("archive."):
        from portal.archive.permissions import target_visible_to

        return target_visible_to(job.target, user)
    return False


class JobConsumer(AsyncJsonWebsocketConsumer):
    """Streams one job's progress; sends the current state first, so a late subscriber never waits."""

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
        await self.send_json(message["event"])

    @database_sync_to_async
    def _visible_job(self) -> Job | None:
        job = Job.objects.filter(pk=self.job_id).first()
        session = self.scope.get("session")
        session_key = session.session_key if session is not None else None
        if job and job_visible_to(job, self.scope.get("user"), session_key):
            return job
        return None
