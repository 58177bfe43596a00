"""The web server runs several processes on one port (portal/webserver.py, as scripts/run.py starts it), and a save
through any of them is recorded exactly once: versions follow each other, a stale version is a conflict."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from portal import embedded
from tests.factories import make_document, make_page_with_lines, make_project, make_user
from tests.processes import free_port, process_env, process_stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

PROCESSES = 2


@pytest.fixture(scope="module")
def web(django_db_setup):
    """(base URL, supervisor process) of the web server in PROCESSES processes on the test database."""
    env = process_env()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=embedded.ROOT, env=env, check=True
    )
    port = free_port()
    log_path = Path(os.environ["SKOROPIS_VAR"]) / f"web-processes-{os.getpid()}.log"
    with open(log_path, "w") as log:
        proc = embedded.start_web(env, "127.0.0.1", port, processes=PROCESSES, log=log)
        yield f"http://127.0.0.1:{port}", proc
        process_stop(proc, timeout=30)


def children(pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]


def editors_with_lines(count: int) -> tuple[list[str], list[int]]:
    """`count` editors of one project, each with a token and a line of the same page read by a model (version 1)."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from portal.archive.models import Line, Page
    from portal.archive.services import layer_for_model, transcription_write

    users = [make_user(f"editor{i}") for i in range(count)]
    project = make_project(make_user("owner"), members={user: "editor" for user in users})
    document = make_document(project)
    page = Page.objects.create(document=document, number=1, image="x.jpg", width=2000, height=60 * count + 100)
    layer = layer_for_model(document=document, model_name="m")
    line_ids = []
    with transaction.atomic():
        for i in range(count):
            line = Line.objects.create(page=page, order=i, polygon=[[0, 60 * i], [2000, 60 * i], [2000, 60 * i + 50]])
            transcription_write(line=line, layer=layer, text=f"line {i}", model_name="m")
            line_ids.append(line.pk)
    return [Token.objects.create(user=user).key for user in users], line_ids


def save(session: requests.Session, base: str, line_id: int, text: str, version: int) -> requests.Response:
    return session.patch(f"{base}/api/lines/{line_id}/text/", json={"text": text, "version": version}, timeout=120)


def people_versions(line_id: int) -> list[int]:
    from portal.archive.models import Revision

    revisions = Revision.objects.filter(
        transcription__line_id=line_id, transcription__layer__kind="manual", author__isnull=False
    )
    return list(revisions.order_by("version").values_list("version", flat=True))


def test_the_web_server_runs_its_processes_and_each_of_them_saves(web):
    base, supervisor = web
    pids = children(supervisor.pid)
    assert len(pids) == PROCESSES
    assert all("--listen-fd" in Path(f"/proc/{pid}/cmdline").read_text() for pid in pids)
    (token,), (line_id,) = editors_with_lines(1)
    version = 1
    for serving in pids:
        others = [pid for pid in pids if pid != serving]
        for pid in others:  # the stopped ones accept nothing: every new connection goes to `serving`
            os.kill(pid, signal.SIGSTOP)
        try:
            for k in range(3):
                with requests.Session() as session:  # a new connection each time
                    session.headers["Authorization"] = f"Token {token}"
                    response = save(session, base, line_id, f"by {serving}, {k}", version)
                assert response.status_code == 200, response.text
                assert response.json()["version"] == version + 1
                version += 1
        finally:
            for pid in others:
                os.kill(pid, signal.SIGCONT)
    assert people_versions(line_id) == list(range(2, 2 + 3 * PROCESSES))


def test_concurrent_saves_through_the_processes_are_each_recorded_once(web):
    base, _ = web
    tokens, line_ids = editors_with_lines(12)
    saves = 8
    failures: list[str] = []

    def editor(token: str, line_id: int) -> None:
        version = 1
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {token}"
            for k in range(saves):
                response = save(session, base, line_id, f"correction {k}", version)
                if response.status_code != 200:
                    failures.append(f"{line_id}: {response.status_code} {response.text[:200]}")
                    return
                version = response.json()["version"]

    threads = [threading.Thread(target=editor, args=pair) for pair in zip(tokens, line_ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    for line_id in line_ids:
        assert people_versions(line_id) == list(range(2, 2 + saves))


def race(base: str, line_id: int, saves: list[tuple[str, str, int]]) -> list[requests.Response]:
    """The saves (token, text, version read), sent at the same moment from threads of their own."""
    answers: list[requests.Response] = []
    barrier = threading.Barrier(len(saves))

    def editor(token: str, text: str, version: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {token}"
            barrier.wait()
            answers.append(save(session, base, line_id, text, version))

    threads = [threading.Thread(target=editor, args=args) for args in saves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_two_editors_saving_one_line_at_once_from_one_version_one_wins_and_one_conflicts(web):
    base, _ = web
    tokens, (line_id, _) = editors_with_lines(2)
    for version in range(1, 6):
        answers = race(base, line_id, [(token, f"{token[:4]} {version}", version) for token in tokens])
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        won, lost = sorted(answers, key=lambda a: a.status_code)
        assert won.json()["version"] == version + 1 == lost.json()["current"]["version"]
        assert lost.json()["current"]["text"] == won.json()["text"]
    assert people_versions(line_id) == list(range(2, 7))


def test_a_scan_streams_whole_through_the_request_threads_and_saves_go_on_after(web):
    """A file is sent after the view returned (portal/asgi.py closes it, and finishes the request, only then); the
    threads that served it serve the next requests with their database connections back from the pool."""
    from rest_framework.authtoken.models import Token

    base, _ = web
    owner = make_user("scan-owner")
    page = make_page_with_lines(make_document(make_project(owner)), owner)
    token = Token.objects.create(user=owner).key
    scan = Path(page.image.path).read_bytes()
    line_id = page.lines.order_by("order").first().pk
    version = 1
    with requests.Session() as session:
        session.headers["Authorization"] = f"Token {token}"
        for k in range(12):  # more requests than each process has threads
            response = session.get(f"{base}/api/pages/{page.pk}/image/", timeout=120)
            assert response.status_code == 200 and response.content == scan
            response = save(session, base, line_id, f"after the scan {k}", version)
            assert response.status_code == 200, response.text
            version = response.json()["version"]
    assert version == 13


def test_a_process_that_dies_is_replaced_and_the_new_one_serves(web):
    base, supervisor = web
    (token,), (line_id,) = editors_with_lines(1)
    survivor, dead = children(supervisor.pid)
    os.kill(dead, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while len([pid for pid in children(supervisor.pid) if pid not in (survivor, dead)]) != 1:
        assert time.monotonic() < deadline, "no process replaced the one that died"
        time.sleep(0.2)
    os.kill(survivor, signal.SIGSTOP)  # only the replacement accepts, once it has loaded the application
    try:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Token {token}"
            response = save(session, base, line_id, "after a crash", 1)
    finally:
        os.kill(survivor, signal.SIGCONT)
    assert response.status_code == 200, response.text
    assert people_versions(line_id) == [2]


def test_the_processes_stop_when_the_server_is_killed(django_db_setup):
    proc = embedded.start_web(process_env(), "127.0.0.1", free_port(), processes=2, log=subprocess.DEVNULL)
    pids = children(proc.pid)
    proc.kill()  # no chance to stop them itself
    proc.wait()
    deadline = time.monotonic() + 30
    while alive := [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in state(pid)]:
        assert time.monotonic() < deadline, f"processes {alive} outlived the server"
        time.sleep(0.2)


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"
