import os
from pathlib import Path

import pytest

from htr.formats import read_page
from htr.formats.peter import read_peter, write_peter_line
from htr.formats.tsv import read_tsv, write_tsv
from htr.images import load_image
from htr.sources import (
    LineSample,
    SourceError,
    iter_pages,
    load_line_samples,
    source_kind,
    split_holdout,
)

CANDIDE = "candide-ou-l-optismime-par-voltaire"


def page_folder(shared: Path, tmp_path: Path, n: int = 2) -> Path:
    """A folder of real pages (image + ALTO), linked from the dataset."""
    folder = tmp_path / "pages"
    folder.mkdir()
    for xml in sorted((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.xml"))[:n]:
        for f in (xml, xml.with_suffix(".jpg")):
            os.symlink(f, folder / f.name)
    return folder


def line_crops(shared: Path, count: int = 4):
    """(stem, crop, text) of real lines cut from a dataset page by their bounding boxes."""
    xml = min((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.xml"))
    page, image = read_page(xml), load_image(xml.with_suffix(".jpg"))
    out = []
    for i, line in enumerate(page.lines[:count]):
        x0, y0, x1, y1 = line.bbox
        out.append((f"{xml.stem}_{i}", image[y0:y1, x0:x1], line.text))
    return out


def test_a_digital_peter_folder_gives_one_sample_per_line_image(shared, tmp_path):
    crops = line_crops(shared)
    for stem, crop, text in crops:
        write_peter_line(tmp_path / "peter", stem, crop, text)
    assert source_kind(tmp_path / "peter") == "peter"
    samples = load_line_samples([tmp_path / "peter"])
    assert [s.text for s in samples] == [text for _, _, text in crops]
    assert all(s.line is None and s.image.parent.name == "images" for s in samples)
    assert load_image(samples[0].image).shape[:2] == crops[0][1].shape[:2]


def test_a_peter_image_without_its_text_is_an_error(shared, tmp_path):
    for stem, crop, text in line_crops(shared, 2):
        write_peter_line(tmp_path, stem, crop, text)
    next((tmp_path / "words").glob("*.txt")).unlink()
    with pytest.raises(ValueError, match="1 line image\\(s\\) without words/"):
        read_peter(tmp_path)


def test_a_tsv_manifest_names_images_relative_to_itself(shared, tmp_path):
    crops = line_crops(shared, 3)
    rows = [(write_peter_line(tmp_path / "data", stem, crop, text), text) for stem, crop, text in crops]
    manifest = write_tsv(tmp_path / "data" / "lines.tsv", rows)
    assert manifest.read_text().splitlines()[0].startswith("images/")
    assert read_tsv(manifest) == [(manifest.parent / "images" / f"{stem}.jpg", t) for stem, _, t in crops]
    samples = load_line_samples([manifest])
    assert [s.text for s in samples] == [t for _, _, t in crops] and samples[0].line is None


def test_a_tsv_manifest_with_a_missing_image_or_no_tab_is_an_error(tmp_path):
    (tmp_path / "bad.tsv").write_text("nowhere.jpg\tbonjour\n")
    with pytest.raises(ValueError, match="1 image\\(s\\) not found, e.g. nowhere.jpg"):
        read_tsv(tmp_path / "bad.tsv")
    (tmp_path / "notab.tsv").write_text("# comment\n\nline.jpg bonjour\n")
    with pytest.raises(ValueError, match="notab.tsv:3: expected 'image<TAB>text'"):
        read_tsv(tmp_path / "notab.tsv")


def test_a_page_folder_gives_pages_and_their_transcribed_lines(shared, tmp_path):
    folder = page_folder(shared, tmp_path)
    pages = list(iter_pages(folder))
    assert [image.name for image, _ in pages] == sorted(p.name for p in folder.glob("*.jpg"))
    one = next(folder.glob("*.xml"))
    assert [image for image, _ in iter_pages(one)] == [one.with_suffix(".jpg")]
    samples = load_line_samples([folder])
    expected = [ln for _, page in pages for ln in page.lines if ln.text.strip()]
    assert [s.line for s in samples] == expected
    assert all(isinstance(s, LineSample) and s.image.suffix == ".jpg" for s in samples)


def test_segmentation_sources_need_page_level_ground_truth(shared, tmp_path):
    for stem, crop, text in line_crops(shared, 1):
        write_peter_line(tmp_path / "peter", stem, crop, text)
    with pytest.raises(SourceError, match="line images only"):
        list(iter_pages(tmp_path / "peter"))


def test_missing_empty_and_unknown_sources_are_errors(shared, tmp_path):
    with pytest.raises(SourceError, match="no such file or folder"):
        load_line_samples([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no ALTO/PAGE XML, images/ \\+ words/ or manifest inside"):
        load_line_samples([tmp_path / "empty"])
    with pytest.raises(SourceError, match="neither a .tsv manifest nor a page XML"):
        source_kind(next((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.jpg")))
    with pytest.raises(SourceError, match="no training data given"):
        load_line_samples([])
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    xml = next((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.xml"))
    os.symlink(xml, lonely / "page.xml")
    with pytest.raises(SourceError, match="no page image beside it"):
        list(iter_pages(lonely))


def test_the_holdout_keeps_the_lines_of_one_page_together(shared, tmp_path):
    samples = load_line_samples([page_folder(shared, tmp_path, n=5)])
    train, val = split_holdout(samples, share=0.2, seed=1)
    assert len(train) + len(val) == len(samples) and val and train
    assert not {s.image for s in train} & {s.image for s in val}
    assert split_holdout(samples, share=0.2, seed=1) == (train, val)
    assert 0.1 * len(samples) <= len(val) <= 0.5 * len(samples)


def test_the_holdout_splits_by_line_when_there_is_one_image():
    samples = [LineSample(Path("one.jpg"), None, str(i)) for i in range(20)]
    train, val = split_holdout(samples, share=0.1)
    assert (len(train), len(val)) == (18, 2)
    with pytest.raises(SourceError, match="too few"):
        split_holdout(samples[:1])
