"""The shipped Latin model reads hands it never saw (the dataset's test documents) about as well as its card says."""

import pytest
import torch

from htr.evaluation import score_pages
from htr.images import load_image
from htr.metrics import evaluate_text
from htr.recognition import DEFAULT_MODEL, Recognizer
from htr.sources import iter_pages

TEST_DOCUMENTS = ("journal-mme-de-genlis", "le-sallon-de-1767-denis-diderot")
# Measured (README.md of the model, v8): CER 19.1 on the whole test split (greedy), 15.2 with beam 8 + the language
# model (v7: 19.7 / 16.0; v5: 21.5 / 18.5; v3: 23.0 / 19.7 and 45.2 on Genlis f15 alone; v2: 32.7 / 29.5 and 47.7 on the first two
# Genlis pages).
MAX_TEST_CER = 26.0
MAX_PAGE_CER = 52.0


def _read(shared, documents, pages=None, beam=0):
    torch.set_num_threads(2)
    found = [
        page
        for document in documents
        for i, page in enumerate(iter_pages(shared / "datasets" / "cremma-mss-18" / document))
        if pages is None or i < pages
    ]
    return score_pages(Recognizer.load(device="cpu"), found, beam=beam)


def test_the_shipped_model_is_a_small_safetensors_model_with_its_card():
    assert (DEFAULT_MODEL / "model.safetensors").stat().st_size < 8 * 2**20
    card = (DEFAULT_MODEL / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in card and "e4a89141807513b61c1f750d83da820314c777d8" in card
    assert (DEFAULT_MODEL / "training_curve.png").is_file()
    recognizer = Recognizer.load(device="cpu")
    assert recognizer.model.config.normalisation == "core"
    assert recognizer.language_model is not None and recognizer.language_model.lines > 1900


def test_the_shipped_model_reads_an_unseen_hand(shared):
    scores = _read(shared, TEST_DOCUMENTS[:1], pages=2)
    assert scores["lines"] > 30
    assert scores["cer"] < MAX_PAGE_CER


@pytest.mark.slow
def test_the_shipped_model_reads_the_whole_test_split_within_its_measured_cer(shared):
    scores = _read(shared, TEST_DOCUMENTS)
    assert scores["lines"] > 400
    assert scores["cer"] < MAX_TEST_CER


@pytest.mark.slow
def test_beam_search_with_the_language_model_reads_better_than_greedy(shared):
    greedy = _read(shared, TEST_DOCUMENTS[:1], pages=3)
    beam = _read(shared, TEST_DOCUMENTS[:1], pages=3, beam=8)
    assert beam["cer"] <= greedy["cer"] - 1.5


def test_read_lines_reads_whole_line_images_with_one_confidence_per_character(shared):
    from htr.formats import read_page

    torch.set_num_threads(2)
    stem = shared / "datasets" / "cremma-mss-18" / TEST_DOCUMENTS[0] / "f15"
    page, image = read_page(stem.with_suffix(".xml")), load_image(stem.with_suffix(".jpg"))
    crops = [image[y0:y1, x0:x1] for x0, y0, x1, y1 in (line.bbox for line in page.lines)]
    results = Recognizer.load(device="cpu").read_lines(crops, batch_size=8)
    assert len(results) == len(crops)
    assert all(len(text) == len(conf) and all(0 <= c <= 1 for c in conf) for text, conf in results)
    # Measured 47.8 on this page's bounding-box crops (neighbouring lines' ink included).
    assert evaluate_text([text for text, _ in results], [line.text for line in page.lines])["cer"] < 55
