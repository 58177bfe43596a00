"""Browser tests: a real daphne server on the test database + Redis, the shared Celery worker, Debian Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the test still talks to the database synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium (installed with apt-get when missing; Playwright's own browsers are never downloaded)."""
    if not CHROMIUM.exists():
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        result = subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "chromium"], capture_output=True, text=True,
                                check=False)
        if result.returncode != 0 or not CHROMIUM.exists():
            pytest.fail(f"could not install Debian chromium:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker, celery_worker):
    """`daphne portal.asgi:application` on a free port, on the same database and Redis as the worker."""
    from django.db import connection

    env = dict(os.environ)
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = database_url(connection.settings_dict)
    else:
        env["DATABASE_URL"] = f"sqlite:///{connection.settings_dict['NAME']}"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=env,
                   check=True)
    port = free_port()
    log_path = Path(os.environ["SKOROPIS_VAR"]) / f"daphne-{os.getpid()}.log"
    log = open(log_path, "w")  # noqa: SIM115 - open for the server's whole life, closed at teardown
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    # The first request imports every URLconf (slow on a busy machine): wait for it here, not in a test.
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=120)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"daphne did not start:\n{log_path.read_text(errors='replace')[-4000:]}") from None
            time.sleep(0.3)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture
def browser_page(chromium, tmp_path):
    """A fresh headless Chromium page; console errors are collected in `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        try:
            yield page
        finally:
            if os.environ.get("SKOROPIS_E2E_SCREENSHOTS"):
                os.makedirs(os.environ["SKOROPIS_E2E_SCREENSHOTS"], exist_ok=True)
                page.screenshot(path=os.path.join(os.environ["SKOROPIS_E2E_SCREENSHOTS"], "last.png"))
            context.close()
            browser.close()
            # The ORM calls made while Playwright ran used this greenlet's own connection: close it, or the test
            # database cannot be dropped at the end of the session.
            from django.db import connections

            connections.close_all()
