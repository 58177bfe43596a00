"""The assistant in a real browser: pick a real manuscript page of the archive, ask when it was written, see the
dated line quoted and highlighted on the scan, click the quote to zoom to the line."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def genlis_page(shared, django_user_model):
    """Journal de Mme de Genlis f52 with its ALTO ground truth, stored through the archive's upload service."""
    from portal.archive.models import Document, Project
    from portal.archive.uploads import document_upload

    folder = shared / "datasets" / "cremma-mss-18" / "journal-mme-de-genlis"
    owner = django_user_model.objects.create_user("genlis-owner", password="pw-genlis-owner-1")
    document = Document.objects.create(
        project=Project.objects.create(name="Genlis", owner=owner),
        title="Journal de Mme de Genlis",
        is_public=True,
        created_by=owner,
    )
    files = [(name, (folder / name).read_bytes()) for name in ("f52.jpg", "f52.xml")]
    pages, _jobs = document_upload(document=document, files=files, user=owner)
    return pages[0]


def test_it_quotes_and_highlights_the_dated_line_of_a_real_page(daphne_server, browser_page, genlis_page):
    from portal.archive.models import Transcription

    dated = Transcription.objects.get(line__page=genlis_page, text="ce 30 mars 1778.").line
    page = browser_page
    page.goto(f"{daphne_server}/assistant/")
    assert "Archive reader" in page.get_by_test_id("backend").inner_text()
    page.select_option("select[name=page]", str(genlis_page.pk))
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/assistant/c/*/")
    page.wait_for_function("document.getElementById('scan').naturalWidth > 0")
    fit_scale = float(page.get_attribute("#viewer-inner", "data-scale"))

    page.fill("#question", "When was this written?")
    page.get_by_role("button", name="Ask").click()
    quote = page.locator(".evidence-list button.quote").first
    quote.wait_for(timeout=60_000)
    assert "ce 30 mars 1778." in quote.inner_text()
    assert "30 mars 1778" in page.locator("li.assistant .text").last.inner_text()
    highlighted = page.locator(f'#overlay polygon.evidence[data-key="line:{dated.pk}"]')
    assert highlighted.count() == 1

    quote.click()
    page.wait_for_selector(f'#overlay polygon.evidence.active[data-key="line:{dated.pk}"]')
    page.wait_for_function(f"parseFloat(document.getElementById('viewer-inner').dataset.scale) > {fit_scale * 1.5}")
    assert page.errors == []
