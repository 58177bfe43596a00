"""The editor's other tools in a real browser: conflicts, low-confidence marks, history and restore, segmentation
editing, the public read-only view and search leading to a line."""

from __future__ import annotations

import time

import pytest
from test_editor_flow import cremma_test_page

from tests.factories import make_user_for_the_server

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]


def stored_page(owner, *, public: bool = False):
    """A real page with its ALTO lines, stored through the upload service and prepared by the real worker."""
    from portal.archive.models import Document, Project
    from portal.archive.uploads import document_upload
    from portal.jobs.models import Job

    image, alto = cremma_test_page()
    project = Project.objects.create(name="Fonds Genlis", owner=owner)
    document = Document.objects.create(project=project, title="Journal", is_public=public, created_by=owner)
    pages, jobs = document_upload(
        document=document, files=[(p.name, p.read_bytes()) for p in (image, alto)], user=owner
    )
    deadline = time.monotonic() + 120
    while Job.objects.get(pk=jobs[0].pk).status != Job.Status.DONE:
        assert time.monotonic() < deadline, "the prepare job did not finish"
        time.sleep(0.3)
    return pages[0]


def log_in(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    page.click("form button[type=submit].primary")
    page.wait_for_url(base + "/")


def line_ids(page) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all(".line", "els => els.map(e => e.dataset.lineId)")]


def open_editor(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-loaded='1']")
    page.wait_for_selector("#viewer[data-ready='1']")


def open_as_owner(page, base: str, stored, line=None) -> None:
    """Log in as the `owner` fixture's user and open the editor on `stored`, the first page of its document, at
    `line` if one is given."""
    log_in(page, base, "owner", "owner-pw-2024")
    at = f"?line={line.pk}" if line is not None else ""
    open_editor(page, f"{base}/documents/{stored.document_id}/pages/1/{at}")


def test_a_stale_save_shows_the_other_version_and_keeps_mine_on_request(daphne_server, browser_page, owner):
    from portal.archive import services
    from portal.archive.models import Line, Transcription

    colleague = make_user_for_the_server("colleague", "colleague-pw-2024")
    stored = stored_page(owner)
    first = Line.objects.filter(page=stored).order_by("order").first()
    text = Transcription.objects.get(line=first).text
    Transcription.objects.filter(line=first).update(confidences=[0.9] * (len(text) - 2) + [0.3, 0.2])
    page = browser_page
    open_as_owner(page, daphne_server, stored)

    # The line says how sure the model was, and that two of its characters are unsure (test_editor_snags.py).
    assert "2 unsure characters" in page.get_attribute(
        f".line[data-line-id='{first.pk}'] .line-confidence.low", "title"
    )

    # A colleague saves the second line while I am typing in it: my save conflicts, nothing is overwritten.
    second = line_ids(page)[1]
    page.click(f".line[data-line-id='{second}'] .line-text")
    page.keyboard.press("End")
    page.keyboard.type(" (mine)")
    line = Line.objects.get(pk=second)
    theirs = services.line_text_save(
        line=line, text="their reading", version=Transcription.objects.get(line=line).version, user=colleague
    )
    page.keyboard.press("Enter")
    box = page.wait_for_selector(f".line[data-line-id='{second}'] .line-conflict:not([hidden])")
    assert "their reading" in box.inner_text() and "colleague" in box.inner_text()
    assert (
        services.selectors.page_lines_read(stored, services.layer_manual(document=stored.document))[1][1].text
        == "their reading"
    )
    page.click(f".line[data-line-id='{second}'] .keep-mine")
    page.wait_for_selector(f".line[data-line-id='{second}'] .line-conflict[hidden]", state="attached")
    mine = page.input_value(f".line[data-line-id='{second}'] .line-text")
    assert mine.endswith(" (mine)")
    page.wait_for_function(
        f"document.querySelector(\".line[data-line-id='{second}']\").dataset.version == '{theirs.version + 1}'"
    )

    # History: three versions (import, theirs, mine); restoring the import brings its text back.
    page.click(f".line[data-line-id='{second}'] .line-history")
    page.wait_for_selector("#history .revision")
    assert page.eval_on_selector_all("#history .revision", "e => e.length") == 3
    assert page.inner_text("#history .revision:last-child .diff") == mine.removesuffix(" (mine)")
    page.click("#history .revision:last-child .restore")
    page.wait_for_function(
        f"document.querySelector(\".line[data-line-id='{second}'] .line-text\").value == {mine.removesuffix(' (mine)')!r}"
    )


def test_segmentation_tools_change_the_lines_on_the_server(daphne_server, browser_page, owner):
    from portal.archive.models import Line

    stored = stored_page(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    ids = line_ids(page)
    count = len(ids)

    def server_order() -> list[int]:
        return list(Line.objects.filter(page=stored).order_by("order").values_list("pk", flat=True))

    def after(expected: int) -> None:
        page.wait_for_function(f"document.querySelectorAll('.line').length == {expected}")
        page.wait_for_function(f"document.querySelectorAll('.line-overlay polygon.line-shape').length == {expected}")

    # Move the third line down, then merge the (new) third with the fourth.
    page.click(f".line[data-line-id='{ids[2]}'] .line-text")
    page.click("#line-down")
    page.wait_for_function(f"document.querySelectorAll('.line')[3].dataset.lineId == '{ids[2]}'")
    assert server_order()[:5] == [ids[0], ids[1], ids[3], ids[2], ids[4]]
    page.click(f".line[data-line-id='{ids[3]}'] .line-text")
    page.click("#line-merge")
    after(count - 1)
    assert ids[2] not in server_order()

    # Split the active line where I click on the image.
    active = int(page.evaluate("document.querySelector('.line.active').dataset.lineId"))
    box = page.query_selector(f"polygon[data-line-id='{active}']").bounding_box()
    page.click("#line-split")
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    after(count)

    # Draw a new line with the mouse, then delete it.
    page.click("#line-add")
    page.mouse.move(box["x"] + 10, box["y"] + 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + box["height"] - 2, steps=6)
    page.mouse.up()
    after(count + 1)
    new = set(server_order()) - set(ids) - {active}
    assert len(new) == 2  # the split's right half and the drawn line
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#line-delete")
    after(count)
    assert page.errors == []


def test_a_published_page_is_read_only_and_search_leads_to_the_line(daphne_server, browser_page, owner):
    from portal.archive.models import Line, Transcription

    stored = stored_page(owner, public=True)
    target = Line.objects.filter(page=stored).order_by("order")[4]
    word = max(Transcription.objects.get(line=target).text.split(), key=len)
    page = browser_page  # anonymous

    page.goto(f"{daphne_server}/search/?q={word}")
    page.wait_for_selector(".result-link")
    hrefs = page.eval_on_selector_all(".result-link", "els => els.map(e => e.getAttribute('href'))")
    assert f"/documents/{stored.document_id}/pages/1/?line={target.pk}" in hrefs
    page.click(f".result-link[href$='?line={target.pk}']")
    page.wait_for_selector("body[data-loaded='1']")
    page.wait_for_selector(f".line.active[data-line-id='{target.pk}']")
    assert page.get_attribute(f"polygon[data-line-id='{target.pk}']", "class") == "line-shape active"
    assert page.query_selector("#line-add") is None and page.query_selector("#keyboard") is None
    assert page.eval_on_selector_all(".line-text", "els => els.every(e => e.readOnly)")
    assert page.errors == []


def test_dropping_several_scans_adds_their_pages_live(daphne_server, browser_page, owner):
    import base64

    from portal.archive.models import Document, Project

    document = Document.objects.create(project=Project.objects.create(name="Fonds", owner=owner), title="Journal")
    image, alto = cremma_test_page()
    other, other_alto = cremma_test_page(stem="f38")
    files = [
        {
            "name": p.name,
            "type": "image/jpeg" if p.suffix == ".jpg" else "application/xml",
            "data": base64.b64encode(p.read_bytes()).decode(),
        }
        for p in (image, alto, other, other_alto)
    ]
    page = browser_page
    log_in(page, daphne_server, "owner", "owner-pw-2024")
    page.goto(f"{daphne_server}/documents/{document.pk}/")
    page.wait_for_selector("body[data-socket=open]")
    transfer = page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, {type: f.type}));
            }
            return transfer;
        }""",
        files,
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})
    page.wait_for_function("document.querySelectorAll('.page-card[data-state=done]').length == 2", timeout=120_000)
    assert page.eval_on_selector("#upload-progress", "e => e.value") == 100
    assert page.inner_text("#page-count") == "(2)"
    assert page.eval_on_selector_all(".page-card .page-title", "els => els.map(e => e.textContent)") == [
        "f15.jpg",
        "f38.jpg",
    ]
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.page-card .thumb')).every(i => i.complete && i.naturalWidth > 0)"
    )
    assert document.pages.count() == 2
    assert page.errors == []


def test_the_editor_takes_the_new_lines_when_the_page_is_read_again(daphne_server, browser_page, owner):
    from django.db import transaction

    from portal.archive import pipeline, services
    from portal.archive.models import Line

    stored = stored_page(owner)
    page = browser_page
    open_as_owner(page, daphne_server, stored)
    count = len(line_ids(page))

    services.line_delete(line=Line.objects.filter(page=stored).order_by("order").last())
    with transaction.atomic():
        pipeline.page_pipeline_start(page=stored, steps=["prepare"], user=owner)
    page.wait_for_function(f"document.querySelectorAll('.line').length == {count - 1}", timeout=60_000)
    assert page.inner_text("#editor-status") == "The page was read again; its lines are reloaded."
    assert page.errors == []
