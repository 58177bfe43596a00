"""The test environment (PostgreSQL + Redis) and the session fixtures: users, a real Celery worker, a web server, a browser.

The suite runs against PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL / REDIS_URL say otherwise. pytest-django
reads the settings before this file is imported (pytest.ini names them), so the defaults below are applied by
re-reading `portal.settings` once with them in the environment.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import pytest

# Helpers live in modules of their own (tests.factories, tests.datasets, tests.processes), not in a conftest; these
# names stay importable from here for the tests that have not moved to those modules yet.
from tests.datasets import REPO, cremma_page, missing, shared_dir  # noqa: F401
from tests.factories import make_document, make_page_with_lines, make_project, make_user, upload_files  # noqa: F401
from tests.processes import (
    CHROMIUM,
    CHROMIUM_ARGS,  # noqa: F401
    free_port,
    process_env,
    process_stop,
    queues_purge,
    wait_for_job,  # noqa: F401
    worker_start,
)

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
    if _OWN_VAR:
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
    yield proc
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
