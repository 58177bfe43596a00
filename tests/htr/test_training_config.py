"""Training configs and the shared training options: the portal's web process builds configs, so they load no torch;
the CLI and the scripts read the same options into them."""

import argparse
import subprocess
import sys

import pytest

from htr.cli import build_parser
from htr.training import RecognitionTrainingConfig, SegmentationTrainingConfig
from htr.training.options import add_training_options, training_settings
from tests.processes import REPO

ENGINE = ("torch", "cv2")


def loaded_after(code: str) -> list[str]:
    """The engine's heavy modules loaded in a fresh interpreter after `code`."""
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {ENGINE!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_building_a_training_config_loads_no_torch():
    code = (
        "from htr.training.config import RecognitionTrainingConfig, SegmentationTrainingConfig\n"
        "import htr.training.options\n"
        "RecognitionTrainingConfig(train=['a'], out='b')\n"
        "SegmentationTrainingConfig(train=['a'], out='b', minutes=1)"
    )
    assert loaded_after(code) == []
    assert loaded_after("from htr.training import train_segmentation") == list(ENGINE)  # the trainer does


def test_the_cli_reads_the_shared_options_into_the_config_of_its_task(tmp_path):
    given = ["--train", "pages", "--out", str(tmp_path), "--minutes", "2", "--lr", "0.01", "--seed", "3"]
    args = build_parser().parse_args(["train", "segmentation", *given, "--workers", "2", "--eval-every", "50"])
    config = SegmentationTrainingConfig(
        train=["pages"], out=str(tmp_path), **training_settings(args, SegmentationTrainingConfig)
    )
    assert (config.minutes, config.lr, config.seed, config.eval_every) == (2.0, 0.01, 3, 50)
    assert config.batch_size == 4 and config.epochs is None  # not given: the config's defaults

    args = build_parser().parse_args(["train", "recognition", *given, "--synthetic-family", "allura", "--workers", "0"])
    settings = training_settings(args, RecognitionTrainingConfig)
    assert settings == {"minutes": 2.0, "lr": 0.01, "seed": 3, "workers": 0, "synthetic_families": ["allura"]}


def test_a_script_sets_its_own_defaults_and_a_misspelt_one_is_refused():
    parser = argparse.ArgumentParser()
    add_training_options(parser, segmentation=False, minutes=110.0, batch_size=8)
    args = parser.parse_args(["--batch-size", "4"])
    assert training_settings(args, RecognitionTrainingConfig) == {"minutes": 110.0, "batch_size": 4}
    with pytest.raises(TypeError, match="eval_every"):
        add_training_options(argparse.ArgumentParser(), segmentation=False, eval_every=10)
