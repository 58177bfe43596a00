"""`python -m htr` as a user runs it: real pages, real (small, untrained) models, real files written."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from htr.cli import main
from htr.formats import read_page, write_page
from htr.formats.peter import write_peter_line
from htr.images import load_image

REPO = Path(__file__).resolve().parents[2]
CANDIDE = "candide-ou-l-optismime-par-voltaire"


def htr(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "htr", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture
def pages(shared, tmp_path) -> Path:
    """Two real pages (image + ALTO ground truth) in a folder of their own."""
    folder = tmp_path / "gt"
    folder.mkdir()
    for xml in sorted((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.xml"))[:2]:
        os.symlink(xml, folder / xml.name)
        os.symlink(xml.with_suffix(".jpg"), folder / f"{xml.stem}.jpg")
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    """Freshly initialised models: the CLI path is real, only the weights are untrained."""
    import torch

    from htr.recognition.model import LineRecognizer, RecognizerConfig
    from htr.segmentation.model import LineMapNet, SegmentationConfig

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models")
    LineMapNet(SegmentationConfig(long_side=512)).save_pretrained(folder / "seg")
    LineRecognizer(RecognizerConfig(charset=list("abcdefghijklmnopqrstuvwxyz "))).save_pretrained(folder / "rec")
    return folder


def test_reading_a_missing_image_fails_with_one_clear_line(tmp_path):
    done = htr("read", "missing.jpg", "--out", str(tmp_path / "d"), cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr == "htr: error: no such image file: missing.jpg\n"


def test_a_file_that_is_not_an_image_is_refused_before_any_model_loads(tmp_path, capsys):
    (tmp_path / "notes.jpg").write_text("not a picture")
    assert (
        main(
            [
                "segment",
                str(tmp_path / "notes.jpg"),
                "--out",
                str(tmp_path / "d"),
                "--model",
                str(tmp_path / "no-model"),
            ]
        )
        == 1
    )
    assert "cannot read image" in capsys.readouterr().err


def test_an_unknown_output_format_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["segment", "page.jpg", "--out", str(tmp_path), "--format", "hocr"])
    assert exit.value.code == 2
    assert "invalid choice: 'hocr'" in capsys.readouterr().err


def test_a_missing_model_is_one_clear_line(pages, tmp_path, capsys):
    image = next(pages.glob("*.jpg"))
    assert (
        main(
            [
                "segment",
                str(image),
                "--out",
                str(tmp_path / "d"),
                "--model",
                str(tmp_path / "no-model"),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("htr: error: ") and "no-model" in err and "Traceback" not in err


def test_segmentation_training_refuses_line_image_sources(shared, tmp_path, capsys):
    xml = next((shared / "datasets" / "cremma-mss-18" / CANDIDE).glob("*.xml"))
    line = read_page(xml).lines[0]
    x0, y0, x1, y1 = line.bbox
    write_peter_line(
        tmp_path / "peter",
        "l0",
        load_image(xml.with_suffix(".jpg"))[y0:y1, x0:x1],
        line.text,
    )
    code = main(
        [
            "train",
            "segmentation",
            "--train",
            str(tmp_path / "peter"),
            "--out",
            str(tmp_path / "m"),
            "--epochs",
            "1",
        ]
    )
    assert code == 1
    assert "segmentation training needs page images" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_segment_writes_one_alto_file_per_image(pages, models, tmp_path):
    images = sorted(pages.glob("*.jpg"))
    done = htr(
        "segment",
        *map(str, images),
        "--out",
        str(tmp_path / "out"),
        "--model",
        str(models / "seg"),
        "--device",
        "cpu",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{p.stem}.xml" for p in images]
    page = read_page(tmp_path / "out" / f"{images[0].stem}.xml")
    height, width = load_image(images[0]).shape[:2]
    assert (page.image, page.width, page.height) == (images[0].name, width, height)


def test_read_on_given_lines_then_evaluate_text(pages, models, tmp_path):
    image = min(pages.glob("*.jpg"))
    done = htr(
        "read",
        str(image),
        "--lines",
        str(pages),
        "--rec-model",
        str(models / "rec"),
        "--out",
        str(tmp_path / "out"),
        "--format",
        "json",
        "--device",
        "cpu",
    )
    assert done.returncode == 0, done.stderr
    read = read_page(tmp_path / "out" / f"{image.stem}.json")
    truth = read_page(image.with_suffix(".xml"))
    assert [ln.polygon for ln in read.lines] == [ln.polygon for ln in truth.lines]
    assert all(len(ln.confidences) == len(ln.text) for ln in read.lines)
    assert any(ln.text for ln in read.lines)

    done = htr(
        "evaluate",
        "text",
        "--pred",
        str(tmp_path / "out"),
        "--truth",
        str(pages),
        "--json",
    )
    report = json.loads(done.stdout)["text"]
    assert (report["pages"], report["pages_without_prediction"]) == (2, 1)
    assert report["lines"] == sum(len(read_page(p).lines) for p in pages.glob("*.xml"))
    assert report["cer"] > 50  # untrained weights read nonsense


def test_evaluate_lines_prints_the_reference_figures(shared, pages, tmp_path, capsys):
    for xml in pages.glob("*.xml"):
        page = read_page(xml)
        page.lines = page.lines[::2]  # half the lines found, the text of every third one wrong
        for line in page.lines[::3]:
            line.text = line.text.upper()
        write_page(page, tmp_path / "pred" / xml.name, "page")
    evaluate = ["evaluate", "lines", "--pred", str(tmp_path / "pred"), "--truth", str(pages)]
    assert main([*evaluate, "--json"]) == 0
    ours = json.loads(capsys.readouterr().out)
    script = shared / "bench" / "htreval.py"
    ref = {
        cmd: json.loads(
            subprocess.run(
                [sys.executable, str(script), cmd, str(pages), str(tmp_path / "pred")],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for cmd in ("seg", "page")
    }
    assert round(ours["detection"]["precision"], 2) == ref["seg"]["precision"] == 100
    assert round(ours["detection"]["recall"], 2) == ref["seg"]["recall"]
    assert round(ours["detection"]["f1"], 2) == ref["seg"]["F1"]
    assert round(ours["end_to_end"]["cer"], 3) == ref["page"]["CER"]
    assert round(ours["end_to_end"]["wer"], 3) == ref["page"]["WER"]

    assert main(evaluate) == 0
    table = capsys.readouterr().out
    assert "detection" in table and "end to end" in table and f"{ref['seg']['F1']:.2f}" in table


def test_evaluate_model_scores_ground_truth_lines_and_end_to_end(pages, models, capsys):
    for xml in sorted(pages.glob("*.xml"))[1:]:  # one page is enough here
        xml.unlink()
        xml.with_suffix(".jpg").unlink()
    truth = read_page(next(pages.glob("*.xml")))
    code = main(
        [
            "evaluate",
            "model",
            "--rec-model",
            str(models / "rec"),
            "--seg-model",
            str(models / "seg"),
            "--data",
            str(pages),
            "--device",
            "cpu",
            "--json",
        ]
    )
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {
        "ground_truth_lines",
        "detection",
        "end_to_end",
        "end_to_end_joined",
        "seconds_per_page",
    }
    from htr.recognition import Recognizer

    model_text = Recognizer.load(models / "rec", device="cpu").model_text
    read = [line for line in truth.lines if model_text(line.text)]
    assert report["ground_truth_lines"]["lines"] == len(read)
    assert report["detection"]["truth_lines"] == len(truth.lines)
    assert report["end_to_end"]["lines"] == len(read)
    assert (
        report["end_to_end"]["chars"] == report["end_to_end_joined"]["chars"] == report["ground_truth_lines"]["chars"]
    )
    assert report["seconds_per_page"]["read"] > 0


def test_synthetic_lines_without_fonts_are_a_clear_error(shared, tmp_path, monkeypatch, capsys):
    from htr.synthetic import fonts as fonts_module

    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "nothing"))
    monkeypatch.setattr(fonts_module, "BUNDLED_FONTS", tmp_path / "nothing-bundled")
    page = shared / "datasets" / "cremma-mss-18" / "journal-mme-de-genlis"
    code = main(
        [
            "train",
            "recognition",
            "--train",
            str(page),
            "--out",
            str(tmp_path / "m"),
            "--epochs",
            "1",
            "--synthetic",
            "5",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "htr: error:" in err and "fetch_fonts.sh" in err
    assert not (tmp_path / "m" / "model.safetensors").exists()
