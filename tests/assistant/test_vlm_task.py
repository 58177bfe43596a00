"""The vision-language backend end to end: a tiny random LLaVA (real classes) saved to disk, loaded by the real
worker from ASSISTANT_VLM_DIR on the gpu queue, its tokens streamed over the conversation's channel group."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from assistant import services
from assistant.models import Message
from tests.assistant.conversations import png_bytes, wait_for_message, wait_for_read

pytestmark = pytest.mark.django_db(transaction=True)


async def _drain(layer, channel, seconds: float = 2.0) -> list[dict]:
    events = []
    while True:
        try:
            message = await asyncio.wait_for(layer.receive(channel), seconds)
        except TimeoutError:
            return events
        events.append(message["event"])


def test_it_streams_the_answer_of_a_tiny_llava_through_the_gpu_task(celery_worker, tiny_vlm_dir, settings):
    settings.ASSISTANT_VLM_DIR = str(tiny_vlm_dir)
    visitor = services.Visitor(user=None, session_key="vlm-session")
    conversation = services.conversation_start(visitor=visitor, image=("garden.png", png_bytes()), backend="vlm")
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(conversation.group, channel)

    _question, answer = services.question_ask(
        conversation=conversation, visitor=visitor, text="What is in this picture?"
    )
    answer = wait_for_message(answer.pk)

    assert answer.status == Message.Status.DONE, answer.error
    assert answer.backend == "vlm" and answer.text
    events = async_to_sync(_drain)(layer, channel)
    streamed = "".join(e["text"] for e in events if e["type"] == "token" and e["message"] == answer.pk)
    assert streamed.strip() == answer.text
    assert [e for e in events if e["type"] == "message" and e["id"] == answer.pk][-1]["status"] == "done"


def test_it_is_honest_about_a_photo_without_text_when_no_vlm_is_configured(celery_worker, settings):
    settings.ASSISTANT_VLM_DIR = None
    visitor = services.Visitor(user=None, session_key="photo-session")
    conversation = services.conversation_start(visitor=visitor, image=("cat.png", png_bytes()))
    job = wait_for_read(conversation)
    if conversation.lines:
        pytest.skip("the engine found lines in a drawn blob; nothing to check here")
    _question, answer = services.question_ask(conversation=conversation, visitor=visitor, text="What is in this photo?")
    assert answer.status == Message.Status.DONE
    assert answer.backend == "none" and answer.known is False
    if job.status == "failed":  # the engine itself could not read it (e.g. its models are not installed)
        assert answer.text.startswith("I could not read this image: ") and job.error[:40] in answer.text
    else:
        assert "no lines of text" in answer.text and "no vision-language model" in answer.text
    reply = services.question_ask(conversation=conversation, visitor=visitor, text="Что на этом фото?")[1]
    expected = "Не удалось прочитать" if job.status == "failed" else "Я не нашёл строк текста на этом изображении"
    assert reply.text.startswith(expected)  # a Russian question gets a Russian answer
