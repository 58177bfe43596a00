"""/api/docs/ draws the API's Swagger UI from our own static files: it works with no internet."""

import re

import pytest

pytestmark = [pytest.mark.timeout(120), pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_offline_from_our_own_files(daphne_server, browser_page):
    outside = []
    browser_page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(daphne_server) else None)
    browser_page.goto(f"{daphne_server}/api/docs/")
    browser_page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
    assert "Skoropis API" in browser_page.inner_text(".swagger-ui .info .title")
    assert browser_page.locator(".opblock").count() > 10  # the operations, read from /api/schema/
    assert outside == [], outside
    assert not re.search(r"cdn|jsdelivr|unpkg", browser_page.content())
