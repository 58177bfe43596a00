"""The shipped models read a real page of each training set's unseen split from the CLI within the measured
figures (one page a set here; benchmarks/htr_accuracy.py and the slow test give every page)."""

import json
import os
import subprocess
import sys

import pytest

from benchmarks.datasets import all_pages, pages
from tests.datasets import shared_dir
from tests.processes import REPO

# (set, split, page stem): the first val page of each set, and a Genlis page of cremma-mss-18's test hands.
PAGES = [
    ("cremma-mss-18", "test", "f15"),
    ("cremma-mss-18", "val", None),
    ("copiste-d-un-jour", "val", None),
    ("htromance-modern-fr", "val", None),
    ("cremma-mss-19", "val", None),
]
# End-to-end CER ceilings and detection F1 floors for these pages: measured with the shipped models (segmentation
# v2, recognition-latin v3, greedy) plus a margin of 5 points; v4 reads every set's val lines better (its card). Measured: f15 41.6 / 97.7; Candide 10_17b1d 14.5 /
# 97.6; imp_wikitexte_0057 57.6 / 100 (28.9 on its true lines: the found polygons take in more of the neighbours);
# HTRomance 50.6 / 97.7; cremma-mss-19 f136 22.2 / 98.0.
CEILINGS = {
    "cremma-mss-18/test": (46.6, 92.7),
    "cremma-mss-18/val": (19.5, 92.6),
    "copiste-d-un-jour/val": (62.6, 95.0),
    "htromance-modern-fr/val": (55.6, 92.7),
    "cremma-mss-19/val": (27.2, 93.0),
}


def evaluate_model(folder) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "htr", "evaluate", "model", "--data", str(folder), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "OMP_NUM_THREADS": "2"},
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize(("name", "split", "stem"), PAGES, ids=[f"{n}/{s}" for n, s, _ in PAGES])
def test_the_cli_reads_a_page_of_each_set_within_its_measured_figures(name, split, stem, tmp_path):
    shared_dir()
    xml = next(x for x in pages(name, split) if stem is None or x.stem == stem)
    for path in (xml, xml.with_suffix(".jpg")):
        os.symlink(path, tmp_path / path.name)
    report = evaluate_model(tmp_path)
    max_cer, min_f1 = CEILINGS[f"{name}/{split}"]
    assert report["detection"]["f1"] >= min_f1, report
    assert report["end_to_end"]["cer"] <= max_cer, report


@pytest.mark.slow
def test_every_unseen_split_reads_within_the_model_cards_figures(tmp_path):
    """Recognition on the true lines of every val/test split, greedy, within 2 points of the model card's table."""
    card = {  # v8's "CER greedy" column
        "cremma-mss-18/test": 19.1,
        "cremma-mss-18/val": 12.7,
        "copiste-d-un-jour/val": 13.7,
        "htromance-modern-fr/val": 40.75,
        "cremma-mss-19/val": 22.0,
    }
    for split in ("val", "test"):
        for name, files in all_pages(split).items():
            folder = tmp_path / f"{name}-{split}"
            folder.mkdir()
            for xml in files:
                for path in (xml, xml.with_suffix(".jpg")):
                    os.symlink(path, folder / path.name)
            report = evaluate_model(folder)
            assert report["ground_truth_lines"]["cer"] <= card[f"{name}/{split}"] + 2, (name, split, report)
