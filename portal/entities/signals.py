"""A page's text changed (a reading, a correction, a restore, a merge, an import): extract its entities again.

Only the enqueueing lives here, after the transaction commits; the work is `services.page_entities_extract`.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from portal.archive.models import Line, Transcription


def _text_changed(sender, instance: Transcription, **kwargs) -> None:
    from portal.entities.services import page_entities_refresh_later

    page_id = instance.line.page_id if "line" in instance._state.fields_cache else None
    if page_id is None:
        page_id = Line.objects.filter(pk=instance.line_id).values_list("page_id", flat=True).first()
    if page_id is not None:
        transaction.on_commit(lambda: page_entities_refresh_later(page_id=page_id))


def connect() -> None:
    post_save.connect(_text_changed, sender=Transcription, dispatch_uid="entities.text_saved")
    post_delete.connect(_text_changed, sender=Transcription, dispatch_uid="entities.text_deleted")
