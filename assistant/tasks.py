"""Celery tasks: load ids, call a service, and record a failure where the chat will see it.

`assistant.vlm_answer` runs on the `gpu` queue (CELERY_TASK_ROUTES "assistant.vlm_*"); the others on `default`.
"""

from celery import shared_task

from assistant import answers, services
from assistant.models import Conversation, Message
from portal.jobs.models import Job
from portal.jobs.progress import failures_recorded


def _answer(message_id: int, service) -> None:
    message = Message.objects.select_related("conversation").filter(pk=message_id).first()
    if message is None:
        return
    try:
        service(message=message)
    except Exception as exc:
        answers.message_fail(message_id=message_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="assistant.archive_answer", acks_late=True)
def archive_answer(message_id: int) -> None:
    _answer(message_id, answers.message_answer_archive)


@shared_task(name="assistant.vlm_answer", acks_late=True)
def vlm_answer(message_id: int) -> None:
    _answer(message_id, answers.message_answer_vlm)


@shared_task(name="assistant.page_read", acks_late=True)
def page_read(conversation_id: int) -> None:
    conversation = Conversation.objects.select_related("read_job").get(pk=conversation_id)
    services.conversation_read_image(conversation=conversation, job=conversation.read_job)


@shared_task(name="assistant.scope_index", acks_late=True)
def scope_index(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    with failures_recorded(job, reraise=True):
        conversation = Conversation.objects.get(pk=int(job.target.split(":")[1]))
        services.scope_index(conversation=conversation, job=job)
