"""A line's history says when each text was made: the model's reading keeps the time the model read it, even after
a person's later correction copied the page's reading into the manual layer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from portal.archive.models import Line, Revision
from portal.archive.services import layer_for_model, transcription_write
from tests.factories import make_document, make_page_with_lines

pytestmark = pytest.mark.django_db


def test_the_models_revision_keeps_the_time_it_was_read_after_a_correction(users, project, api_client_for):
    page = make_page_with_lines(make_document(project), users["owner"], texts=("Милостивый государь мой",))
    line = Line.objects.get(page=page)
    layer = layer_for_model(document=page.document, model_name="recognition-cyrillic")
    transcription_write(
        line=line,
        layer=layer,
        text="Милостивый гасударь мой",
        confidences=[0.9] * 23,
        model_name="recognition-cyrillic",
    )
    read_at = timezone.now() - timedelta(days=3)
    Revision.objects.filter(transcription__layer=layer).update(created=read_at)
    editor = api_client_for(users["editor"])
    version = editor.get(f"/api/pages/{page.pk}/").json()["lines"][0]["version"]

    saved = editor.patch(
        f"/api/lines/{line.pk}/text/", {"text": "Милостивый государь мой", "version": version}, format="json"
    )

    assert saved.status_code == 200
    history = editor.get(f"/api/lines/{line.pk}/history/").json()
    model_revision, correction = history[-2], history[-1]
    assert model_revision["model"] == "recognition-cyrillic" and model_revision["author"] is None
    assert abs((datetime.fromisoformat(model_revision["created"]) - read_at).total_seconds()) < 1
    assert correction["author"] == "editor"
    assert datetime.fromisoformat(correction["created"]) > read_at + timedelta(days=2)
