"""The editor's small snags (issue #13.2, #13.3) in a real browser: it opens on a real line, not a one-letter
fragment; the minimap sits beside the scan; the machine's confidence is shown once, on the line, as a number; the
history button is reached with the keyboard; the virtual keyboard offers the script's letters and the project's."""

from __future__ import annotations

import io
import time

import pytest
from test_editor_tools import open_as_owner

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]

# (x0, y0, x1, y1, text): a capital letter standing alone above the first real line, then three lines.
FRAGMENT_FIRST = [
    (60, 40, 100, 100, "M"),
    (60, 140, 740, 200, "Милостивый государь мой"),
    (60, 240, 740, 300, "Ѳеодоръ Матвѣевичъ"),
    (60, 340, 700, 400, "le temps passé"),
]


def stored_page(owner, *, boxes=FRAGMENT_FIRST, script: str = "cyrillic", project_keyboard: str = ""):
    """A drawn page with ALTO lines at `boxes`, stored through the upload service and prepared by the real worker."""
    from PIL import Image, ImageDraw

    import htr.formats
    from htr.lines import Line as HtrLine
    from htr.lines import Page as HtrPage
    from portal.archive.models import Document, Project
    from portal.archive.uploads import document_upload
    from portal.jobs.models import Job

    width, height = 800, 460
    image = Image.new("RGB", (width, height), (245, 238, 220))
    draw = ImageDraw.Draw(image)
    lines = []
    for i, (x0, y0, x1, y1, text) in enumerate(boxes):
        draw.line([(x0 + 5, y1 - 15), (x1 - 5, y1 - 15)], fill=(40, 30, 20), width=6)
        lines.append(
            HtrLine(
                id=f"l{i}",
                polygon=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
                baseline=[(x0 + 5, y1 - 10), (x1 - 5, y1 - 10)],
                text=text,
            )
        )
    buf = io.BytesIO()
    image.save(buf, "PNG")
    alto = htr.formats.page_to_bytes(HtrPage(image="leaf.png", width=width, height=height, lines=lines), "alto")
    project = Project.objects.create(name="Письма", owner=owner, keyboard=project_keyboard)
    document = Document.objects.create(project=project, title="Письмо", script=script, created_by=owner)
    pages, jobs = document_upload(
        document=document, files=[("leaf.png", buf.getvalue()), ("leaf.xml", alto)], user=owner
    )
    deadline = time.monotonic() + 120
    while Job.objects.get(pk=jobs[0].pk).is_active:
        assert time.monotonic() < deadline, "the prepare job did not finish"
        time.sleep(0.3)
    return pages[0]


def box_of(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )


def test_the_editor_opens_on_the_first_real_line_not_a_one_letter_fragment(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    real = Line.objects.filter(page=stored).order_by("order")[1]
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.wait_for_selector(".line.active")
    assert page.get_attribute(".line.active", "data-line-id") == str(real.pk)
    assert page.evaluate("document.activeElement.closest('.line').dataset.lineId") == str(real.pk)
    assert "line=" + str(real.pk) in page.url


def test_the_minimap_sits_beside_the_scan_not_over_it(daphne_server, browser_page, owner):
    stored = stored_page(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    page.wait_for_selector("#viewer-navigator canvas")
    scan, minimap = box_of(page, "#viewer"), box_of(page, "#viewer-navigator")
    assert minimap["w"] > 50 and minimap["h"] > 50
    overlap_x = min(scan["x"] + scan["w"], minimap["x"] + minimap["w"]) - max(scan["x"], minimap["x"])
    overlap_y = min(scan["y"] + scan["h"], minimap["y"] + minimap["h"]) - max(scan["y"], minimap["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (scan, minimap)
    assert page.eval_on_selector_all("#viewer .navigator", "els => els.length") == 0  # none left inside the scan


def test_the_machines_confidence_is_shown_once_on_the_line_as_a_number(daphne_server, browser_page, owner):
    from portal.archive.models import Line, Transcription

    stored = stored_page(owner)
    lines = list(Line.objects.filter(page=stored).order_by("order"))
    unsure, sure = lines[1], lines[2]
    text = Transcription.objects.get(line=unsure).text
    Transcription.objects.filter(line=unsure).update(confidences=[0.9] * (len(text) - 2) + [0.3, 0.2])
    Transcription.objects.filter(line=sure).update(confidences=[0.99] * len(Transcription.objects.get(line=sure).text))
    page = browser_page
    open_as_owner(page, daphne_server, stored)

    badge = page.locator(f".line[data-line-id='{unsure.pk}'] .line-confidence")
    mean = (0.9 * (len(text) - 2) + 0.3 + 0.2) / len(text)
    assert badge.inner_text() == f"{round(100 * mean)}%"  # the mean over its characters
    assert "low" in badge.get_attribute("class") and "2 unsure characters" in badge.get_attribute("title")
    assert page.inner_text(f".line[data-line-id='{sure.pk}'] .line-confidence") == "99%"
    assert page.eval_on_selector_all(".line-reading", "els => els.length") == 0  # no second copy of the text
    # Once the text is not the machine's any more, its confidence is not shown.
    page.click(f".line[data-line-id='{unsure.pk}'] .line-text")
    page.keyboard.type("ъ")
    assert not badge.is_visible()


def test_the_history_button_is_reached_with_the_keyboard(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    second = Line.objects.filter(page=stored).order_by("order")[1]
    page = browser_page
    open_as_owner(page, daphne_server, stored, line=second)
    page.click(f".line[data-line-id='{second.pk}'] .line-text")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "line-history"
    assert page.evaluate("document.activeElement.closest('.line').dataset.lineId") == str(second.pk)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"

    page.keyboard.press("Enter")
    page.wait_for_selector("#history:not([hidden]) .revision")
    assert page.evaluate("document.activeElement.className") == "history-title"
    assert page.inner_text(".history-title") == "History of line 2"
    page.keyboard.press("Escape")
    assert page.is_hidden("#history")
    assert page.evaluate("document.activeElement.closest('.line').dataset.lineId") == str(second.pk)


def test_the_virtual_keyboard_offers_the_scripts_letters_then_the_projects(daphne_server, browser_page, owner):
    stored = stored_page(owner, project_keyboard="ꙗѿ")
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    keys = page.eval_on_selector_all("#keyboard .vkey", "els => els.map(e => e.dataset.char)")
    assert keys[:5] == list("ѣіъѳѵ") and keys[-2:] == ["ꙗ", "ѿ"]
    page.wait_for_selector(".line.active")
    active = page.get_attribute(".line.active", "data-line-id")
    before = page.input_value(f".line[data-line-id='{active}'] .line-text")
    page.click("#keyboard .vkey[data-char='ꙗ']")
    assert page.input_value(f".line[data-line-id='{active}'] .line-text") == before + "ꙗ"
