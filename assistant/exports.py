"""A conversation as a file: JSON (everything, for scripts) or Markdown (to read or paste into notes)."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from assistant.models import Conversation, Message
from assistant.services import AssistantError


def conversation_export(*, conversation: Conversation, fmt: str) -> tuple[str, bytes, str]:
    """(file name, content, content type) of the conversation as JSON or Markdown."""
    messages = list(conversation.messages.order_by("created", "pk"))
    stem = f"conversation-{conversation.pk}"
    if fmt == "json":
        data = {
            "id": conversation.pk,
            "title": conversation.title,
            "created": conversation.created.isoformat(),
            "about": {
                "page": conversation.page_id,
                "document": conversation.document_id,
                "project": conversation.project_id,
                "upload": conversation.image.name.rsplit("/", 1)[-1] if conversation.image else None,
            },
            "messages": [{k: v for k, v in m.as_event().items() if k != "type"} for m in messages],
        }
        return (
            f"{stem}.json",
            json.dumps(data, ensure_ascii=False, indent=2).encode(),
            "application/json",
        )
    if fmt in ("md", "markdown"):
        out = [f"# {conversation.title or stem}", ""]
        for m in messages:
            who = "**Q:**" if m.role == Message.Role.USER else f"**A** ({m.backend or '—'}):"
            out.append(f"{who} {m.text}")
            for e in m.evidence:
                where = f"line {e['number']}" + (f", page {e['page']}" if e.get("page") else "")
                if e.get("document"):
                    where += f", {e['document']}"
                out.append(f"> {e['text']}  \n> — {where} (score {e['score']})")
            out.append("")
        return f"{stem}.md", "\n".join(out).encode(), "text/markdown; charset=utf-8"
    raise AssistantError(_("Unknown export format %(fmt)r: use json or md.") % {"fmt": fmt})
