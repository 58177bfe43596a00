import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from htr.formats import read_page
from htr.formats.tsv import write_tsv
from htr.images import load_image
from htr.recognition import Recognizer
from htr.recognition.language import LM_GRID, LM_ORDERS, LM_UNKNOWN_WORD, write_lm_texts
from htr.recognition.model import LineRecognizer, RecognizerConfig
from htr.training import RecognitionTrainingConfig, retune_language_model, train_recognition
from tests.datasets import one_page_folder

PAGE = ("journal-mme-de-genlis", "f15")  # one real page of the dataset


def line_manifest(shared: Path, tmp_path: Path, count: int = 8) -> Path:
    """A TSV manifest of real line crops (whole image = line), as the synthetic-data trainers write them."""
    xml = shared / "datasets" / "cremma-mss-18" / PAGE[0] / f"{PAGE[1]}.xml"
    page, image = read_page(xml), load_image(xml.with_suffix(".jpg"))
    rows = []
    for i, line in enumerate(page.lines[:count]):
        x0, y0, x1, y1 = line.bbox
        path = tmp_path / "lines" / f"{i}.png"
        path.parent.mkdir(exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_RGB2BGR))
        rows.append((path, line.text))
    return write_tsv(tmp_path / "lines.tsv", rows)


def lines_config(manifest: Path, out: Path, **settings) -> RecognitionTrainingConfig:
    """A one-epoch CPU training on a line manifest, checked on the same lines unless `settings` say otherwise."""
    defaults = {"train": [str(manifest)], "val": [str(manifest)], "out": str(out), "epochs": 1, "batch_size": 4}
    return RecognitionTrainingConfig(**{**defaults, "device": "cpu", **settings})


def test_it_trains_saves_reloads_and_reads_a_real_page(tmp_path):
    torch.set_num_threads(1)
    folder = one_page_folder(tmp_path)
    out = tmp_path / "model"
    progress = []
    summary = train_recognition(
        RecognitionTrainingConfig(train=[str(folder)], out=str(out), epochs=2, batch_size=8, device="cpu"),
        progress_bar=False,
        on_progress=progress.append,
    )
    for name in ("model.safetensors", "config.json", "training_log.json", "training_curve.png"):
        assert (out / name).is_file(), name
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert [h["epoch"] for h in log["history"]] == [1, 2] == [p["epoch"] for p in progress]
    assert log["train_lines"] + log["val_lines"] == summary["train_lines"] + summary["val_lines"] > 20
    assert all(np.isfinite(h["train_loss"]) for h in log["history"])

    # The character language model for beam search: the training texts, its weights chosen on the held-out lines.
    assert (out / "lm.txt").read_text(encoding="utf-8").count("\n") == log["train_lines"]
    chosen = log["best"]["language_model"]
    assert (chosen["weight"], chosen["bonus"]) in LM_GRID and len(chosen["grid"]) == len(LM_GRID)
    assert chosen["unknown_word"] in LM_UNKNOWN_WORD and len(chosen["unknown_word_grid"]) == len(LM_UNKNOWN_WORD)
    assert chosen["val_cer_beam8_lm"] == min(chosen["unknown_word_grid"].values()) <= min(chosen["grid"].values())
    # Its order: the one whose model finds the held-out transcriptions least surprising.
    assert [int(order) for order in chosen["perplexity"]] == list(LM_ORDERS)
    assert chosen["perplexity"][str(chosen["order"])] == min(chosen["perplexity"].values())

    recognizer = Recognizer.load(out, device="cpu")
    assert Recognizer.load(out, device="cpu") is recognizer  # cached per (path, device)
    assert recognizer.language_model is not None and recognizer.model.config.lm_weight == chosen["weight"]
    assert recognizer.language_model.order == recognizer.model.config.lm_order == chosen["order"]
    assert recognizer.language_model.unknown_word == recognizer.model.config.lm_unknown_word == chosen["unknown_word"]
    assert set(recognizer.charset) >= set("cabinet")
    page = read_page(folder / f"{PAGE[1]}.xml")
    batches = []
    read = recognizer.read_page(
        load_image(folder / f"{PAGE[1]}.jpg"), page, batch_size=8, on_batch=lambda d, t: batches.append((d, t))
    )
    assert len(read.lines) == len(page.lines) and batches[-1] == (len(page.lines), len(page.lines))
    assert [line.id for line in read.lines] == [line.id for line in page.lines]
    assert page.lines[0].text == "cabinet de pierres"  # the input page is left as it was
    for line in read.lines:
        assert len(line.confidences) == len(line.text)
        assert all(0.0 <= c <= 1.0 for c in line.confidences)
    with_lm = recognizer.read_page(load_image(folder / f"{PAGE[1]}.jpg"), page, beam=4)
    assert all(len(line.confidences) == len(line.text) for line in with_lm.lines)

    # The choice made again on other lines (the page read as validation), saved in the config and the log.
    again = retune_language_model(out, [str(folder)], "cpu")
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert (config["lm_order"], config["lm_weight"], config["lm_bonus"], config["lm_unknown_word"]) == (
        again["order"],
        again["weight"],
        again["bonus"],
        again["unknown_word"],
    )
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert log["best"]["language_model"] == json.loads(json.dumps(again))


def test_a_tsv_manifest_of_line_images_trains_and_fine_tuning_grows_the_charset(shared, tmp_path):
    torch.set_num_threads(1)
    manifest = line_manifest(shared, tmp_path)
    first = train_recognition(
        lines_config(manifest, tmp_path / "a"),
        progress_bar=False,
    )
    assert first["train_lines"] == 8 and first["val_lines"] == 8
    before = LineRecognizer.from_pretrained(tmp_path / "a")

    extra = tmp_path / "extra.tsv"
    rows = [
        (line, "Ж" + text) for line, text in (r.split("\t") for r in manifest.read_text(encoding="utf-8").splitlines())
    ]
    extra.write_text("".join(f"{image}\t{text}\n" for image, text in rows), encoding="utf-8")
    train_recognition(
        lines_config(extra, tmp_path / "b", base=str(tmp_path / "a")),
        progress_bar=False,
    )
    after = LineRecognizer.from_pretrained(tmp_path / "b")
    log = json.loads((tmp_path / "b" / "training_log.json").read_text(encoding="utf-8"))
    assert after.config.charset == [*before.config.charset, "Ж"]
    assert log["added_characters"] == "Ж" and log["base"] == str(tmp_path / "a")


def test_synthetic_lines_join_the_training_lines_but_not_the_language_model(shared, tmp_path, monkeypatch):
    monkeypatch.setenv("SKOROPIS_FONTS", str(tmp_path / "no-fetched-fonts"))  # the bundled font only
    torch.set_num_threads(1)
    manifest = line_manifest(shared, tmp_path)
    summary = train_recognition(
        lines_config(manifest, tmp_path / "model", synthetic=12),
        progress_bar=False,
    )
    assert summary["train_lines"] == 8
    assert summary["synthetic"] == {"lines": 12, "script": "latin", "families": {"gabriela": 12}}
    assert np.isfinite(summary["history"][0]["train_loss"])
    # The language model learns the real transcriptions only: the synthetic lines repeat their words.
    assert (tmp_path / "model" / "lm.txt").read_text(encoding="utf-8").count("\n") == 8
    with pytest.raises(ValueError, match="synthetic"):
        lines_config(manifest, tmp_path / "x", synthetic=-1)


def test_growing_the_charset_keeps_the_trained_rows_and_reads_as_before():
    torch.manual_seed(0)
    model = LineRecognizer(
        RecognizerConfig(charset=list("abc"), height=32, channels=(8, 8, 8, 8), lstm_hidden=16)
    ).eval()
    images = torch.rand(2, 1, 32, 64)
    with torch.no_grad():
        old = model(images)
        weight, bias = model.head.weight.clone(), model.head.bias.clone()
    assert model.grow_charset(["b", "é", "d"]) == ["d", "é"]
    assert model.config.charset == ["a", "b", "c", "d", "é"] and model.head.out_features == 6
    with torch.no_grad():
        new = model(images)
    assert torch.equal(model.head.weight[:4], weight) and torch.equal(model.head.bias[:4], bias)
    assert torch.equal(new[..., :4].argmax(-1), old.argmax(-1))
    assert new[..., 4:].exp().max() < new[..., :4].exp().max(-1).values.min()
    assert model.grow_charset(["a"]) == []


def test_it_refuses_a_folder_that_is_not_a_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json"):
        Recognizer.load(tmp_path, device="cpu")


def test_it_refuses_to_train_without_a_budget_that_makes_sense(tmp_path):
    with pytest.raises(ValueError, match="minutes"):
        RecognitionTrainingConfig(train=["x"], out=str(tmp_path), minutes=0)


def test_background_workers_train_a_model_of_the_shape_asked_for(shared, tmp_path):
    torch.set_num_threads(1)
    manifest = line_manifest(shared, tmp_path)
    summary = train_recognition(
        lines_config(
            manifest,
            tmp_path / "m",
            epochs=2,
            workers=2,
            channels=(8, 8, 16, 16),
            lstm_hidden=16,
            width_scale=0.8,
            normalisation="box",
        ),
        progress_bar=False,
    )
    assert [h["epoch"] for h in summary["history"]] == [1, 2]
    assert all(np.isfinite(h["train_loss"]) for h in summary["history"])
    config = LineRecognizer.from_pretrained(tmp_path / "m").config
    assert (config.channels, config.lstm_hidden, config.width_scale, config.normalisation) == (
        (8, 8, 16, 16),
        16,
        0.8,
        "box",
    )
    # New models normalise lines by their core band unless told otherwise.
    train_recognition(
        lines_config(
            manifest,
            tmp_path / "n",
            val=None,
            channels=(4, 4, 8, 8),
            lstm_hidden=8,
        ),
        progress_bar=False,
    )
    assert LineRecognizer.from_pretrained(tmp_path / "n").config.normalisation == "core"


def test_pages_read_together_read_as_each_page_alone(shared):
    torch.set_num_threads(2)
    folder = shared / "datasets" / "cremma-mss-18" / PAGE[0]
    pages = [read_page(folder / f"{stem}.xml") for stem in ("f15", "f38")]
    images = [load_image(folder / f"{stem}.jpg") for stem in ("f15", "f38")]
    recognizer = Recognizer.load(device="cpu")
    together = recognizer.read_pages(images, pages, batch_size=64)
    for image, page, read in zip(images, pages, together):
        alone = recognizer.read_page(image, page, batch_size=8)
        assert [line.id for line in read.lines] == [line.id for line in page.lines]
        # A line batched with wider ones comes out of the network slightly different (log-probabilities within a
        # few hundredths, measured with v3), so a frame whose two best characters nearly tie may decode either way.
        same = sum(a.text == b.text for a, b in zip(read.lines, alone.lines))
        assert same >= len(page.lines) - 1, [(a.text, b.text) for a, b in zip(read.lines, alone.lines)]
    with pytest.raises(ValueError, match="2 images for 1 pages"):
        recognizer.read_pages(images, pages[:1])


def test_going_on_training_on_the_base_lines_does_not_count_them_twice_in_the_language_model(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    (base / "lm.txt").write_text("une ligne\nune ligne\nautre\n", encoding="utf-8")
    write_lm_texts(tmp_path, ["une ligne", "autre", "une ligne", "une ligne", "nouvelle"], str(base))
    written = (tmp_path / "lm.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(written) == sorted(["une ligne", "une ligne", "autre", "une ligne", "nouvelle"])


class _Stop(Exception):
    pass


def test_a_callback_after_every_batch_sees_each_batch_and_stops_the_training_within_an_epoch(tmp_path):
    torch.set_num_threads(1)
    folder = one_page_folder(tmp_path)
    batches, epochs = [], []

    def on_batch(info: dict) -> None:
        batches.append(info)
        if info["epoch"] == 2 and info["batch"] == 2:
            raise _Stop

    with pytest.raises(_Stop):
        train_recognition(
            RecognitionTrainingConfig(
                train=[str(folder)], out=str(tmp_path / "model"), epochs=5, batch_size=4, device="cpu"
            ),
            progress_bar=False,
            on_progress=epochs.append,
            on_batch=on_batch,
        )
    assert [e["epoch"] for e in epochs] == [1]  # the second epoch never ended
    first = [b for b in batches if b["epoch"] == 1]
    assert first[0]["batches"] > 2 and [b["batch"] for b in first] == list(range(1, first[0]["batches"] + 1))
    assert [b["step"] for b in batches] == list(range(1, len(batches) + 1)) and len(batches) == len(first) + 2
    assert all(np.isfinite(b["loss"]) and b["minutes"] >= 0 for b in batches)
    assert (tmp_path / "model" / "model.safetensors").is_file()  # the first epoch's model stays
