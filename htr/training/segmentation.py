"""Training the line segmentation network from pages with ground-truth lines (ALTO or PAGE XML).

    from htr.training import SegmentationTrainingConfig, train_segmentation
    train_segmentation(SegmentationTrainingConfig(train=["data/doc1"], val=["data/doc3"], out="models/seg", minutes=30))

Random crops of augmented pages, a time or epoch budget, and the checkpoint kept is the one with the best
line-detection F1 on the validation pages, measured with the same post-processing `Segmenter` uses.
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from htr.lines import Page
from htr.segmentation import Segmenter
from htr.segmentation.model import LineMapNet, SegmentationConfig
from htr.segmentation.targets import page_lines, random_view
from htr.training.config import SegmentationTrainingConfig
from htr.training.distractors import draw_distractors

CROPS_PER_PAGE = 4  # an "epoch" is this many random crops of every training page
POS_WEIGHT = (4.0, 2.0, 1.0)  # baseline pixels are rare: weigh them up


def _load_pages(sources: list[str], long_side: int) -> list[tuple[str, np.ndarray, Page, float]]:
    """(image path, grey page at `long_side`, ground truth, factor page->stored pixels) for every page."""
    from htr.images import load_image, to_gray
    from htr.sources import iter_pages

    pages = []
    for src in sources:
        found = 0
        for image_path, page in iter_pages(src):
            rgb = load_image(image_path)
            gray = to_gray(rgb, "luma")
            h, w = gray.shape
            f = min(1.0, long_side / max(h, w))
            if f < 1.0:
                gray = cv2.resize(gray, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
            pages.append((str(image_path), gray, page, f))
            found += 1
        if not found:
            raise ValueError(f"no page with ground truth found in {src}")
    return pages


def _scaled_lines(page: Page, factor: float):
    return [(p * factor, b * factor) for p, b in page_lines(page.lines)]


def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    pos = torch.tensor(POS_WEIGHT, device=logits.device).view(1, -1, 1, 1)
    bce = F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos)
    prob = torch.sigmoid(logits)
    inter = (prob * target).sum(dim=(0, 2, 3))
    dice = 1 - (2 * inter + 1) / (prob.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3)) + 1)
    return bce + dice.mean()


def evaluate_segmenter(segmenter: Segmenter, pages, iou: float = 0.5) -> dict:
    """Detection precision/recall/F1 (percent, pooled over pages) with the real post-processing."""
    from htr.metrics import evaluate_pages

    preds, truths = [], []
    seconds = 0.0
    for _, gray, page, f in pages:
        start = time.perf_counter()
        pred = segmenter.segment(gray)
        seconds += time.perf_counter() - start
        inv = 1.0 / f
        for line in pred.lines:
            line.polygon = [(round(x * inv), round(y * inv)) for x, y in line.polygon]
            line.baseline = [(round(x * inv), round(y * inv)) for x, y in line.baseline]
        preds.append(pred)
        truths.append(page)
    scores = evaluate_pages(preds, truths, iou=iou)["detection"]
    return {k: scores[k] for k in ("precision", "recall", "f1")} | {"seconds_per_page": seconds / max(1, len(pages))}


def _plot(log: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [e["step"] for e in log["train"]]
    ax.plot(steps, [e["loss"] for e in log["train"]], color="tab:blue", lw=0.8, label="training loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    if log["val"]:
        ax2 = ax.twinx()
        ax2.plot([e["step"] for e in log["val"]], [e["f1"] for e in log["val"]], "o-", color="tab:red", label="val F1")
        ax2.set_ylabel("validation line F1 % (IoU 0.5)")
        ax2.set_ylim(0, 100)
    ax.set_title("Line segmentation training")
    fig.legend(loc="center right", bbox_to_anchor=(0.85, 0.6))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def train_segmentation(
    config: SegmentationTrainingConfig, *, on_progress: Callable[[dict], None] | None = None
) -> dict:
    """Trains (or fine-tunes `config.base`) as `config` says and writes the best checkpoint to `config.out`
    (model.safetensors, config.json, training_log.json, training_curve.png). `on_progress` gets a dict after every
    step ("train") and every validation ("validation"). Returns the training log."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    dev = torch.device(config.device) if config.device else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = LineMapNet.from_pretrained(config.base) if config.base else LineMapNet(SegmentationConfig())
    model_config = model.config
    model.to(dev)
    store_side = int(model_config.long_side * 1.3)
    train_pages = _load_pages(config.train, store_side)
    val_pages = _load_pages(config.val, store_side) if config.val else []
    if config.val is None and len(train_pages) >= 5:  # no validation given: hold back 10% of the pages
        held = set(rng.choice(len(train_pages), size=max(1, len(train_pages) // 10), replace=False).tolist())
        val_pages = [p for i, p in enumerate(train_pages) if i in held]
        train_pages = [p for i, p in enumerate(train_pages) if i not in held]
    samples = [(gray, _scaled_lines(page, f)) for _, gray, page, f in train_pages]

    steps_per_epoch = max(1, math.ceil(len(samples) * CROPS_PER_PAGE / config.batch_size))
    max_steps = config.epochs * steps_per_epoch if config.epochs is not None else None
    budget = config.minutes * 60.0 if config.minutes is not None else None
    expected = max_steps or 10_000
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=1e-4)
    eval_every = config.eval_every or max(20, steps_per_epoch * 2)
    out_dir = Path(config.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    log: dict = {
        "config": model_config.__dict__,
        "parameters": model.num_parameters,
        "train_pages": len(train_pages),
        "val_pages": len(val_pages),
        "batch_size": config.batch_size,
        "crop": config.crop,
        "device": str(dev),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.processor() or platform.machine(),
        "base": config.base,
        "train": [],
        "val": [],
        "best": None,
    }
    best_f1 = -1.0
    start = time.monotonic()
    step = 0
    bar = tqdm(total=max_steps, desc="segmentation", unit="step", disable=None)

    def evaluate() -> None:
        nonlocal best_f1
        model.eval()
        segmenter = Segmenter(model, dev)
        scores = evaluate_segmenter(segmenter, val_pages) if val_pages else {"f1": -step}
        model.train()
        model.float()
        entry = {"step": step, "seconds": round(time.monotonic() - start, 1), **scores}
        log["val"].append(entry)
        if scores["f1"] > best_f1 or not val_pages:
            best_f1 = scores["f1"]
            log["best"] = entry
            model.save_pretrained(out_dir)
        (out_dir / "training_log.json").write_text(json.dumps(log, indent=1) + "\n")  # readable while it runs
        bar.set_postfix(f1=f"{scores['f1']:.1f}", best=f"{best_f1:.1f}")
        if on_progress:
            on_progress({"stage": "validation", "step": step, **scores})

    model.train()
    while True:
        elapsed = time.monotonic() - start
        if (max_steps is not None and step >= max_steps) or (budget is not None and elapsed >= budget):
            break
        # Cosine schedule over the budget (time or steps), short warm-up.
        progress = max(step / max_steps if max_steps else 0.0, elapsed / budget if budget else 0.0)
        for group in opt.param_groups:
            group["lr"] = config.lr * min(1.0, (step + 1) / 30) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
        batch = [
            random_view(*samples[rng.integers(len(samples))], rng, model_config, config.crop)
            for _ in range(config.batch_size)
        ]
        if config.distractors:  # stamps, flourishes, ruling, show-through: background whatever lies under them
            batch = [(draw_distractors(image, rng), maps) for image, maps in batch]
        x = torch.from_numpy(np.stack([b[0] for b in batch])[:, None]).to(dev)
        y = torch.from_numpy(np.stack([b[1] for b in batch])).to(dev)
        loss = _loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        log["train"].append({"step": step, "loss": round(loss.item(), 5), "lr": opt.param_groups[0]["lr"]})
        bar.update(1)
        if on_progress:
            on_progress(
                {
                    "stage": "train",
                    "step": step,
                    "loss": loss.item(),
                    "of": max_steps or expected,
                    "elapsed": time.monotonic() - start,
                }
            )
        if step % eval_every == 0:
            evaluate()
    evaluate()
    bar.close()
    log["steps"] = step
    log["seconds"] = round(time.monotonic() - start, 1)
    (out_dir / "training_log.json").write_text(json.dumps(log, indent=1) + "\n")
    _plot(log, out_dir / "training_curve.png")
    return log
