"""The search page in Chromium: a misspelt word finds the line, shows its image cut from the scan and a "did you
mean" link; the text filter narrows the hits; keyboard focus is visible."""

from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import archive  # noqa: F401 - the logged-in archivist and a page of lines

pytestmark = [pytest.mark.timeout(240), pytest.mark.django_db(transaction=True)]


def test_a_misspelt_word_shows_the_line_image_and_did_you_mean(archive):  # noqa: F811
    page = archive["browser"]
    page.goto(f"{archive['base']}/search/?q=Marole")
    page.wait_for_selector("#results li")
    assert "Marolles" in page.inner_text("#results li .snippet mark")
    page.wait_for_function("document.querySelector('#results li img.line-image').naturalWidth > 0")
    assert page.inner_text("#suggestion-link") == "Marolles"
    page.click("#suggestion-link")
    page.wait_for_selector("#results li")
    assert page.input_value("#q") == "Marolles" and page.locator("#suggestion-link").count() == 0
    assert page.errors == []


def test_the_machine_text_filter_leaves_out_corrected_lines(archive):  # noqa: F811
    page = archive["browser"]
    page.goto(f"{archive['base']}/search/?q=Marolles")
    page.select_option("#search-text", "machine")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#search-summary:has-text('Nothing found')")
    assert page.locator("#results li").count() == 0


def test_keyboard_focus_is_visible_on_the_search_button(archive):  # noqa: F811
    page = archive["browser"]
    page.goto(f"{archive['base']}/search/")
    page.focus("#q")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    width = page.evaluate("parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline == "solid" and width >= 2
