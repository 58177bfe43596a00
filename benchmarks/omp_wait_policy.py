#!/usr/bin/env python
"""What OpenMP's wait policy does to training on a CPU shared with other work: the same fine-tune (the shipped
Latin model on the first pages of Mme de Genlis's journal) for a fixed time, in a fresh process per setting, with
`--load` busy processes beside it (a web server, another worker, a test run), counting the epochs it gets through.

htr and the Celery worker set OMP_WAIT_POLICY=PASSIVE before torch is imported (htr/__init__.py, portal/celery.py);
this shows why. On the 2-core development machine (a training and 1 busy process beside it, 40 s a setting):
1 thread 13 epochs ACTIVE, 11 PASSIVE (the same, within noise); 2 threads 1 epoch ACTIVE, 13 PASSIVE. libgomp's
default (no policy: a short spin) did little better (4 epochs against 15 PASSIVE, 40 s, 1 busy process). The price
on an idle machine: `benchmarks/pipeline_throughput.py --pages 8` read 22.8 pages/min PASSIVE, 26.5 ACTIVE.

    python benchmarks/omp_wait_policy.py                     # 60 s a setting, 2 busy processes beside it
    python benchmarks/omp_wait_policy.py --seconds 90 --load 0
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETTINGS = [("ACTIVE", 1), ("PASSIVE", 1), ("ACTIVE", 2), ("PASSIVE", 2)]


def fine_tune(seconds: float, threads: int) -> dict:
    """Runs in the child process: the environment's OMP_WAIT_POLICY is already set (before torch is imported)."""
    import tempfile

    import torch

    from benchmarks.datasets import datasets_dir
    from benchmarks.htr_fine_tune import HAND, folder_of
    from htr.recognition import DEFAULT_MODEL
    from htr.sources import iter_pages
    from htr.training import RecognitionTrainingConfig, train_recognition

    torch.set_num_threads(threads)
    pages = sorted(iter_pages(datasets_dir() / HAND), key=lambda page: str(page[0]))
    with tempfile.TemporaryDirectory() as tmp:
        config = RecognitionTrainingConfig(
            train=[str(folder_of(pages[:2], Path(tmp) / "train"))],
            val=[str(folder_of(pages[2:3], Path(tmp) / "val"))],
            out=str(Path(tmp) / "model"),
            base=str(DEFAULT_MODEL),
            minutes=seconds / 60,
            device="cpu",
            checkpoint_minutes=10_000,
        )
        summary = train_recognition(config, progress_bar=False)
    return {"epochs": summary["epochs"], "train_lines": summary["train_lines"]}


def busy() -> None:
    while True:
        sum(i * i for i in range(10_000))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="training time a setting")
    parser.add_argument("--load", type=int, default=2, help="busy processes running beside each setting")
    parser.add_argument("--child", nargs=2, metavar=("SECONDS", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(fine_tune(float(args.child[0]), int(args.child[1]))))
        return 0

    loads = [multiprocessing.Process(target=busy, daemon=True) for _ in range(args.load)]
    for process in loads:
        process.start()
    try:
        print(
            f"{args.seconds:.0f} s of fine-tuning a setting, {args.load} busy processes beside it, "
            f"{os.cpu_count()} cores"
        )
        for policy, threads in SETTINGS:
            env = dict(os.environ, OMP_WAIT_POLICY=policy)
            started = time.monotonic()
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(args.seconds), str(threads)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"OMP_WAIT_POLICY={policy:<7} threads {threads}: {result['epochs']:>3} epochs of "
                f"{result['train_lines']} lines ({time.monotonic() - started:.0f} s wall)",
                flush=True,
            )
    finally:
        for process in loads:
            process.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
