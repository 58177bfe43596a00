#!/usr/bin/env python
"""Our line segmentation next to kraken's default segmenter (blla) on the TEST pages of cremma-mss-18.

Both run on the same pages, same CPU, same number of threads, models loaded before the clock starts; both
are scored with `htr.metrics` against the ground truth (line P/R/F1 at polygon IoU 0.5, as htreval.py).

kraken lives in its own virtualenv (default /work/kraken-venv), created on first use with the CPU build of
torch 2.13.0 and kraken from PyPI (its pins must not touch the project's environment):

    python benchmarks/htr_kraken_compare.py                  # creates the venv if missing, then measures
    python benchmarks/htr_kraken_compare.py --venv DIR --pages 5 --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TORCH = "torch==2.13.0"
KRAKEN = "kraken==7.1.1"
sys.path.insert(0, str(ROOT))
from benchmarks.cremma import TEST as SPLIT
from benchmarks.cremma import dataset_dir


def kraken_worker(images: list[str], out: str, threads: int) -> None:
    """Runs inside kraken's venv: segment each image with the shipped blla model, write lines and timings."""
    import warnings
    from importlib import resources

    import torch

    # PyPI's torchvision wheel is built against the CUDA torch, so with the CPU torch its compiled ops cannot
    # load, and `import torchvision` then fails on the two ops it registers unconditionally. kraken's
    # segmenter uses torchvision's transforms only: declaring those two op names lets it import.
    from torch.library import Library

    if not _torchvision_ops_load():
        shim = Library("torchvision", "DEF")
        shim.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        shim.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    from kraken import blla
    from kraken.lib import vgsl
    from PIL import Image

    warnings.simplefilter("ignore")
    torch.set_num_threads(threads)
    model = vgsl.TorchVGSLModel.load_model(str(resources.files("kraken").joinpath("blla.mlmodel")))
    with Image.open(images[0]) as im:
        blla.segment(im.convert("RGB"), model=model)  # warm-up, outside the clock
    results = []
    for path in images:
        with Image.open(path) as im:
            im = im.convert("RGB")
            start = time.perf_counter()
            seg = blla.segment(im, model=model)
            seconds = time.perf_counter() - start
        lines = [
            {
                "polygon": [list(map(int, p)) for p in (ln.boundary or [])],
                "baseline": [list(map(int, p)) for p in ln.baseline],
            }
            for ln in seg.lines
        ]
        results.append({"image": path, "seconds": seconds, "lines": lines})
        print(f"kraken: {Path(path).name} {seconds:.1f} s, {len(lines)} lines", flush=True)
    Path(out).write_text(json.dumps(results))


def _torchvision_ops_load() -> bool:
    import importlib.util

    import torch

    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    lib = Path(next(iter(spec.submodule_search_locations))) / "_C.so"
    try:
        torch.ops.load_library(str(lib))
        return True
    except OSError:
        return False


def ensure_venv(venv: Path) -> Path:
    """kraken's python, installing it first if needed; exits with pip's own words when that fails."""
    python = venv / "bin" / "python"
    if (
        python.exists()
        and subprocess.run([python, "-c", "import kraken, torch"], check=False, capture_output=True).returncode == 0
    ):
        return python
    print(f"creating {venv} with {TORCH} (CPU) and {KRAKEN} - a few minutes")
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [python, "-m", "pip", "install", "-q", TORCH],
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write(TORCH + "\n")  # kraken's own pin (torch<=2.14) would pull a CUDA build of 2.14
    steps.append([python, "-m", "pip", "install", "-q", "-c", constraints.name, TORCH, KRAKEN])
    for cmd in steps:
        done = subprocess.run([str(c) for c in cmd], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(
                f"error: could not install kraken into {venv}: `{' '.join(map(str, cmd))}` failed:\n"
                f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=dataset_dir())
    parser.add_argument("--venv", type=Path, default=Path("/work/kraken-venv"), help="kraken's virtualenv")
    parser.add_argument("--seg-model", default=None, help="our segmentation model (default: shipped)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads for both (default 2)")
    parser.add_argument("--pages", type=int, default=None, help="only the first N test pages")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    import torch

    from htr.images import load_image
    from htr.lines import Line, Page
    from htr.metrics import evaluate_pages
    from htr.segmentation import Segmenter
    from htr.sources import iter_pages

    truth = []
    for folder in SPLIT:
        if not (args.data / folder).is_dir():
            sys.exit(f"error: {args.data / folder} not found (give --data, or set SKOROPIS_SHARED)")
        truth.extend(iter_pages(args.data / folder))
    truth = truth[: args.pages] if args.pages else truth
    python = ensure_venv(args.venv)
    version = subprocess.run(
        [python, "-c", "from importlib.metadata import version as v; print(v('kraken'), v('torch'))"],
        check=False,
        capture_output=True,
        text=True,
    ).stdout.split()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "kraken.json"
        cmd = [python, __file__, "--kraken-worker", str(out), str(args.threads), *[str(p) for p, _ in truth]]
        if subprocess.run([str(c) for c in cmd], check=False).returncode != 0:
            sys.exit("error: kraken failed (see above)")
        kraken = json.loads(out.read_text())

    kraken_pages = [
        Page(
            image=r["image"],
            width=t.width,
            height=t.height,
            lines=[
                Line(id=f"k{i}", polygon=[tuple(p) for p in ln["polygon"]], baseline=[tuple(p) for p in ln["baseline"]])
                for i, ln in enumerate(r["lines"], start=1)
            ],
        )
        for r, (_, t) in zip(kraken, truth)
    ]
    torch.set_num_threads(args.threads)
    segmenter = Segmenter.load(args.seg_model, device="cpu")
    images = [load_image(p) for p, _ in truth]
    segmenter.segment(images[0])  # warm-up, outside the clock
    ours, our_seconds = [], 0.0
    for image in images:
        start = time.perf_counter()
        ours.append(segmenter.segment(image))
        our_seconds += time.perf_counter() - start

    truths = [t for _, t in truth]
    rows = {
        f"kraken {version[0] if version else '?'} blla": (
            evaluate_pages(kraken_pages, truths)["detection"],
            sum(r["seconds"] for r in kraken) / len(kraken),
        ),
        "skoropis Segmenter": (evaluate_pages(ours, truths)["detection"], our_seconds / len(ours)),
    }
    print(
        f"\n{len(truths)} test pages, CPU, {args.threads} torch threads (kraken's torch {version[1] if len(version) > 1 else '?'})"
    )
    print(f"{'segmenter':<24}{'P':>7}{'R':>7}{'F1':>7}{'s/page':>9}")
    for name, (det, sec) in rows.items():
        print(f"{name:<24}{det['precision']:>7.1f}{det['recall']:>7.1f}{det['f1']:>7.1f}{sec:>9.2f}")
    (_, k_sec), (_, o_sec) = rows.values()
    print(f"speed-up: {k_sec / o_sec:.1f}x")
    print(
        f"load average (1/5/15 min) at the end: {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} cores"
    )
    if args.json:
        args.json.write_text(
            json.dumps({name: {**det, "seconds_per_page": sec} for name, (det, sec) in rows.items()}, indent=2) + "\n"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--kraken-worker":
        kraken_worker(sys.argv[4:], sys.argv[2], int(sys.argv[3]))
    else:
        main()
