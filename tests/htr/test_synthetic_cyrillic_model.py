"""The shipped pre-reform Cyrillic recogniser: it reads synthetic lines, and an archive can fine-tune it on a
Digital Peter-style folder with the documented command."""

import json
from pathlib import Path

import pytest

from htr.cli import main as htr_main
from htr.formats.peter import read_peter
from htr.images import load_image
from htr.metrics import cer
from htr.recognition import Recognizer
from htr.synthetic import LineGenerator, write_lines

MODEL = Path(__file__).resolve().parents[2] / "htr" / "models" / "recognition-cyrillic"


@pytest.fixture
def bundled_fonts_only(tmp_path, monkeypatch):
    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "no-fetched-fonts"))
    monkeypatch.setenv("SKOROPIS_TEXTS", str(tmp_path / "no-fetched-texts"))


def test_the_model_card_states_its_held_out_cer():
    evaluation = json.loads((MODEL / "evaluation.json").read_text(encoding="utf-8"))
    card = (MODEL / "README.md").read_text(encoding="utf-8")
    held_out = evaluation["test_held_out_font"]
    assert evaluation["held_out_font"] not in evaluation["fonts"]
    assert f"{held_out['cer']:.1f}" in card
    for letter in "ѣіѳѵъ":
        assert letter in Recognizer.load(MODEL, device="cpu").charset


def test_it_reads_synthetic_pre_reform_lines(bundled_fonts_only, tmp_path):
    pairs = read_peter(write_lines(tmp_path / "lines", 12, LineGenerator("cyrillic", seed=11), layout="peter"))
    recognizer = Recognizer.load(MODEL, device="cpu")
    preds = [text for text, _ in recognizer.read_lines([load_image(path) for path, _ in pairs])]
    assert cer(preds, [text for _, text in pairs]) < 60.0


def test_it_fine_tunes_on_a_digital_peter_folder(bundled_fonts_only, tmp_path, capsys):
    folder = write_lines(tmp_path / "peter", 10, LineGenerator("cyrillic", seed=12), layout="peter")
    (folder / "words" / "000000.txt").write_text("+ Піотръ [ѣ]\n", encoding="utf-8")  # characters new to it
    out = tmp_path / "tuned"
    code = htr_main(
        [
            "train",
            "recognition",
            "--train",
            str(folder),
            "--base",
            str(MODEL),
            "--out",
            str(out),
            "--epochs",
            "1",
            "--batch-size",
            "4",
            "--workers",
            "2",
            "--synthetic",
            "6",
            "--synthetic-family",
            "gabriela",
            "--device",
            "cpu",
        ]
    )
    assert code == 0, capsys.readouterr().err
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert log["synthetic"] == {"lines": 6, "script": "cyrillic", "families": {"gabriela": 6}}
    tuned = Recognizer.load(out, device="cpu")
    base = Recognizer.load(MODEL, device="cpu")
    assert tuned.charset[: len(base.charset)] == base.charset
    assert {"+", "[", "]"} <= set(tuned.charset)
    text, confidences = tuned.read_lines([load_image(folder / "images" / "000001.jpg")])[0]
    assert len(confidences) == len(text)
