"""Synthetic line generation: rendering, the manifest and Digital Peter layouts, and clear font errors."""

import random

import numpy as np
import pytest
from PIL import Image

from htr.formats.peter import read_peter
from htr.formats.tsv import read_tsv
from htr.synthetic import FontsMissing, LineGenerator, write_lines
from htr.synthetic import fonts as fonts_module
from htr.synthetic.__main__ import main
from htr.synthetic.fonts import find_families
from htr.synthetic.render import render_mask
from htr.synthetic.texts import CHARSETS, TextSource


@pytest.fixture
def bundled_fonts_only(tmp_path, monkeypatch):
    """Only the OFL font shipped in the repo, whatever fonts this machine has fetched."""
    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "no-fetched-fonts"))
    monkeypatch.setenv("SKOROPIS_TEXTS", str(tmp_path / "no-fetched-texts"))


def test_it_renders_a_prereform_line_at_a_sane_size(bundled_fonts_only):
    family = find_families("cyrillic")[0]
    mask = render_mask("Побѣда надъ Ѳеодоромъ: мѵро, Россія 1709", family, 40, random.Random(0))
    assert mask.dtype == np.float32
    assert 40 <= mask.shape[0] <= 100
    assert mask.shape[1] > 10 * mask.shape[0]
    assert mask.max() > 0.9 and mask.mean() < 0.5


def test_it_writes_a_manifest_that_the_trainer_reads(bundled_fonts_only, tmp_path):
    generator = LineGenerator("cyrillic", seed=3)
    seen = []
    manifest = write_lines(
        tmp_path / "synth",
        6,
        generator,
        on_progress=lambda done, total: seen.append(done),
    )
    rows = read_tsv(manifest)
    assert len(rows) == 6 and seen == [1, 2, 3, 4, 5, 6]
    for image_path, text in rows:
        assert text and set(text) <= CHARSETS["cyrillic"]
        with Image.open(image_path) as image:
            width, height = image.size
            assert image.mode == "RGB" and 48 <= height <= 96 and width > height
    assert (tmp_path / "synth" / "generation.json").is_file()


def test_it_writes_the_digital_peter_layout(bundled_fonts_only, tmp_path):
    write_lines(tmp_path / "peter", 3, LineGenerator("cyrillic", seed=4), layout="peter")
    pairs = read_peter(tmp_path / "peter")
    assert len(pairs) == 3 and all(text for _, text in pairs)


def test_the_same_seed_draws_the_same_lines(bundled_fonts_only):
    a, b = (
        LineGenerator("cyrillic", seed=7).sample(),
        LineGenerator("cyrillic", seed=7).sample(),
    )
    assert a.text == b.text and np.array_equal(a.image, b.image)


def test_built_in_vocabulary_keeps_the_rare_letters_when_no_texts_are_installed(
    bundled_fonts_only,
):
    source = TextSource("cyrillic")
    assert source.sources == [] and source.built_in_share == 1.0
    rng = random.Random(0)
    text = " ".join(source.sample(rng) for _ in range(300))
    for letter in "ѣѳі":
        assert letter in text


def test_it_converts_modern_text_files(bundled_fonts_only, tmp_path):
    corpus = tmp_path / "modern.txt"
    corpus.write_text("Человек увидел белый снег на реке и сказал нет.\n", encoding="utf-8")
    line = TextSource("cyrillic", [corpus], built_in_share=0.0).sample(random.Random(1), 60, 60)
    assert "Человѣкъ" in line or "снѣгъ" in line or "нѣтъ" in line


def test_it_says_how_to_get_fonts_when_there_are_none(tmp_path, monkeypatch):
    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "nothing"))
    monkeypatch.setattr(fonts_module, "BUNDLED_FONTS", tmp_path / "nothing-bundled")
    with pytest.raises(FontsMissing, match="fetch_fonts.sh"):
        find_families("cyrillic")


def test_it_names_a_missing_font_family(bundled_fonts_only):
    with pytest.raises(FontsMissing, match="no-such-hand"):
        LineGenerator("cyrillic", families=["no-such-hand"])


def test_cli_reports_missing_fonts_as_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "nothing"))
    monkeypatch.setattr(fonts_module, "BUNDLED_FONTS", tmp_path / "nothing-bundled")
    assert main(["--out", str(tmp_path / "out"), "--lines", "2"]) == 2
    assert "fetch_fonts.sh" in capsys.readouterr().err


def test_it_draws_latin_lines_from_a_given_text_file(bundled_fonts_only, tmp_path):
    corpus = tmp_path / "fr.txt"
    corpus.write_text(
        "Le salon de mil sept cent soixante-sept, par Denis Diderot.\n",
        encoding="utf-8",
    )
    sample = LineGenerator("latin", text_files=[corpus], seed=5).sample()
    assert sample.text and set(sample.text) <= CHARSETS["latin"]
    assert sample.image.ndim == 3 and sample.image.shape[0] >= 48


def test_it_refuses_latin_without_any_text(bundled_fonts_only):
    with pytest.raises(FileNotFoundError, match="fetch_texts.sh"):
        LineGenerator("latin")


def test_ink_lines_look_like_lines_cut_from_a_page(bundled_fonts_only):
    passage = "Le salon de mil sept cent soixante-sept, par Denis Diderot, à son ami Grimm."
    generator = LineGenerator("latin", passages=[passage], seed=2)
    assert generator.texts.sources == ["given passages"]
    for _ in range(5):
        sample = generator.sample_ink()
        ink = sample.image
        assert ink.ndim == 2 and ink.dtype == np.uint8
        # Bare ink on a 0 background, stroke cores at full strength, cropped close to the writing.
        assert ink.max() == 255 and np.median(ink) < 40
        assert ink[:, :2].max() < 60 and ink[:, -2:].max() < 60
        assert ink.shape[1] > 2 * ink.shape[0]
        assert sample.text and all(word in passage for word in sample.text.split())
