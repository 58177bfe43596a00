import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from htr.formats import read_page, write_page
from htr.lines import Line, Page
from htr.metrics import cer, evaluate_detection, evaluate_pages, evaluate_text, wer


def box(x0, y0, x1, y1, text="", id="l"):
    return Line(id, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], [], text)


def test_cer_and_wer_are_summed_edit_distances_over_truth_length_in_percent():
    assert cer("abd", "abc") == pytest.approx(100 / 3)
    assert wer("le chat dort", "le chien dort") == pytest.approx(100 / 3)
    # Summed over lines, not averaged: 1 error in 10 chars and 1 in 2 chars is 2/12.
    assert cer(["abcdefghiX", "aY"], ["abcdefghij", "ab"]) == pytest.approx(100 * 2 / 12)


def test_text_is_compared_after_nfc_and_whitespace_collapse():
    decomposed = unicodedata.normalize("NFD", "été")
    assert cer(f"  {decomposed}   et\tplus ", "été et plus") == 0


def test_evaluate_text_reports_the_share_of_exact_lines():
    report = evaluate_text(["un", "deux", "trois"], ["un", "deux", "troix"])
    assert report["string_accuracy"] == pytest.approx(200 / 3)
    assert (report["lines"], report["char_errors"], report["chars"]) == (3, 1, 11)
    with pytest.raises(ValueError, match="2 predicted lines for 1"):
        evaluate_text(["a", "b"], ["a"])


def test_an_empty_truth_does_not_divide_by_zero():
    assert evaluate_text([""], [""])["cer"] == 0
    assert cer("abc", "") == 300


def test_detection_counts_one_to_one_matches_at_half_overlap():
    truth = [box(0, 0, 100, 10, id="a"), box(0, 20, 100, 30, id="b")]
    same = evaluate_detection(truth, truth)
    assert (same["precision"], same["recall"], same["f1"]) == (100, 100, 100)
    # One predicted line covering both: overlaps each (IoU < 0.5 with each) so it counts as a false positive.
    merged = evaluate_detection([box(0, 0, 100, 30)], truth)
    assert (merged["matched"], merged["precision"], merged["recall"]) == (0, 0, 0)
    # Two predictions on one truth line: only one may match.
    doubled = evaluate_detection([box(0, 0, 100, 10), box(2, 0, 100, 10)], truth[:1])
    assert (doubled["matched"], doubled["precision"]) == (1, 50)


def test_predictions_that_touch_no_ground_truth_are_ignored():
    truth = [box(0, 0, 100, 10)]
    report = evaluate_detection([box(0, 0, 100, 10), box(500, 500, 600, 510)], truth)
    assert (report["pred_lines"], report["pred_lines_scored"], report["precision"]) == (
        2,
        1,
        100,
    )


def test_a_line_without_polygon_is_its_buffered_baseline():
    truth = [box(0, 0, 100, 40), Line("b", [], [(0, 100), (300, 100)])]
    # Both baselines become 20 px bands (40 / 4 = 10 each side): 4 px apart IoU ~ 0.67, 10 px apart ~ 0.33.
    assert evaluate_detection([Line("p", [], [(0, 104), (300, 104)])], truth)["matched"] == 1
    assert evaluate_detection([Line("p", [], [(0, 110), (300, 110)])], truth)["matched"] == 0


def test_end_to_end_reading_counts_missed_lines_and_insertions():
    truth = Page(
        "p.jpg",
        200,
        200,
        [box(0, 0, 100, 10, "bonjour"), box(0, 20, 100, 30, "madame")],
    )
    pred = Page("p.jpg", 200, 200, [box(0, 0, 100, 10, "bonjour"), box(0, 15, 100, 40, "xx")])
    reading = evaluate_pages([pred], [truth])["reading"]
    # "madame" unmatched (IoU 0.4): 6 deletions; the overlapping unmatched "xx" adds 2 insertions.
    assert (reading["char_errors"], reading["chars"]) == (8, 13)
    assert evaluate_pages([None], [truth])["reading"]["cer"] == 100


def page_of(*lines: Line) -> Page:
    return Page("p.jpg", 400, 200, list(lines))


def test_a_line_found_in_pieces_is_read_as_its_pieces_joined_in_order_along_it():
    truth = page_of(box(0, 0, 200, 10, "bonjour madame"))
    # Two halves (IoU 0.475 each: neither matches), given right half first.
    pred = page_of(box(105, 0, 200, 10, "madame"), box(0, 0, 95, 10, "bonjour"))
    scores = evaluate_pages([pred], [truth])
    assert (scores["reading"]["char_errors"], scores["reading"]["chars"]) == (14 + 13, 14)
    assert (scores["reading_joined"]["char_errors"], scores["reading_joined"]["chars"]) == (0, 14)
    assert scores["detection"]["matched"] == 0  # detection stays as strict as the reference's


def test_a_piece_beside_a_matched_line_is_part_of_its_reading_not_an_insertion():
    truth = page_of(box(0, 0, 200, 10, "bonjour madame"))
    pred = page_of(box(0, 0, 150, 10, "bonjour mad"), box(150, 0, 200, 10, "ame"))
    scores = evaluate_pages([pred], [truth])
    assert scores["reading"]["char_errors"] == 3 + 3
    assert scores["reading_joined"]["char_errors"] == 1  # the space between the pieces


def test_lines_found_as_one_are_read_against_their_texts_joined():
    truth = page_of(box(0, 0, 100, 10, "un"), box(0, 12, 100, 22, "deux"), box(0, 60, 100, 70, "trois"))
    pred = page_of(box(0, 0, 100, 22, "un deux"), box(0, 60, 100, 70, "trois"))
    scores = evaluate_pages([pred], [truth])
    assert scores["reading"]["char_errors"] == 2 + 4 + 7  # IoU 0.45 each: two misses, one insertion
    joined = scores["reading_joined"]
    assert (joined["char_errors"], joined["chars"], joined["lines"], joined["string_accuracy"]) == (0, 11, 3, 100)


def test_a_line_found_over_nothing_transcribed_is_still_an_insertion_when_joined():
    truth = page_of(box(0, 0, 100, 10, "bonjour"))
    pred = page_of(box(0, 0, 100, 10, "bonjour"), box(0, 8, 100, 30, "xx"))
    assert evaluate_pages([pred], [truth])["reading_joined"]["char_errors"] == 2


def test_skip_empty_scores_neither_a_textless_true_line_nor_what_was_found_over_it():
    truth = page_of(box(0, 0, 100, 10, "bonjour"), box(0, 40, 100, 50, ""))
    pred = page_of(box(0, 0, 100, 10, "bonjour"), box(0, 40, 100, 50, "wikitexte_0017"))
    for key in ("reading", "reading_joined"):
        assert evaluate_pages([pred], [truth])[key]["char_errors"] == 14
        skipped = evaluate_pages([pred], [truth], skip_empty=True)[key]
        assert (skipped["char_errors"], skipped["chars"], skipped["lines"]) == (0, 7, 1)


# Agreement with the reference evaluator ------------------------------------------------------------------------


def perturbed(page: Page, rng: random.Random) -> Page:
    """A plausible prediction: lines dropped, shifted, without polygon, misread; a stamp; a self-crossing shape."""
    lines = []
    for line in page.lines:
        r = rng.random()
        if r < 0.1:
            continue
        dx = rng.randint(-40, 40)
        polygon = [(x + dx, y + rng.randint(-4, 4)) for x, y in line.polygon] if r >= 0.2 else []
        text = line.text[::-1] if r > 0.9 else line.text.replace("e", "c") if r > 0.7 else line.text
        lines.append(Line(line.id, polygon, line.baseline, text))
    lines.append(box(0, 0, 5, 5, "stamp", "stamp"))
    lines.append(Line("bow", [(100, 300), (900, 600), (900, 300), (100, 600)], [], "bowtie"))
    return Page(page.image, page.width, page.height, lines)


def htreval(shared: Path, *args: Path) -> dict:
    script = shared / "bench" / "htreval.py"
    done = subprocess.run(
        [sys.executable, str(script), *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_page_figures_agree_with_htreval(shared, tmp_path):
    rng = random.Random(7)
    files = sorted((shared / "datasets" / "cremma-mss-18").glob("journal-mme-de-genlis/*.xml"))[:3]
    files += sorted((shared / "datasets" / "cremma-mss-18").glob("le-sallon-de-1767-denis-diderot/*.xml"))[:2]
    truths, preds = [], []
    for i, path in enumerate(files):
        truth = read_page(path)
        write_page(truth, tmp_path / "gt" / f"{path.stem}.xml", "alto")
        pred = perturbed(truth, rng)
        fmt = ("alto", "page", "json")[i % 3]
        write_page(
            pred,
            tmp_path / "pred" / f"{path.stem}{'.json' if fmt == 'json' else '.xml'}",
            fmt,
        )
        truths.append(truth)
        preds.append(pred)
    # one page without any prediction
    truths.append(read_page(max(path.parent.glob("*.xml"))))
    write_page(truths[-1], tmp_path / "gt" / "unpredicted.xml", "alto")
    preds.append(None)

    ours = evaluate_pages(preds, truths)
    seg, page = (
        htreval(shared, "seg", tmp_path / "gt", tmp_path / "pred"),
        htreval(shared, "page", tmp_path / "gt", tmp_path / "pred"),
    )
    det = ours["detection"]
    assert (det["matched"], det["truth_lines"], det["pred_lines_scored"]) == (
        seg["matched"],
        seg["gt_lines"],
        seg["pred_lines_scored"],
    )
    assert seg["matched"] > 0 and seg["pred_lines_scored"] < sum(len(p.lines) for p in preds if p)
    for ours_key, ref_key in (
        ("precision", "precision"),
        ("recall", "recall"),
        ("f1", "F1"),
    ):
        assert round(det[ours_key], 2) == seg[ref_key]
    reading = ours["reading"]
    assert reading["lines"] == page["lines"]
    for ours_key, ref_key in (
        ("cer", "CER"),
        ("wer", "WER"),
        ("string_accuracy", "string_accuracy"),
    ):
        assert round(reading[ours_key], 3) == page[ref_key]


def test_line_figures_agree_with_htreval(shared, tmp_path):
    truth = [
        line.text
        for path in sorted((shared / "datasets" / "cremma-mss-18").glob("candide*/*.xml"))
        for line in read_page(path).lines
    ]
    rng = random.Random(3)
    pred = [
        t if rng.random() < 0.4 else t.replace("a", "o").replace(" ", "  ") + rng.choice(["", ".", " x"]) for t in truth
    ]
    pred[0] = unicodedata.normalize("NFD", pred[0])
    (tmp_path / "truth.tsv").write_text("".join(f"{i}\t{t}\n" for i, t in enumerate(truth)), encoding="utf-8")
    (tmp_path / "pred.tsv").write_text("".join(f"{i}\t{p}\n" for i, p in enumerate(pred)), encoding="utf-8")
    ref = htreval(shared, "lines", tmp_path / "truth.tsv", tmp_path / "pred.tsv")
    ours = evaluate_text(pred, truth)
    assert ours["lines"] == ref["lines"] == len(truth)
    assert 0 < ref["CER"] < 100
    for ours_key, ref_key in (
        ("cer", "CER"),
        ("wer", "WER"),
        ("string_accuracy", "string_accuracy"),
    ):
        assert round(ours[ours_key], 3) == ref[ref_key]
