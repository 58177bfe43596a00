"""Shared test helpers: the test environment (PostgreSQL + Redis), a real Celery worker, factories, ../shared data.

The suite runs against PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL / REDIS_URL say otherwise. pytest-django
reads the settings before this file is imported (pytest.ini names them), so the defaults below are applied by
re-reading `portal.settings` once with them in the environment.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skoropis")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-" + "x" * 40)  # DEBUG=0 has no default key
os.environ.setdefault("IIIF_ALLOW_PRIVATE_HOSTS", "1")  # the IIIF tests' servers are on 127.0.0.1
_OWN_VAR = "SKOROPIS_VAR" not in os.environ
os.environ.setdefault("SKOROPIS_VAR", tempfile.mkdtemp(prefix="skoropis-test-"))
(Path(os.environ["SKOROPIS_VAR"]) / "staticfiles").mkdir(parents=True, exist_ok=True)  # whitenoise looks there
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def _apply_test_environment() -> None:
    from django.conf import settings

    if not settings.configured:
        return
    module = importlib.reload(importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]))
    for name in dir(module):
        if name.isupper() and name not in ("INSTALLED_APPS",):
            setattr(settings, name, getattr(module, name))
    from asgiref.local import Local
    from django.core.cache import caches
    from django.db import connections

    for handler in (connections, caches):  # forget connections made from the settings read before
        handler.__dict__.pop("settings", None)
        handler._settings = None
        handler._connections = Local(handler.thread_critical)
    # Tests create many users: a fast hasher (the real one costs ~0.7 s a user on a busy 2-core machine).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    test_name = os.environ.get("SKOROPIS_TEST_DB")  # lets two test runs share one server without clobbering
    if test_name:
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = test_name


_apply_test_environment()


def missing(what: str) -> None:
    """A test's data or model is not there: it fails (CI must not pass without it), unless this machine says
    with SKOROPIS_SKIP_MISSING=1 that it lacks ../shared on purpose, where it skips."""
    if os.environ.get("SKOROPIS_SKIP_MISSING") == "1":
        pytest.skip(what)
    pytest.fail(f"{what}; set SKOROPIS_SHARED, or SKOROPIS_SKIP_MISSING=1 to skip such tests on this machine")


def shared_dir() -> Path:
    """The shared folder (datasets, reference evaluator); the test fails where it is absent (see `missing`)."""
    path = Path(os.environ.get("SKOROPIS_SHARED") or REPO.parent / "shared")
    if not path.is_dir():
        missing(f"shared data not found at {path}")
    return path


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to a /ru/ page leaves Russian active in this thread (Django's LocaleMiddleware activates, nothing
    deactivates), and reverse() then gives /ru/ addresses to the next test: each test starts in the default language."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def shared() -> Path:
    return shared_dir()


def cremma_page(folder: str = "journal-mme-de-genlis", stem: str = "f15") -> tuple[Path, Path]:
    """(image, ALTO) of a real page of the shared CREMMA-MSS-18 set."""
    base = shared_dir() / "datasets" / "cremma-mss-18" / folder
    image, alto = base / f"{stem}.jpg", base / f"{stem}.xml"
    if not image.is_file():
        missing(f"{image} not found")
    return image, alto


def pytest_sessionfinish(session, exitstatus):
    if _OWN_VAR:
        shutil.rmtree(os.environ["SKOROPIS_VAR"], ignore_errors=True)


# --- factories ------------------------------------------------------------------------------------------------------


def make_user(name: str, password: str | None = None):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(name, password=password or f"pw-{name}-12345")


def make_project(owner, *, name: str = "Fonds", members: dict | None = None):
    """A project; `members` maps users to roles ('editor', 'viewer', 'owner')."""
    from portal.archive.models import Membership, Project

    project = Project.objects.create(name=name, owner=owner)
    for user, role in (members or {}).items():
        Membership.objects.create(project=project, user=user, role=role)
    return project


def make_document(project, *, title: str = "Journal", public: bool = False):
    from portal.archive.models import Document

    return Document.objects.create(project=project, title=title, is_public=public, created_by=project.owner)


def upload_files(document, user, paths: list[Path]):
    """Store real files through the upload service (pages, imported lines, jobs)."""
    from portal.archive.uploads import document_upload

    return document_upload(document=document, files=[(p.name, p.read_bytes()) for p in paths], user=user)


def make_page_with_lines(document, user, *, texts=("Милостивый государь мой", "Ѳеодоръ Матвѣевичъ", "le temps passé")):
    """A small drawn page (PNG) with one ALTO line per text, stored through the upload service; returns the Page."""
    import io

    from PIL import Image, ImageDraw

    import htr.formats
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage

    width, height, step = 800, 120 + 100 * len(texts), 100
    image = Image.new("RGB", (width, height), (245, 238, 220))
    draw = ImageDraw.Draw(image)
    lines = []
    for i, text in enumerate(texts):
        y = 60 + i * step
        draw.line([(60, y + 40), (700, y + 40)], fill=(40, 30, 20), width=6)
        lines.append(
            HtrLine(
                id=f"l{i}",
                polygon=[(50, y), (720, y), (720, y + 60), (50, y + 60)],
                baseline=[(60, y + 45), (700, y + 45)],
                text=text,
            )
        )
    buf = io.BytesIO()
    image.save(buf, "PNG")
    stem = f"leaf{document.pages.count() + 1}"
    alto = htr.formats.page_to_bytes(HtrPage(image=f"{stem}.png", width=width, height=height, lines=lines), "alto")
    from portal.archive.uploads import document_upload

    pages, _ = document_upload(
        document=document, files=[(f"{stem}.png", buf.getvalue()), (f"{stem}.xml", alto)], user=user
    )
    return pages[0]


@pytest.fixture
def users(db):
    """owner, editor, viewer and outsider users."""
    return {role: make_user(role) for role in ("owner", "editor", "viewer", "outsider")}


@pytest.fixture
def project(users):
    return make_project(users["owner"], members={users["editor"]: "editor", users["viewer"]: "viewer"})


@pytest.fixture
def api_client_for():
    """api_client_for(user or None) -> a DRF APIClient logged in as that user (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


# --- a real worker --------------------------------------------------------------------------------------------------


def _database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


def _purge_test_queues() -> None:
    """Tasks left in the test broker by an interrupted earlier run would point at rows that no longer exist."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    queues = ["default", "gpu", "training"]
    priorities = [f"{queue}\x06\x16{step}" for queue in queues for step in (3, 6, 9)]  # kombu's lower priorities
    client.delete(*queues, *priorities, "unacked", "unacked_index")
    client.close()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery -A portal worker -Q default,gpu,training --pool=solo` on the test database and Redis DB."""
    from django.db import connection

    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url(connection.settings_dict)
    else:
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    env.setdefault("HTR_DEVICE", "cpu")
    env["PYTHONUNBUFFERED"] = "1"
    _purge_test_queues()
    log_path = Path(os.environ["SKOROPIS_VAR"]) / f"celery-worker-{os.getpid()}.log"
    log = open(log_path, "w")
    name = f"test-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "default,gpu,training",
            "--pool=solo",
            "-l",
            "info",
            "-n",
            name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while "ready." not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the Celery worker did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.3)
    yield proc
    _stop(proc, timeout=30)
    log.close()


def _stop(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it is not gone within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- a real web server and a real browser ----------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (installed with apt-get when missing; Playwright's own browsers are never downloaded)."""
    if not CHROMIUM.exists():
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        result = subprocess.run(
            [*sudo, "apt-get", "install", "-y", "-q", "chromium"], capture_output=True, text=True, check=False
        )
        if result.returncode != 0 or not CHROMIUM.exists():
            pytest.fail(f"could not install Debian chromium:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker, celery_worker):
    """The web server as scripts/run.py starts it (portal/webserver.py: daphne, here in 2 processes on one socket) on a
    free port, on the same database and Redis as the worker."""
    from django.db import connection

    from portal import embedded

    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = _database_url(connection.settings_dict)
    else:
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True
    )
    port = free_port()
    log_path = Path(os.environ["SKOROPIS_VAR"]) / f"daphne-{os.getpid()}.log"
    log = open(log_path, "w")  # noqa: SIM115 - open for the server's whole life, closed at teardown
    try:
        proc = embedded.start_web(env, "127.0.0.1", port, processes=2, log=log)
    except (RuntimeError, TimeoutError) as exc:
        raise RuntimeError(f"{exc}:\n{log_path.read_text(errors='replace')[-4000:]}") from None
    base = f"http://127.0.0.1:{port}"
    # Every process has loaded the application and its URLconf before the port accepts connections.
    try:
        urllib.request.urlopen(base + "/accounts/login/", timeout=120)
    except OSError:
        _stop(proc, timeout=15)
        raise RuntimeError(f"the web server does not answer:\n{log_path.read_text(errors='replace')[-4000:]}") from None
    yield base
    _stop(proc, timeout=15)
    log.close()


def wait_for_job(job_id: int, timeout: float = 300, until=("done", "failed", "cancelled")):
    """Poll the Job row (the truth) until it reaches one of `until`; returns it."""
    from portal.jobs.models import Job

    deadline = time.monotonic() + timeout
    while True:
        job = Job.objects.get(pk=job_id)
        if job.status in until:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job.status} after {timeout}s ({job.message})")
        time.sleep(0.5)
