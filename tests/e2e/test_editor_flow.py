"""The archivist's whole path in a real browser: log in, create a document, upload a real page, watch it being
processed over the websocket, correct a line with the keyboard only, reload, and find the correction in the ALTO export.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from tests.datasets import cremma_page
from tests.factories import make_user_for_the_server

pytestmark = [pytest.mark.timeout(300), pytest.mark.django_db(transaction=True)]

PASSWORD = "archivist-pw-2024"
CORRECTION = "voici celles qui m'ont le [corrigé ѣ]"
REPO = Path(__file__).resolve().parents[2]


def cremma_test_page(folder: str = "journal-mme-de-genlis", stem: str = "f15") -> tuple[Path, Path]:
    """(image, ALTO) of a page of the CREMMA-MSS-18 test split."""
    return cremma_page(folder, stem)


def test_an_archivist_corrects_a_line_with_the_keyboard_and_finds_it_in_the_alto_export(daphne_server, browser_page):
    make_user_for_the_server("archivist", PASSWORD)
    image, _alto = cremma_test_page()
    page = browser_page
    base = daphne_server
    frames: list[dict] = []
    tiles: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(json.loads(data))))
    page.on("response", lambda r: tiles.append(r.status) if "/tiles/" in r.url else None)

    # Log in, create a project and a document through the forms.
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", "archivist")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit].primary")
    page.wait_for_url(base + "/")
    page.click("summary:has-text('New project')")
    page.fill("#id_name", "Fonds Genlis")
    page.click("button:has-text('Create project')")
    page.fill("#document-create #id_title", "Journal de Mme de Genlis")
    page.click("button:has-text('Create document')")
    page.wait_for_selector("#dropzone")
    document_id = int(re.search(r"/documents/(\d+)/", page.url).group(1))
    page.wait_for_selector("body[data-socket=open]")

    # Upload the bare scan: the worker prepares it, finds its lines and reads them with the shipped models, and the
    # document page follows the job over the websocket. (Uploads with ground-truth ALTO: test_editor_tools.py.)
    page.set_input_files("#upload-input", [str(image)])
    card = page.wait_for_selector(".page-card[data-page-id]", timeout=60_000)
    page_id = int(card.get_attribute("data-page-id"))
    page.wait_for_selector(
        f".page-card[data-page-id='{page_id}'][data-state=done][data-job-status=done]", timeout=120_000
    )
    assert page.eval_on_selector("#upload-progress", "e => e.value") == 100
    job_events = [f for f in frames if f.get("type") == "job" and f.get("target") == f"archive.page:{page_id}"]
    assert job_events and job_events[-1]["status"] == "done" and job_events[-1]["percent"] == 100
    page_events = [f for f in frames if f.get("type") == "page" and f.get("id") == page_id]
    assert page_events[-1]["state"] == "done" and page_events[-1]["lines"] > 3
    assert frames[0]["type"] == "document.state" and frames[0]["document"] == document_id

    # The editor: tiles of the page image, the lines beside it, the first line focused.
    page.click(f".page-card[data-page-id='{page_id}'] .page-title")
    page.wait_for_selector("body[data-loaded='1']")
    page.wait_for_selector("#viewer[data-ready='1']")
    page.wait_for_function("document.activeElement && document.activeElement.classList.contains('line-text')")
    lines = page.query_selector_all(".line")
    assert len(lines) > 3
    assert page.eval_on_selector_all(".line-overlay polygon.line-shape", "els => els.length") == len(lines)
    first = page.evaluate("document.activeElement.closest('.line').dataset.lineId")
    assert first == lines[0].get_attribute("data-line-id")

    # Keyboard only: ↓ ↓ to the third line, retype it, undo a slip with Ctrl+Z, Enter saves and moves on.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    third = lines[2].get_attribute("data-line-id")
    assert page.evaluate("document.activeElement.closest('.line').dataset.lineId") == third
    assert page.get_attribute(f"polygon[data-line-id='{third}']", "class") == "line-shape active"
    page.keyboard.press("Control+A")
    page.keyboard.type(CORRECTION)
    time.sleep(1.2)  # a pause ends one undo step
    page.keyboard.type(" zzz")
    page.keyboard.press("Control+Z")
    assert page.input_value(f".line[data-line-id='{third}'] .line-text") == CORRECTION
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.closest('.line').dataset.lineId") == lines[3].get_attribute(
        "data-line-id"
    )
    page.wait_for_selector(f".line[data-line-id='{third}'].saved:not(.saving)")
    assert page.inner_text("#editor-status") == "Saved."
    assert tiles and all(status == 200 for status in tiles)

    # Reload: the correction is what the server holds now.
    page.reload()
    page.wait_for_selector("body[data-loaded='1']")
    assert page.input_value(f".line[data-line-id='{third}'] .line-text") == CORRECTION

    # Export the document as ALTO from its page and find the corrected line in it.
    page.goto(f"{base}/documents/{document_id}/")
    href = page.get_attribute("a:has-text('ALTO')", "href")
    assert href == f"/api/documents/{document_id}/export/?format=alto"
    response = page.request.get(base + href)  # the browser's own session
    assert response.status == 200, response.text()
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    xml_names = [name for name in archive.namelist() if name.endswith(".xml")]
    assert len(xml_names) == 1
    tree = etree.fromstring(archive.read(xml_names[0]))
    texts = [" ".join(s.get("CONTENT") for s in line.iter("{*}String")) for line in tree.iter("{*}TextLine")]
    assert CORRECTION in texts
    assert page.errors == []
