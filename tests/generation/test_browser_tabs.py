"""In Debian's Chromium: the feature tabs follow the WAI-ARIA tabs pattern (roles, selection, panels, keys)."""

import os

import pytest

from tests.processes import CHROMIUM_ARGS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop here

KINDS = ["text2image", "variations", "mix", "inpaint", "outpaint", "video"]


def tab_state(page) -> dict:
    """The selected tab, the focused one, the tabs in the Tab order and the panels shown."""
    return page.evaluate(
        """() => ({
            selected: [...document.querySelectorAll('[role=tab][aria-selected=true]')].map(t => t.dataset.tab),
            focused: document.activeElement.dataset.tab || null,
            tabbable: [...document.querySelectorAll('[role=tab]')].filter(t => t.tabIndex === 0).map(t => t.dataset.tab),
            shown: [...document.querySelectorAll('[role=tabpanel]')].filter(p => !p.hidden).map(p => p.dataset.kind),
        })"""
    )


@pytest.fixture
def generation_page(daphne_url, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(daphne_url + "/generation/")
        yield page
        browser.close()


def test_each_tab_controls_a_labelled_panel(generation_page):
    pairs = generation_page.evaluate(
        """() => [...document.querySelectorAll('[role=tablist] [role=tab]')].map(tab => {
            const panel = document.getElementById(tab.getAttribute('aria-controls'));
            return [tab.dataset.tab, panel.getAttribute('role'), panel.getAttribute('aria-labelledby') === tab.id];
        })"""
    )
    assert pairs == [[kind, "tabpanel", True] for kind in KINDS]
    assert tab_state(generation_page) == {
        "selected": ["text2image"],
        "focused": None,
        "tabbable": ["text2image"],
        "shown": ["text2image"],
    }


def test_arrow_keys_move_the_selection_and_wrap_around(generation_page):
    generation_page.focus("#tab-text2image")
    generation_page.keyboard.press("ArrowRight")
    assert tab_state(generation_page) == {
        "selected": ["variations"],
        "focused": "variations",
        "tabbable": ["variations"],
        "shown": ["variations"],
    }
    generation_page.keyboard.press("ArrowLeft")
    generation_page.keyboard.press("ArrowLeft")
    assert tab_state(generation_page)["selected"] == ["video"]  # from the first, left wraps to the last
    generation_page.keyboard.press("ArrowRight")
    assert tab_state(generation_page)["shown"] == ["text2image"]


def test_home_and_end_select_the_first_and_last_tabs(generation_page):
    generation_page.focus("#tab-text2image")
    generation_page.keyboard.press("End")
    assert tab_state(generation_page)["focused"] == "video"
    generation_page.keyboard.press("Home")
    assert tab_state(generation_page) == {
        "selected": ["text2image"],
        "focused": "text2image",
        "tabbable": ["text2image"],
        "shown": ["text2image"],
    }


def test_tab_leaves_the_tab_list_for_the_shown_panel(generation_page):
    generation_page.focus("#tab-text2image")
    generation_page.keyboard.press("ArrowRight")
    generation_page.keyboard.press("Tab")
    assert generation_page.evaluate("() => document.activeElement.id") == "panel-variations"


def test_a_click_selects_a_tab_and_keeps_it_in_the_address(generation_page):
    generation_page.click("#tab-inpaint")
    assert tab_state(generation_page)["shown"] == ["inpaint"]
    assert generation_page.url.endswith("?tab=inpaint")
