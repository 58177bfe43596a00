"""Celery task: extract a page's entities again (queue `default`, lowest priority: never ahead of a reading)."""

from celery import shared_task

from portal.entities import services


@shared_task(name="entities.page_extract")
def page_extract(page_id: int) -> None:
    services.page_entities_extract_by_id(page_id=page_id)
