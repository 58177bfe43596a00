from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from assistant.selectors import conversation_for


class ConversationConsumer(AsyncJsonWebsocketConsumer):
    """Streams a conversation's answers (tokens, finished messages, page reading progress) to its owner only, and
    only while they may read what it is about."""

    async def connect(self):
        self.pk = self.scope["url_route"]["kwargs"]["conversation_id"]
        conversation = await self._visible(self.pk)
        if conversation is None:
            await self.close(code=4403)
            return
        self.group = conversation.group
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def progress_event(self, message):
        if not hasattr(self, "group"):  # left already; an event was on its way
            return
        if await self._visible(self.pk) is None:
            # Checked again for every event: an owner who may no longer read the page hears no more answers.
            await self._leave()
            return
        await self.send_json(message["event"])

    async def _leave(self):
        """Out of the group, and the socket closed as a refused connect would be."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        del self.group
        await self.close(code=4403)

    @database_sync_to_async
    def _visible(self, pk):
        session = self.scope.get("session")
        return conversation_for(
            pk=pk,
            user=self.scope.get("user"),
            session_key=session.session_key if session else None,
        )
