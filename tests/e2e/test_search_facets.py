"""The search page's people, places and dates in Chromium: a person among the facets of the results narrows them
to that person's pages, the filter shows as a chip that takes it off, the date range narrows the hits from the
form itself, and the page with its facets has no serious axe violations."""

from __future__ import annotations

import pytest

from tests.e2e.axe import describe, serious_violations
from tests.e2e.test_accessibility import PASSWORD
from tests.factories import make_document, make_page_with_lines, make_project, make_user_for_the_server
from tests.processes import wait_for_job

pytestmark = [pytest.mark.timeout(240), pytest.mark.django_db(transaction=True)]

WILLS = {
    "Testament Dupont": (
        "Je soussigné Jean Dupont, demeurant à Caen,",
        "Fait à Caen le vingt trois Août mil neuf cent quatorze",
    ),
    "Testament Lambert": ("Je soussigné Pierre Lambert, demeurant à Rouen,", "Fait à Rouen le 9 juin 1855"),
}


@pytest.fixture
def wills(daphne_server, browser_page):
    """A logged-in archivist with two wills (two documents), their people, places and dates extracted."""
    from portal.entities.services import page_entities_extract
    from portal.jobs.models import Job

    user = make_user_for_the_server("reader", PASSWORD)
    project = make_project(user, name="Fonds des testaments")
    for title, texts in WILLS.items():
        page = make_page_with_lines(make_document(project, title=title), user, texts=texts)
        for job in Job.objects.filter(target=f"archive.page:{page.pk}"):
            wait_for_job(job.pk, timeout=120)
        page_entities_extract(page=page)
    browser_page.goto(daphne_server + "/accounts/login/")
    browser_page.fill("#id_username", "reader")
    browser_page.fill("#id_password", PASSWORD)
    browser_page.click("form button[type=submit].primary")
    browser_page.wait_for_url(daphne_server + "/")
    return {"base": daphne_server, "browser": browser_page}


def _titles(page) -> set[str]:
    return {text.split(",")[0] for text in page.locator("#results li .result-link").all_inner_texts()}


def test_a_person_facet_keeps_only_that_persons_lines(wills):
    page = wills["browser"]
    page.goto(f"{wills['base']}/search/?q=soussigné")
    page.wait_for_selector("#results li")
    assert _titles(page) == {"Testament Dupont", "Testament Lambert"}
    page.click("#search-facets ul[data-kind=person] a:has-text('Jean Dupont')")
    page.wait_for_selector("#results li")
    assert _titles(page) == {"Testament Dupont"}
    assert all("Dupont" in text for text in page.locator("#results li .snippet").all_inner_texts())
    assert "Jean Dupont" in page.inner_text(".chip[data-filter=person]")
    assert page.errors == []


def test_the_chip_takes_the_person_filter_off(wills):
    page = wills["browser"]
    page.goto(f"{wills['base']}/search/?q=soussigné&person=Jean+Dupont")
    page.wait_for_selector("#results li")
    assert _titles(page) == {"Testament Dupont"}
    page.click(".chip[data-filter=person] .chip-remove")
    page.wait_for_selector("#results li >> nth=1")
    assert _titles(page) == {"Testament Dupont", "Testament Lambert"}
    assert page.locator(".chip").count() == 0


def test_the_date_range_of_the_form_narrows_the_hits(wills):
    page = wills["browser"]
    page.goto(f"{wills['base']}/search/?q=soussigné")
    page.wait_for_selector("#results li")
    page.fill("#search-date-from", "1900")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector(".chip[data-filter=date_from]")
    page.wait_for_selector("#results li")
    assert _titles(page) == {"Testament Dupont"}


def test_the_search_page_with_facets_has_no_serious_axe_violations(wills):
    page = wills["browser"]
    page.goto(f"{wills['base']}/search/?q=soussigné&place=Caen&date_to=1950")
    page.wait_for_selector("#search-facets ul[data-kind=place]")
    violations = serious_violations(page)
    assert violations == [], describe(violations)
