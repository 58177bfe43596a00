"""Browser tests: Debian Chromium pages against the shared daphne server (tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

from tests.processes import CHROMIUM_ARGS

# Playwright's sync API runs an event loop in this thread; the test still talks to the database synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def owner():
    """The user "owner" (password "owner-pw-2024") of the editor tests' pages: test_editor_tools.open_as_owner."""
    from tests.factories import make_user_for_the_server

    return make_user_for_the_server("owner", "owner-pw-2024")


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
