#!/usr/bin/env python
"""A kraken recognition model trained from scratch on our train split, under a wall-clock budget, next to ours.

1. `ketos train -f alto` (kraken's default VGSL network, CPU, --threads N) on the TRAIN pages of cremma-mss-18,
   with the VAL pages (candide) as kraken's evaluation set; killed (SIGINT, then SIGKILL) when --minutes run out.
   kraken checkpoints after every validation (`--freq`), so the best checkpoint seen so far is what is kept.
2. `ketos test -f alto` of that best checkpoint on the TEST pages, lines cut by their ground-truth polygons
   (CER = kraken's errors / characters), and, for a like-for-like figure, kraken's API reading exactly the lines
   benchmarks/htr_recognition.py gives our model, scored by the same `htr.metrics.evaluate_text`.
3. A table next to our shipped model, read by `benchmarks/htr_recognition.py --split test` (or the figures
   given with --ours-cer/--ours-wer/--ours-accuracy).

kraken lives in its own virtualenv (see benchmarks/htr_kraken_compare.py, which creates it); ketos runs there
through a small wrapper that first declares the two torchvision ops the CUDA-built torchvision wheel cannot load
with the CPU torch (the same workaround as htr_kraken_compare.py).

    python benchmarks/htr_kraken_train_compare.py --minutes 30 --threads 2 --out /work/runs/kraken-train
    python benchmarks/htr_kraken_train_compare.py --checkpoint RUN/checkpoints/checkpoint_03-0.6000.ckpt  # eval only
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.cremma import TEST, TRAIN, VAL, dataset_dir

KETOS_WRAPPER = """\
import sys
from pathlib import Path

import torch
from torch.library import Library


def _torchvision_ops_load():
    import importlib.util

    spec = importlib.util.find_spec("torchvision")
    if spec is None or not spec.submodule_search_locations:
        return False
    try:
        torch.ops.load_library(str(Path(next(iter(spec.submodule_search_locations))) / "_C.so"))
        return True
    except OSError:
        return False


if not _torchvision_ops_load():
    shim = Library("torchvision", "DEF")
    shim.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    shim.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")

from kraken.ketos import cli

sys.argv[0] = "ketos"
sys.exit(cli())
"""


def kraken_worker(model: str, pages_json: str, out: str, threads: int) -> None:
    """Runs inside kraken's venv: read the given ground-truth lines of each page with the trained model."""
    import warnings

    shim = {"__name__": "shim"}  # kept alive: the torchvision op declarations live as long as their Library
    exec(KETOS_WRAPPER.split("from kraken.ketos")[0], shim)
    import torch
    from kraken.configs import RecognitionInferenceConfig
    from kraken.containers import BaselineLine, Segmentation
    from kraken.models.convert import convert_models
    from kraken.tasks import RecognitionTaskModel
    from PIL import Image

    warnings.simplefilter("ignore")
    torch.set_num_threads(threads)
    if model.endswith(".ckpt"):
        model = str(convert_models([model], Path(out).with_suffix(".safetensors")))
    net = RecognitionTaskModel.load_model(model)
    config = RecognitionInferenceConfig(num_line_workers=0)
    results = []
    for page in json.loads(Path(pages_json).read_text()):
        lines = [
            BaselineLine(id=f"l{i}", baseline=[tuple(p) for p in ln["baseline"]],
                         boundary=[tuple(p) for p in ln["polygon"]])
            for i, ln in enumerate(page["lines"])
        ]  # fmt: skip
        seg = Segmentation(type="baselines", imagename=page["image"], text_direction="horizontal-lr",
                           script_detection=False, lines=lines)  # fmt: skip
        with Image.open(page["image"]) as im:
            results.append([rec.prediction for rec in net.predict(im, seg, config)])
        print(f"kraken: {Path(page['image']).name} {len(lines)} lines", flush=True)
    Path(out).write_text(json.dumps(results), encoding="utf-8")


def api_scores(python: Path, ckpt: Path, data: Path, threads: int, out: Path) -> dict:
    """kraken reads exactly the lines benchmarks/htr_recognition.py gives ours; both scored by htr.metrics."""
    from htr.metrics import evaluate_text
    from htr.recognition import normalise_text
    from htr.sources import iter_pages

    pages, truths = [], []
    for folder in TEST:
        for image_path, page in iter_pages(data / folder):
            lines = [ln for ln in page.lines if normalise_text(ln.text)]
            pages.append({"image": str(image_path), "lines": [
                {"polygon": [list(p) for p in ln.polygon], "baseline": [list(p) for p in ln.baseline]}
                for ln in lines]})  # fmt: skip
            truths += [ln.text for ln in lines]
    (out / "test_pages.json").write_text(json.dumps(pages), encoding="utf-8")
    cmd = [str(python), __file__, "--kraken-worker", str(ckpt), str(out / "test_pages.json"),
           str(out / "kraken_preds.json"), str(threads)]  # fmt: skip
    print("$ " + " ".join(cmd), flush=True)
    if subprocess.run(cmd, check=False).returncode != 0:
        sys.exit("error: kraken's recognition of the test lines failed (see above)")
    preds = [text for page in json.loads((out / "kraken_preds.json").read_text()) for text in page]
    scores = evaluate_text(preds, truths)
    return {k: round(scores[k], 2) for k in ("cer", "wer", "string_accuracy")} | {"lines": len(truths)}


def manifest(data: Path, folders: list[str], path: Path) -> int:
    files = []
    for folder in folders:
        found = sorted((data / folder).glob("*.xml"))
        if not found:
            sys.exit(f"error: no ALTO files in {data / folder}")
        files += found
    path.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
    return len(files)


def best_checkpoint(folder: Path) -> tuple[Path, float] | None:
    """kraken names its checkpoints checkpoint_{epoch}-{val_metric}.ckpt (val_metric: character accuracy)."""
    scored = []
    for ckpt in folder.glob("checkpoint_*-*.ckpt"):
        match = re.search(r"-(\d+\.\d+)(?:-v\d+)?\.ckpt$", ckpt.name)  # -vN: same name again
        if match:
            scored.append((float(match.group(1)), ckpt.stat().st_mtime, ckpt))
    if not scored:
        return None
    score, _, ckpt = max(scored)
    return ckpt, score


def train(ketos: list[str], args, out: Path, lists: dict[str, Path]) -> tuple[float, str]:
    cmd = ketos + [
        "train", "-f", "alto", "-o", str(out / "checkpoints"), "-t", str(lists["train"]), "-e", str(lists["val"]),
        "-F", str(args.freq), "-B", str(args.batch_size),
    ]  # fmt: skip
    log = out / "train.log"
    print("$ " + " ".join(cmd), flush=True)
    print(f"training for at most {args.minutes} min, log: {log}", flush=True)
    start = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        budget = args.minutes * 60
        how = "finished by itself (early stopping)"
        shown = -1
        while proc.poll() is None:
            elapsed = time.monotonic() - start
            if elapsed >= budget:
                how = f"stopped at the {args.minutes} min budget"
                os.killpg(proc.pid, signal.SIGINT)  # lightning's graceful stop; kraken saves checkpoint_abort
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                break
            if int(elapsed // 60) > shown:
                shown = int(elapsed // 60)
                best = best_checkpoint(out / "checkpoints")
                note = f"best val accuracy so far {best[1]:.4f}" if best else "no checkpoint yet"
                print(f"  {elapsed / 60:5.1f} min: {note}", flush=True)
            time.sleep(min(5, max(0.5, budget - elapsed)))
    seconds = time.monotonic() - start
    if proc.returncode not in (0, None) and "budget" not in how:
        tail = log.read_text(errors="replace")[-3000:]
        sys.exit(f"error: ketos train failed (exit {proc.returncode}), last lines of {log}:\n{tail}")
    return seconds, how


def test(ketos: list[str], ckpt: Path, lists: dict[str, Path], out: Path) -> dict:
    cmd = ketos + ["test", "-f", "alto", "-m", str(ckpt), "-e", str(lists["test"])]
    print("$ " + " ".join(cmd), flush=True)
    start = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    (out / "test.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    if done.returncode != 0:
        sys.exit(f"error: ketos test failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}")

    def grab(label: str) -> float:
        match = re.search(rf"^\s*([\d.]+)%?\t{re.escape(label)}\s*$", done.stdout, re.M)
        if not match:
            sys.exit(f"error: no '{label}' in ketos test's report (see {out / 'test.log'})")
        return float(match.group(1))

    chars, errors = grab("Characters"), grab("Errors")
    return {
        "characters": int(chars),
        "errors": int(errors),
        "cer": round(100 * errors / chars, 2),
        "char_accuracy": grab("Character Accuracy"),
        "word_accuracy": grab("Word Accuracy"),
        "wer": round(100 - grab("Word Accuracy"), 2),
        "seconds": round(seconds, 1),
    }


def ours(args) -> dict:
    if args.ours_cer is not None:
        return {"cer": args.ours_cer, "wer": args.ours_wer, "string_accuracy": args.ours_accuracy, "source": "given"}
    cmd = [sys.executable, str(ROOT / "benchmarks" / "htr_recognition.py"), "--split", "test"]
    cmd += ["--threads", str(args.threads)]
    print("$ " + " ".join(cmd), flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"error: our benchmark failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout[done.stdout.index("{") :])
    figures["source"] = "benchmarks/htr_recognition.py --split test"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=dataset_dir())
    parser.add_argument("--venv", type=Path, default=Path("/work/kraken-venv"), help="kraken's virtualenv")
    parser.add_argument("--out", type=Path, default=Path("/work/runs/kraken-train"), help="run folder (logs, ckpts)")
    parser.add_argument("--minutes", type=float, default=30, help="wall-clock training budget (default 30)")
    parser.add_argument("--threads", type=int, default=2, help="torch/BLAS threads for ketos (default 2)")
    parser.add_argument("--freq", type=float, default=0.5, help="validate+checkpoint every N epochs (default 0.5)")
    parser.add_argument("--batch-size", type=int, default=1, help="ketos train -B (kraken's default 1)")
    parser.add_argument("--checkpoint", type=Path, default=None, help="skip training, evaluate this checkpoint")
    parser.add_argument("--ours-cer", type=float, default=None, help="our test CER instead of running our bench")
    parser.add_argument("--ours-wer", type=float, default=None)
    parser.add_argument("--ours-accuracy", type=float, default=None, help="our string accuracy")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    python = args.venv / "bin" / "python"
    if not python.exists():
        sys.exit(f"error: no kraken virtualenv at {args.venv} (create it with benchmarks/htr_kraken_compare.py)")
    args.out.mkdir(parents=True, exist_ok=True)
    wrapper = args.out / "ketos_wrapper.py"
    wrapper.write_text(KETOS_WRAPPER, encoding="utf-8")
    ketos = [str(python), str(wrapper), "-d", "cpu", "--threads", str(args.threads), "--workers", "1"]
    version = subprocess.run(
        [python, "-c", "from importlib.metadata import version as v; print(v('kraken'), v('torch'))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    lists = {name: args.out / f"{name}.txt" for name in ("train", "val", "test")}
    pages = {name: manifest(args.data, folders, lists[name]) for name, folders in
             (("train", TRAIN), ("val", VAL), ("test", TEST))}  # fmt: skip

    if args.checkpoint:
        ckpt, val_accuracy, trained, how = args.checkpoint, None, None, "given checkpoint"
        named = re.search(r"-(\d+\.\d+)(?:-v\d+)?\.ckpt$", ckpt.name)  # kraken's own name carries val accuracy
        val_accuracy = float(named.group(1)) if named else None
    else:
        trained, how = train(ketos, args, args.out, lists)
        found = best_checkpoint(args.out / "checkpoints")
        if not found:
            sys.exit(f"error: ketos wrote no checkpoint in {trained / 60:.1f} min (see {args.out / 'train.log'})")
        ckpt, val_accuracy = found
    print(f"best checkpoint: {ckpt}", flush=True)
    kraken = test(ketos, ckpt, lists, args.out)
    same = api_scores(python, ckpt, args.data, args.threads, args.out)
    mine = ours(args)

    figures = {
        "kraken": kraken | {
            "version": version[0], "torch": version[1], "checkpoint": str(ckpt), "threads": args.threads,
            "train_minutes": round(trained / 60, 1) if trained else None, "stop": how,
            "val_cer": round(100 * (1 - val_accuracy), 2) if val_accuracy is not None else None,
        },
        "kraken_htr_metrics": same,
        "ours": mine,
        "pages": pages,
    }  # fmt: skip
    # Our side's training, from the shipped model's own log (its card tells the rest).
    log = json.loads((ROOT / "htr" / "models" / "recognition-latin" / "training_log.json").read_text(encoding="utf-8"))
    rows = [
        ("", "kraken (ketos train)", "ours (shipped)"),
        ("test CER % (htr.metrics)", f"{same['cer']:.2f}", f"{mine['cer']}"),
        ("test WER % (htr.metrics)", f"{same['wer']:.2f}", f"{mine.get('wer')}"),
        ("test line accuracy %", f"{same['string_accuracy']:.2f}", f"{mine.get('string_accuracy')}"),
        ("test CER % (ketos test)", f"{kraken['cer']:.2f}", "-"),
        ("test word acc. % (ketos test)", f"{kraken['word_accuracy']:.2f}", "-"),
        ("val CER % (best ckpt)", f"{figures['kraken']['val_cer']}", f"{log['best']['cer']:.2f}"),
        ("training", f"{figures['kraken']['train_minutes']} min, {args.threads} threads, {how}",
         f"{log['minutes']} min on {log['device']} (model card)"),
    ]  # fmt: skip
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, width)))
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--kraken-worker":
        kraken_worker(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        main()
