"""A training killed mid-run goes on from its checkpoint (`htr train recognition --resume DIR`)."""

import json
import os
import signal
import subprocess
import sys
import time

from htr.recognition import Recognizer
from htr.training.checkpoint import CHECKPOINT_NAME, save_checkpoint
from tests.datasets import one_page_folder

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def htr(*args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "htr", *args], cwd=REPO, env=env, **kwargs)


def test_a_killed_training_resumes_where_it_stopped_and_finishes_its_budget(tmp_path):
    folder = one_page_folder(tmp_path)
    out = tmp_path / "model"
    run = htr(
        "train",
        "recognition",
        "--train",
        str(folder),
        "--out",
        str(out),
        "--epochs",
        "6",
        "--batch-size",
        "8",
        "--device",
        "cpu",
    )
    deadline = time.monotonic() + 240
    while not (out / CHECKPOINT_NAME).is_file() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert run.poll() is None, "the training ended before it could be killed"
    run.send_signal(signal.SIGKILL)
    run.wait()
    stopped = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert 1 <= stopped["epochs"] < 6

    resumed = htr("train", "recognition", "--resume", str(out), stdout=subprocess.PIPE, text=True)
    output, _ = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, output
    log = json.loads((out / "training_log.json").read_text(encoding="utf-8"))
    assert [h["epoch"] for h in log["history"]] == [1, 2, 3, 4, 5, 6]
    steps = [h["step"] for h in log["history"]]
    assert steps == [steps[0] * (i + 1) for i in range(6)]  # no batch done twice, none skipped
    assert log["history"][: stopped["epochs"]] == stopped["history"]
    assert not (out / CHECKPOINT_NAME).exists()
    assert Recognizer.load(out, device="cpu").model.config.transcription == "semi-diplomatic"


def test_resuming_a_folder_without_a_checkpoint_is_one_clear_line(tmp_path):
    run = htr("train", "recognition", "--resume", str(tmp_path), stderr=subprocess.PIPE, text=True)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 1
    assert err.strip().splitlines() == [
        f"htr: error: {tmp_path}: no checkpoint.pt to resume from (is it a training's --out folder?)"
    ]


def test_resuming_a_checkpoint_with_settings_this_version_does_not_know_is_one_clear_line(tmp_path):
    save_checkpoint(tmp_path, {"settings": {"train": ["pages"], "out": str(tmp_path), "dropout": 0.5}})
    run = htr("train", "recognition", "--resume", str(tmp_path), stderr=subprocess.PIPE, text=True)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 1
    assert err.strip().splitlines() == [
        f"htr: error: {tmp_path}: the checkpoint's settings do not fit this version "
        "(training settings this version does not know: dropout)"
    ]
