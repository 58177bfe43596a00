"""The document page in a real browser (issue #13.1): pages named by their file, a placeholder until a thumbnail
exists, no raw stage words (in Russian too), an upload banner that goes once every page is read, export buttons
disabled with no pages, publishing only after a confirmation that says what becomes public."""

from __future__ import annotations

import time

import pytest
from test_editor_tools import log_in

from tests.factories import make_user_for_the_server, scan_with_alto
from tests.processes import wait_for_job

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]

STAGE_WORDS = ("prepare", "segmentation", "recognition", "done")


def owner_and_document(public: bool = False):
    from portal.archive.models import Document, Project

    owner = make_user_for_the_server("owner", "owner-pw-2024")
    project = Project.objects.create(name="Fonds Genlis", owner=owner)
    return owner, Document.objects.create(project=project, title="Testaments", is_public=public, created_by=owner)


def scans_on_disk(folder, *scans: tuple[str, list[str]]) -> list[str]:
    """The paths of drawn scans with their ALTO (scan_with_alto: stem, texts), written into `folder`."""
    paths = []
    for stem, texts in scans:
        for name, data in scan_with_alto(stem, texts):
            (folder / name).write_bytes(data)
            paths.append(str(folder / name))
    return paths


def open_as_owner(page, server: str, document, language: str = "", *, socket: bool = True) -> None:
    """The document's page, logged in as its owner; with `socket`, once its socket is open."""
    log_in(page, server, "owner", "owner-pw-2024")
    page.goto(f"{server}{language}/documents/{document.pk}/")
    if socket:
        page.wait_for_selector("body[data-socket=open]")


def page_uploaded(document, name: str):
    """A page of `document` as an upload leaves it before its images are prepared (no thumbnail yet)."""
    from portal.archive.models import Page

    return Page.objects.create(
        document=document, number=1, original_name=name, image="documents/none/p.jpg", state=Page.State.UPLOADED
    )


def test_the_export_buttons_are_disabled_while_the_document_has_no_pages(daphne_server, browser_page):
    _, document = owner_and_document()
    page = browser_page
    open_as_owner(page, daphne_server, document, socket=False)
    exports = page.locator("a.export")
    assert exports.count() == 5  # plain text, ALTO, PAGE XML, TEI, IIIF manifest
    for i in range(5):
        assert exports.nth(i).get_attribute("aria-disabled") == "true"
        assert exports.nth(i).get_attribute("href") is None
    assert page.eval_on_selector("a.export", "e => getComputedStyle(e).pointerEvents") == "none"


def test_an_upload_names_its_pages_by_file_and_says_no_raw_stage_word_in_russian(daphne_server, browser_page, tmp_path):
    _, document = owner_and_document()
    files = scans_on_disk(
        tmp_path, ("testament-1", ["Милостивый государь мой"]), ("testament-2", ["Ѳеодоръ Матвѣевичъ"])
    )
    page = browser_page
    open_as_owner(page, daphne_server, document, "/ru")
    # Every text the cards show while the pages are read, as the reader saw it.
    # And every text the upload banner showed: when the worker reads both pages before the upload's answer
    # arrives, the banner is written and cleared in the same tick, too fast for a selector to catch.
    page.evaluate("""() => {
        window.seen = [];
        new MutationObserver(() => document.querySelectorAll('.page-card .state, .page-card .job-message')
            .forEach(e => window.seen.push(e.textContent.trim()))).observe(document.getElementById('pages'),
            {subtree: true, childList: true, characterData: true, attributes: true});
        window.banners = [];  // from the records: the text may be gone by the time the observer runs
        const banner = document.getElementById('upload-status');
        new MutationObserver(records => records.forEach(record => record.addedNodes
            .forEach(node => window.banners.push(node.textContent)))).observe(banner,
            {subtree: true, childList: true, characterData: true});
    }""")

    page.set_input_files("#upload-input", files)
    page.wait_for_function("window.banners.some(text => text.toLowerCase().includes('загружен'))")
    page.wait_for_function("document.querySelectorAll('.page-card[data-state=done]').length === 2", timeout=120_000)

    titles = page.eval_on_selector_all(".page-card .page-title", "els => els.map(e => e.textContent.trim())")
    assert titles == ["testament-1.png", "testament-2.png"]
    page.wait_for_function("document.getElementById('upload-status').textContent === ''", timeout=30_000)
    assert page.is_hidden("#upload-progress")
    seen = set(page.evaluate("window.seen")) | set(
        page.eval_on_selector_all(".page-card .state, .page-card .job-message", "els => els.map(e => e.textContent)")
    )
    assert not [text for text in seen if text.strip().lower() in STAGE_WORDS], seen
    assert "Готово" in seen
    for i in range(5):
        export = page.locator("a.export").nth(i)
        assert export.get_attribute("aria-disabled") is None and export.get_attribute("href")


def test_pages_read_before_the_upload_answer_arrives_still_show_done(daphne_server, browser_page, tmp_path):
    """A quick worker reads the pages before the browser has the upload's answer: the socket's events come for pages
    that have no card yet, and the answer's snapshot says "queued" after the job is done. Held back here until the
    worker has finished, as a slow network would."""
    from portal.archive.models import Page

    _, document = owner_and_document()
    files = scans_on_disk(tmp_path, ("acte-1", ["Fait à Caen le vingt trois Août"]))
    page = browser_page
    open_as_owner(page, daphne_server, document)
    # The upload's answer is held in the browser until the test lets it go.
    page.evaluate("""() => {
        const upload = window.SkoropisApi.upload;
        window.SkoropisApi.upload = (...args) => upload(...args).then(
            answer => new Promise(resolve => { window.releaseAnswer = () => resolve(answer); }));
    }""")
    page.set_input_files("#upload-input", files)
    page.wait_for_function("typeof window.releaseAnswer === 'function'", timeout=60_000)
    deadline = time.monotonic() + 240
    while not Page.objects.filter(document=document, state=Page.State.DONE).exists():
        states = list(Page.objects.filter(document=document).values_list("state", flat=True))
        assert time.monotonic() < deadline, f"the worker did not read the page: {states}"
        time.sleep(0.2)
    time.sleep(1)  # the socket's events reach the browser first
    assert page.locator(".page-card").count() == 0
    page.evaluate("window.releaseAnswer()")

    page.wait_for_function("document.querySelectorAll('.page-card[data-state=done]').length === 1", timeout=30_000)
    page.wait_for_function("document.getElementById('upload-status').textContent === ''", timeout=10_000)
    card = page.locator(".page-card").first
    assert card.get_attribute("data-job-status") == "done"
    assert card.locator(".job-message").inner_text() == ""
    assert card.locator(".line-count").inner_text() == "1 line"


def test_a_page_without_its_thumbnail_yet_shows_a_placeholder_not_a_broken_image(daphne_server, browser_page):
    _, document = owner_and_document()
    page_uploaded(document, "acte.pdf#1")
    page = browser_page
    open_as_owner(page, daphne_server, document, socket=False)
    card = page.locator(".page-card").first
    assert card.locator(".thumb-placeholder").is_visible()
    assert card.locator(".thumb-placeholder").inner_text() == "Image being prepared…"
    assert not card.locator("img.thumb").is_visible()
    assert card.locator(".page-title").inner_text() == "acte.pdf#1"


def test_a_thumbnail_replaces_the_placeholder_once_it_has_loaded(daphne_server, browser_page):
    from portal.archive.uploads import document_upload

    owner, document = owner_and_document()
    _, jobs = document_upload(document=document, files=scan_with_alto("leaf", ["le temps passé"]), user=owner)
    wait_for_job(jobs[0].pk, timeout=120)
    page = browser_page
    open_as_owner(page, daphne_server, document, socket=False)
    page.wait_for_selector(".page-card.thumb-ready")
    assert page.locator(".page-card img.thumb").is_visible()
    assert page.eval_on_selector(".page-card img.thumb", "e => e.naturalWidth") > 0
    assert not page.locator(".thumb-placeholder").is_visible()


def test_publishing_asks_first_and_says_what_becomes_public(daphne_server, browser_page):
    from portal.archive.models import Document

    _, document = owner_and_document()
    page_uploaded(document, "f1.jpg")
    page = browser_page
    open_as_owner(page, daphne_server, document, socket=False)

    page.click("#publish-open")
    dialog = page.locator("#publish-dialog")
    assert dialog.is_visible()
    text = dialog.inner_text()
    assert "Anyone, without an account" in text and "1 page" in text
    assert "history" in text and "user names" in text and "stay private" in text
    page.click("#publish-cancel")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.id") == "publish-open"
    assert not Document.objects.get(pk=document.pk).is_public

    page.click("#publish-open")
    page.click("#publish-confirm")
    page.wait_for_selector(".badge.public")
    assert Document.objects.get(pk=document.pk).is_public
