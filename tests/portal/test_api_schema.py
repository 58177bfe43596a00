"""The OpenAPI schema covers the generation and assistant APIs: it generates without warnings, names every endpoint
with its response bodies, and the real answers of those endpoints match what it says (every field listed, none left
out)."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from drf_spectacular.drainage import reset_generator_stats

from assistant import answers
from assistant.models import Message
from portal.archive.models import Document, Layer, Line, Page, Project, Transcription
from portal.jobs.models import Job

GENERATION = {
    ("/api/generation/models/", "get"): ("200", "GenerationModels"),
    ("/api/generation/jobs/", "get"): ("200", "GenerationJob"),  # an array of them
    ("/api/generation/jobs/", "post"): ("202", "GenerationJob"),
    ("/api/generation/jobs/{job_id}/", "get"): ("200", "GenerationJob"),
    ("/api/generation/jobs/{job_id}/cancel/", "post"): ("200", "GenerationJob"),
}
ASSISTANT = {
    ("/api/assistant/conversations/", "get"): ("200", "ConversationList"),
    ("/api/assistant/conversations/", "post"): ("201", "Conversation"),
    ("/api/assistant/conversations/{id}/", "get"): ("200", "Conversation"),
    ("/api/assistant/conversations/{id}/messages/", "post"): ("202", "QuestionAnswer"),
    ("/api/assistant/conversations/{id}/index/", "post"): ("202", "AssistantJob"),
    ("/api/assistant/conversations/{id}/export/{fmt}/", "get"): ("200", "ConversationExport"),
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    """The schema as `manage.py spectacular --validate --fail-on-warn` writes it (it raises on any warning)."""
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    reset_generator_stats()  # warnings of schemas generated earlier in this process are not this run's
    call_command("spectacular", "--file", str(path), "--validate", "--fail-on-warn")
    return yaml.safe_load(path.read_text())


def _strict(node):
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes a null alternative, and an object with listed
    properties allows no others (so an answer with a field the schema does not name fails)."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _check(schema: dict, data, component: str, many: bool = False) -> None:
    target = {"$ref": f"#/components/schemas/{component}"}
    document = {
        **({"type": "array", "items": target} if many else target),
        "components": _strict(copy.deepcopy(schema["components"])),
    }
    jsonschema.Draft202012Validator(document).validate(data)


def test_the_schema_generates_with_no_warning_and_names_every_generation_and_assistant_endpoint(schema):
    paths = schema["paths"]
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values() if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))
    for (path, method), (code, component) in {**GENERATION, **ASSISTANT}.items():
        assert path in paths, path
        response = paths[path][method]["responses"][code]
        body = response["content"]["application/json"]["schema"]
        ref = body["items"]["$ref"] if body.get("type") == "array" else body["$ref"]
        assert ref == f"#/components/schemas/{component}", (path, method, ref)
        assert schema["components"]["schemas"][component]["properties"], component
    submit = paths["/api/generation/jobs/"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    fields = schema["components"]["schemas"][submit["$ref"].rsplit("/", 1)[1]]["properties"]
    assert {"kind", "prompt", "image", "mask", "text_1", "weight_4", "motion"} <= set(fields)
    assert fields["image"]["format"] == "binary"
    errors = paths["/api/generation/jobs/"]["post"]["responses"]
    assert {"400", "429", "503"} <= set(errors)
    export = paths["/api/assistant/conversations/{id}/export/{fmt}/"]["get"]["responses"]["200"]["content"]
    assert export["text/markdown"]["schema"]["type"] == "string"


@pytest.mark.django_db
def test_the_generation_apis_answers_match_the_schema(schema, django_user_model):
    user = django_user_model.objects.create_user("painter", password="pw-painter-1")
    client = Client()
    client.force_login(user)
    _check(schema, client.get("/api/generation/models/").json(), "GenerationModels")

    job = Job.objects.create(
        kind="generation.text2image",
        owner=user,
        status=Job.Status.DONE,
        done=25,
        total=25,
        params={"prompt": "a red circle", "steps": 25, "inputs": ["x"]},
        result={
            "files": [{"name": "text2image-1-1.png", "type": "image", "width": 64, "height": 64}],
            "blocked": [],
            "load_seconds": 0.5,
        },
    )
    one = client.get(f"/api/generation/jobs/{job.pk}/").json()
    _check(schema, one, "GenerationJob")
    assert one["files"][0]["download"].endswith("?download=1")
    listed = client.get("/api/generation/jobs/").json()
    assert [j["id"] for j in listed] == [job.pk]
    _check(schema, listed, "GenerationJob", many=True)
    _check(schema, client.post(f"/api/generation/jobs/{job.pk}/cancel/").json(), "GenerationJob")

    unknown = client.post("/api/generation/jobs/", {"kind": "sculpture"})
    assert unknown.status_code == 400
    _check(schema, unknown.json(), "GenerationError")
    invalid = client.post("/api/generation/jobs/", {"kind": "text2image", "steps": "0"})
    assert invalid.status_code == 400 and "prompt" in invalid.json()["fields"]
    _check(schema, invalid.json(), "GenerationError")


@pytest.mark.django_db
def test_the_assistant_apis_answers_match_the_schema(schema, django_user_model):
    owner = django_user_model.objects.create_user("archivist", password="pw-archivist-1")
    document = Document.objects.create(
        project=Project.objects.create(name="Letters", owner=owner), title="Lettre", is_public=True
    )
    page = Page.objects.create(document=document, number=1, width=1000, height=200)
    layer = Layer.objects.create(document=document, name="manual", kind=Layer.Kind.MANUAL)
    for i, text in enumerate(["Monsieur, je suis arrivée", "à Paris le 3 mai 1767,"]):
        line = Line.objects.create(
            page=page,
            order=i,
            polygon=[[10, 100 * i + 10], [900, 100 * i + 10], [900, 100 * i + 90], [10, 100 * i + 90]],
        )
        Transcription.objects.create(line=line, layer=layer, text=text)

    client = Client()
    started = client.post("/api/assistant/conversations/", {"page": page.pk})
    assert started.status_code == 201, started.content
    _check(schema, started.json(), "Conversation")
    pk = started.json()["id"]

    asked = client.post(
        f"/api/assistant/conversations/{pk}/messages/",
        {"question": "Where is Paris mentioned?"},
        content_type="application/json",
    )
    assert asked.status_code == 202, asked.content
    _check(schema, asked.json(), "QuestionAnswer")
    answers.message_answer_archive(message=Message.objects.get(pk=asked.json()["answer"]["id"]))  # the task's call

    detail = client.get(f"/api/assistant/conversations/{pk}/").json()
    assert detail["messages"][1]["evidence"], detail
    _check(schema, detail, "Conversation")
    _check(schema, client.get("/api/assistant/conversations/").json(), "ConversationList")
    _check(schema, client.get(f"/api/assistant/conversations/{pk}/export/json/").json(), "ConversationExport")
    refused = client.get(f"/api/assistant/conversations/{pk}/export/pdf/")
    assert refused.status_code == 400
    _check(schema, refused.json(), "Error")


@pytest.mark.django_db
def test_the_model_apis_answers_match_the_schema(schema, django_user_model):
    from portal.archive.models import HtrModel

    paths = schema["paths"]
    assert "/api/models/{id}/download/" in paths
    assert {"recognition_model", "segmentation_model", "script"} <= set(
        schema["components"]["schemas"]["PatchedDocument"]["properties"]
    )
    assert "model" in schema["components"]["schemas"]["Process"]["properties"]
    user = django_user_model.objects.create_user("reader", password="pw-reader-1")
    client = Client()
    client.force_login(user)
    listed = client.get("/api/models/").json()
    _check(schema, listed["results"], "HtrModel", many=True)
    for model in HtrModel.objects.filter(project=None):
        _check(schema, client.get(f"/api/models/{model.pk}/").json(), "HtrModelDetail")
    document = Document.objects.create(project=Project.objects.create(name="Fonds", owner=user), title="Journal")
    _check(schema, client.get(f"/api/documents/{document.pk}/").json(), "Document")
