"""A real manuscript page uploaded into the chat is read by the real engine in the worker, then questioned."""

import pytest

from assistant import services
from tests.assistant.conversations import wait_for_message, wait_for_read

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engine_models():
    import htr

    htr.Segmenter.load()  # the shipped models are in the repository: a missing one fails the test
    htr.Recognizer.load()


def test_it_reads_an_uploaded_page_with_the_engine_and_answers_from_its_lines(engine_models, celery_worker, shared):
    image = shared / "datasets" / "cremma-mss-18" / "journal-mme-de-genlis" / "f15.jpg"
    visitor = services.Visitor(user=None, session_key="upload-session")
    conversation = services.conversation_start(visitor=visitor, image=(image.name, image.read_bytes()))
    job = wait_for_read(conversation, timeout=600)
    assert job.status == "done", job.error
    assert len(conversation.lines) > 10 and any(line["text"] for line in conversation.lines)

    _question, answer = services.question_ask(
        conversation=conversation,
        visitor=visitor,
        text="Where are Caligula's sisters mentioned?",
    )
    answer = wait_for_message(answer.pk)
    assert answer.status == "done" and answer.backend == "archive"
    read_texts = {line["text"] for line in conversation.lines}
    assert all(e["text"] in read_texts for e in answer.evidence)
    assert answer.known is False or answer.evidence[0]["image"]["url"].endswith(f"/c/{conversation.pk}/image/")
