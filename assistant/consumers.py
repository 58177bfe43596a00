from assistant.selectors import conversation_for
from portal.jobs.consumers import RoomConsumer


class ConversationConsumer(RoomConsumer):
    """Streams a conversation's answers (tokens, finished messages, page reading progress) to its owner only, and
    only while they may read what it is about."""

    def visible(self):
        return conversation_for(
            pk=self.scope["url_route"]["kwargs"]["conversation_id"],
            user=self.scope.get("user"),
            session_key=self.session_key(),
        )

    def group_of(self, conversation) -> str:
        return conversation.group
