"""The session fixtures: users, a real Celery worker, a web server, a browser. The test environment (PostgreSQL +
Redis) is tests/settings.py's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

# Only fixtures here: the helpers tests import live in tests.factories, tests.datasets and tests.processes.
from tests.datasets import shared_dir
from tests.factories import make_project, make_user
from tests.processes import (
    CHROMIUM,
    REPO,
    free_port,
    process_env,
    process_stop,
    queues_purge,
    worker_idle_wait,
    worker_start,
)

if settings.SETTINGS_MODULE != "tests.settings":  # (reading it loads the settings, before the line below)
    # DJANGO_SETTINGS_MODULE in the environment wins over pytest.ini: the tests would run on the real settings.
    raise pytest.UsageError(
        f"the tests run on tests.settings (pytest.ini), not {settings.SETTINGS_MODULE}: unset DJANGO_SETTINGS_MODULE"
    )
# The workers, web servers and manage.py commands the tests start run on the portal's own settings, as deployed;
# tests.settings has put the test services in the environment they inherit.
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"


# The session's live worker, once a test has started it: every later test's work may reach it through the broker.
_live_worker: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _worker_idle_after_test(request):
    """A test whose database is emptied after it (transaction=True) waits first for the work it left the live worker
    (an entity extraction after an upload or a save, say, also when the save came through a web server the test
    started itself): a task still writing deadlocked the flush's TRUNCATE, and the next test then found the last
    one's rows. Its teardown runs before pytest-django's flush (autouse plugin fixtures come first)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    flushed = "transactional_db" in request.fixturenames or (marker is not None and marker.kwargs.get("transaction"))
    if flushed and _live_worker and _live_worker[0].poll() is None:
        worker_idle_wait()


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


def pytest_sessionfinish(session, exitstatus):
    from tests.settings import TEST_VAR_IS_TEMPORARY

    if TEST_VAR_IS_TEMPORARY:
        shutil.rmtree(os.environ["SKOROPIS_VAR"], ignore_errors=True)


# --- factories ------------------------------------------------------------------------------------------------------


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


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery -A portal worker -Q default,gpu,training --pool=solo` on the test database and Redis DB."""
    queues_purge()
    proc = worker_start(process_env(), f"test-{os.getpid()}")
    _live_worker.append(proc)
    yield proc
    _live_worker.clear()
    process_stop(proc, timeout=30)


# --- a real web server and a real browser ----------------------------------------------------------------------------


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
    from portal import embedded

    env = process_env()
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
        process_stop(proc, timeout=15)
        raise RuntimeError(f"the web server does not answer:\n{log_path.read_text(errors='replace')[-4000:]}") from None
    yield base
    process_stop(proc, timeout=15)
    log.close()
