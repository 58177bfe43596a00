"""The assistant's API and chat page: limits with clear errors, per-visitor history, export."""

import json

import pytest
from django.test import Client

from assistant import answers
from assistant.models import Conversation, Message
from portal.archive.models import Document, Layer, Line, Page, Project, Transcription
from tests.assistant.conversations import png_bytes

pytestmark = pytest.mark.django_db

LINES = [
    "Monsieur, je suis arrivée",
    "à Paris le 3 mai 1767,",
    "achetez-moi du drap et des chandelles.",
]


@pytest.fixture
def archive_page(django_user_model):
    owner = django_user_model.objects.create_user("archivist", password="pw-archivist-1")
    document = Document.objects.create(
        project=Project.objects.create(name="Letters", owner=owner),
        title="Lettre",
        is_public=True,
    )
    page = Page.objects.create(document=document, number=1, width=1000, height=400)
    layer = Layer.objects.create(document=document, name="manual", kind=Layer.Kind.MANUAL)
    for i, text in enumerate(LINES):
        line = Line.objects.create(
            page=page,
            order=i,
            polygon=[
                [10, 100 * i + 10],
                [900, 100 * i + 10],
                [900, 100 * i + 90],
                [10, 100 * i + 90],
            ],
        )
        Transcription.objects.create(line=line, layer=layer, text=text)
    return page


def _start(client, page):
    response = client.post("/api/assistant/conversations/", {"page": page.pk})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_it_refuses_an_image_over_the_size_limit(settings):
    settings.ASSISTANT_MAX_IMAGE_BYTES = 1000
    response = Client().post(
        "/api/assistant/conversations/",
        {"image": _file("big.png", png_bytes((600, 600)))},
    )
    assert response.status_code == 400
    assert "big.png" in response.json()["error"] and "limit" in response.json()["error"]


def test_it_refuses_a_file_that_is_not_an_image():
    response = Client().post(
        "/api/assistant/conversations/",
        {"image": _file("notes.png", b"just some text")},
    )
    assert response.status_code == 400
    assert "not an image" in response.json()["error"]


def test_it_refuses_a_question_over_the_length_limit(archive_page, settings):
    settings.ASSISTANT_MAX_QUESTION_CHARS = 50
    client = Client()
    pk = _start(client, archive_page)
    response = client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": "x" * 51},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "The question is 51 characters long; the limit is 50."


def test_it_rate_limits_questions_per_visitor(archive_page, settings):
    settings.ASSISTANT_RATE_LIMIT_PER_MINUTE = 3
    client = Client()
    pk = _start(client, archive_page)  # the conversation counts as one request
    codes = [
        client.post(
            f"/api/assistant/conversations/{pk}/messages/",
            {"question": "Where is Paris?"},
            content_type="application/json",
        ).status_code
        for _ in range(3)
    ]
    assert codes == [202, 202, 429]
    other = Client(REMOTE_ADDR="192.0.2.44")
    assert _start(other, archive_page)  # a visitor from another address is not limited by the first one


def test_it_keeps_each_anonymous_visitors_history_to_their_session(archive_page):
    alice, bob = Client(), Client()
    pk = _start(alice, archive_page)
    assert [c["id"] for c in alice.get("/api/assistant/conversations/").json()["results"]] == [pk]
    assert bob.get("/api/assistant/conversations/").json()["results"] == []
    assert bob.get(f"/api/assistant/conversations/{pk}/").status_code == 404
    assert bob.get(f"/assistant/c/{pk}/export/json/").status_code == 404


def test_it_exports_a_conversation_as_json_and_markdown(archive_page):
    client = Client()
    pk = _start(client, archive_page)
    conversation = Conversation.objects.get(pk=pk)
    response = client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": "Where is Paris mentioned?"},
        content_type="application/json",
    )
    assert response.status_code == 202
    answer = Message.objects.get(pk=response.json()["answer"]["id"])
    answers.message_answer_archive(message=answer)  # what the worker's task calls

    data = json.loads(client.get(f"/assistant/c/{pk}/export/json/").content)
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    evidence = data["messages"][1]["evidence"]
    assert evidence[0]["text"] == "à Paris le 3 mai 1767," and evidence[0]["number"] == 2
    markdown = client.get(f"/api/assistant/conversations/{pk}/export/md/").content.decode()
    assert "**Q:** Where is Paris mentioned?" in markdown
    assert "> à Paris le 3 mai 1767," in markdown
    assert conversation.title in markdown


def test_the_chat_page_says_which_backend_is_active(settings):
    settings.ASSISTANT_VLM_DIR = None
    html = Client().get("/assistant/").content.decode()
    assert "Archive reader" in html and "no vision-language model configured" in html


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_it_answers_about_a_whole_collection_from_its_readable_documents(archive_page, django_user_model):
    other = Document.objects.create(project=archive_page.document.project, title="Brouillon", is_public=True)
    page = Page.objects.create(document=other, number=1, width=1000, height=200)
    layer = Layer.objects.create(document=other, name="manual", kind=Layer.Kind.MANUAL)
    line = Line.objects.create(page=page, order=0, polygon=[[10, 10], [900, 10], [900, 90], [10, 90]])
    Transcription.objects.create(line=line, layer=layer, text="Le carrosse de Versailles est en retard.")
    hidden = Document.objects.create(project=archive_page.document.project, title="Secret", is_public=False)
    hidden_page = Page.objects.create(document=hidden, number=1, width=1000, height=200)
    hidden_layer = Layer.objects.create(document=hidden, name="manual", kind=Layer.Kind.MANUAL)
    hidden_line = Line.objects.create(page=hidden_page, order=0, polygon=[[10, 10], [900, 10], [900, 90], [10, 90]])
    Transcription.objects.create(line=hidden_line, layer=hidden_layer, text="Versailles, le carrosse secret.")

    client = Client()
    response = client.post(
        "/api/assistant/conversations/",
        {"page": archive_page.pk, "scope": "collection"},
    )
    assert response.status_code == 201 and response.json()["scope"] == "collection"
    pk = response.json()["id"]
    answer_id = client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": "Where is Versailles mentioned?"},
        content_type="application/json",
    ).json()["answer"]["id"]
    answers.message_answer_archive(message=Message.objects.get(pk=answer_id))

    evidence = client.get(f"/api/assistant/conversations/{pk}/").json()["messages"][1]["evidence"]
    assert evidence[0]["text"] == "Le carrosse de Versailles est en retard."
    assert evidence[0]["document"] == "Brouillon"
    assert all(e["document"] != "Secret" for e in evidence)  # a visitor never reads an unpublished document
    assert client.get(evidence[0]["image"]["url"]).status_code == 404  # no scan stored for this page
