"""Training a line recogniser from scratch or fine-tuning one (`base`), under a time or epoch budget.

Line images are cut out and height-normalised once and kept in memory; each epoch only distorts them
(augment.py), which is what makes CPU training affordable. The learning rate follows a one-cycle shape over the
budget (time or epochs, whichever ends first), the validation CER is measured after every epoch, and only the
best checkpoint is kept in `out/`, with `training_log.json` and `training_curve.png` beside it.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from htr.images import to_gray
from htr.recognition import Recognizer, default_device, normalise_text
from htr.recognition.language import tune_language_model, write_lm_texts
from htr.recognition.lines import GRAY, NORMALISATIONS, batch_tensor, line_image
from htr.recognition.model import LineRecognizer, RecognizerConfig
from htr.training.augment import augment_line
from htr.training.checkpoint import (
    CheckpointError,
    checkpoint_settings,
    load_checkpoint,
    remove_checkpoint,
    save_checkpoint,
)
from htr.training.config import RecognitionTrainingConfig
from htr.transcription import model_text

OnProgress = Callable[[dict], None]
OnBatch = Callable[[dict], None]


def train_recognition(
    config: RecognitionTrainingConfig,
    *,
    on_progress: OnProgress | None = None,
    on_batch: OnBatch | None = None,
    progress_bar: bool = True,
    resume: bool = False,
) -> dict:
    """Trains as `config` says and writes `config.out`; returns the training summary.

    `on_progress` gets a dict after every epoch, `on_batch` one after every batch (epoch, batch, batches, step,
    loss, minutes): what a caller needs to show progress within a long epoch, or to stop the training within a
    batch by raising from it (the exception goes through; `out/` keeps the best model of the epochs done, and the
    checkpoint of the last one). `resume=True` goes on from `out/checkpoint.pt` (same sources and settings: see
    `resume_recognition`), the budget counting the time already spent. The checkpoint is removed once the training
    ends.
    """
    settings = asdict(config)
    train, val, out, base = config.train, config.val, config.out, config.base
    minutes, epochs, batch_size, seed, lr = config.minutes, config.epochs, config.batch_size, config.seed, config.lr
    height, width_scale, normalisation = config.height, config.width_scale, config.normalisation
    transcription, workers, synthetic = config.transcription, config.workers, config.synthetic
    checkpoint = load_checkpoint(out) if resume else None
    started = time.monotonic()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    device = config.device or default_device()
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)

    if base is not None:  # a base model keeps its own line shape and, unless told otherwise, its text form
        model = LineRecognizer.from_pretrained(base)
        height, width_scale, normalisation = model.config.height, model.config.width_scale, model.config.normalisation
        transcription = transcription or model.config.transcription
    transcription = transcription or "semi-diplomatic"
    train_samples, val_samples = _load_samples(train, val, config.val_share, seed)
    # Before the lines are cut out, so that missing fonts are said at once.
    generator = (
        _synthetic_generator(
            [model_text(s.text, transcription) for s in train_samples], config.synthetic_families, seed
        )
        if synthetic
        else None
    )
    shape = (height, width_scale, normalisation, transcription)
    train_set = _prepare(train_samples, *shape, "train lines", progress_bar)
    val_set = _prepare(val_samples, *shape, "val lines", progress_bar)
    del train_samples, val_samples  # the page images: only the cut-out lines are needed from here on
    if not train_set:
        raise ValueError(f"no usable training lines in {train}")
    real_texts = [text for _, text in train_set]
    synthetic_info = None
    if generator is not None:
        lines, synthetic_info = _synthetic_lines(generator, synthetic, height, width_scale, normalisation, progress_bar)
        train_set += lines
    prepare_minutes = round((time.monotonic() - started) / 60, 2)
    chars = sorted({c for _, text in train_set for c in text})
    if checkpoint is not None:
        model = LineRecognizer(RecognizerConfig.from_dict(checkpoint["config"]))
        model.load_state_dict(checkpoint["model"])
        added = checkpoint["added"]
    elif base is not None:
        added = model.grow_charset(chars)
        model.config.transcription = transcription
    else:
        network: dict[str, Any] = {}  # what is not given keeps RecognizerConfig's defaults
        if config.channels:
            network["channels"] = tuple(config.channels)
        if config.lstm_hidden is not None:
            network["lstm_hidden"] = config.lstm_hidden
        model = LineRecognizer(
            RecognizerConfig(
                charset=chars,
                height=height,
                width_downsample=config.width_downsample,
                width_scale=width_scale,
                normalisation=normalisation,
                transcription=transcription,
                **network,
            )
        )
        added = chars
    model.to(device)
    index = {c: i + 1 for i, c in enumerate(model.config.charset)}
    write_lm_texts(out_dir, real_texts, base)  # the real transcriptions: synthetic lines repeat them

    # A CTC "shortcut" straight from the CNN features, for training only: it gives the CNN a direct gradient, so
    # the model leaves the all-blank plateau in far fewer steps (Michael et al. 2019); it is not saved.
    shortcut = torch.nn.Conv1d(model.feature_size, model.config.num_classes, 3, padding=1).to(device)
    optimizer = torch.optim.AdamW([*model.parameters(), *shortcut.parameters()], lr=lr, weight_decay=1e-2)
    ctc = torch.nn.CTCLoss(blank=0, reduction="mean", zero_infinity=True)
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    recognizer = Recognizer(model, device)

    history: list[dict] = []
    best: dict = {"cer": math.inf}
    best_state = None
    step = 0
    epoch = 0
    position = None  # (rng state that shuffled this epoch, its clean share, batches done, their losses)
    spent = 0.0  # training seconds of earlier runs of a resumed training
    if checkpoint is not None:
        shortcut.load_state_dict(checkpoint["shortcut"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        step, epoch, history, best = checkpoint["step"], checkpoint["epoch"], checkpoint["history"], checkpoint["best"]
        best_state, spent, position = checkpoint["best_state"], checkpoint["seconds"], checkpoint["position"]
        rng.bit_generator.state = checkpoint["rng"]
        torch.set_rng_state(checkpoint["torch_rng"])
    # The budget is for learning: it starts once the lines are cut out and cached.
    started = time.monotonic() - spent
    stop = False

    def write_log() -> dict:
        """training_log.json: the sources, the model's shape, the history and the best epoch so far."""
        shape = asdict(model.config)
        shape.pop("charset")
        summary = {
            "train_sources": list(train),
            "val_sources": list(val) if val else None,
            "base": base,
            "device": str(device),
            "train_lines": len(real_texts),
            "val_lines": len(val_set),
            "synthetic": synthetic_info,
            "charset_size": len(model.config.charset),
            "added_characters": "".join(added),
            "model": shape,
            "parameters": sum(p.numel() for p in model.parameters()),
            "prepare_minutes": prepare_minutes,
            "minutes": round((time.monotonic() - started) / 60, 2),
            "epochs": len(history),
            "best": best if history else None,
            "history": history,
        }
        log = json.dumps(summary, ensure_ascii=False, indent=1)
        (out_dir / "training_log.json").write_text(log, encoding="utf-8")
        return summary

    def write_checkpoint(position) -> None:
        save_checkpoint(
            out_dir,
            {
                "settings": settings,
                "config": asdict(model.config),
                "added": added,
                "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
                "shortcut": shortcut.state_dict(),
                "optimizer": optimizer.state_dict(),
                "step": step,
                "epoch": epoch,
                "history": history,
                "best": best,
                "best_state": best_state,
                "seconds": time.monotonic() - started,
                "position": position,
                "rng": rng.bit_generator.state,
                "torch_rng": torch.get_rng_state(),
            },
        )

    saved_at = time.monotonic()
    while not stop:
        if position is None:  # a new epoch
            epoch += 1
            epoch_rng = rng.bit_generator.state
            # Distortions come in gradually: clean lines first, so the alignment is found early.
            clean = max(0.0, 0.6 * (1 - _progress(started, minutes, step, epochs, steps_per_epoch) / 0.15))
            done, losses = 0, []
        else:  # the epoch a resumed training stopped in
            epoch_rng, clean, done, losses = position
            position = None
        rng.bit_generator.state = epoch_rng
        batches = _epoch_batches([img.shape[1] for img, _ in train_set], batch_size, rng)
        model.train()
        loader = _batch_loader(train_set, batches, index, clean, seed * 100_003 + epoch, workers, start=done)
        bar = tqdm(
            loader,
            total=len(batches),
            initial=done,
            desc=f"epoch {epoch}",
            unit="batch",
            leave=False,
            disable=not progress_bar,
        )
        for batch, widths, flat_targets, target_lengths in bar:
            progress = _progress(started, minutes, step, epochs, steps_per_epoch)
            if progress >= 1.0:
                stop = True
                break
            for group in optimizer.param_groups:
                group["lr"] = _one_cycle(progress, lr)
            features = model.features(batch.to(device, non_blocking=True))
            frames = model.output_lengths(widths)
            main_loss = ctc(model.decode_features(features), flat_targets, frames, target_lengths)
            short = shortcut(features.permute(1, 2, 0)).permute(2, 0, 1).log_softmax(-1)
            loss = main_loss + 0.2 * ctc(short, flat_targets, frames, target_lengths)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            step += 1
            done += 1
            losses.append(main_loss.item())
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.3f}")
            if on_batch is not None:
                on_batch(
                    {
                        "epoch": epoch,
                        "batch": done,
                        "batches": len(batches),
                        "step": step,
                        "loss": losses[-1],
                        "minutes": round((time.monotonic() - started) / 60, 3),
                    }
                )
            if time.monotonic() - saved_at > config.checkpoint_minutes * 60 and done < len(batches):
                write_checkpoint((epoch_rng, clean, done, losses))
                saved_at = time.monotonic()
        bar.close()
        if epochs is not None and epoch >= epochs:
            stop = True
        if not losses:
            break
        scores = (
            _evaluate(recognizer, val_set)
            if val_set
            else {"cer": math.nan, "wer": math.nan, "string_accuracy": math.nan}
        )
        record = {
            "epoch": epoch,
            "step": step,
            "minutes": round((time.monotonic() - started) / 60, 2),
            "train_loss": round(float(np.mean(losses)), 4),
            "lr": optimizer.param_groups[0]["lr"],
            "val_cer": scores["cer"],
            "val_wer": scores["wer"],
            "val_string_accuracy": scores["string_accuracy"],
        }
        history.append(record)
        improved = not val_set or scores["cer"] <= best["cer"]
        if improved:
            best = {"epoch": epoch, "step": step, **scores}
            best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
            model.save_pretrained(out_dir)
        if progress_bar:
            tqdm.write(
                f"epoch {epoch} step {step} loss {record['train_loss']:.3f} val CER {scores['cer']:.2f} "
                f"WER {scores['wer']:.2f} ({record['minutes']:.1f} min){' *' if improved else ''}"
            )
        if on_progress is not None:
            on_progress({**record, "best_val_cer": best["cer"]})
        write_log()
        if not stop:
            write_checkpoint(None)
            saved_at = time.monotonic()

    if best_state is not None:
        model.load_state_dict(best_state)
    if val_set and history:
        best["language_model"] = tune_language_model(model, out_dir, val_set, device)
        model.save_pretrained(out_dir)  # with the weights for the language model it chose
    summary = write_log()
    _plot(out_dir / "training_curve.png", history)
    remove_checkpoint(out_dir)
    return summary


def resume_recognition(
    out: str,
    *,
    minutes: float | None = None,
    epochs: int | None = None,
    device: str | None = None,
    workers: int | None = None,
    on_progress: OnProgress | None = None,
    on_batch: OnBatch | None = None,
    progress_bar: bool = True,
) -> dict:
    """Goes on with the training whose checkpoint is in `out`, with the config it was started with.

    `minutes` / `epochs` replace its budget (the total, time already spent included); `device` and `workers`, when
    given, replace settings that do not change what is learned.
    """
    settings = checkpoint_settings(out)
    try:
        config = RecognitionTrainingConfig.from_dict(settings)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{out}: the checkpoint's settings do not fit this version ({error})") from error
    given: dict[str, Any] = {"minutes": minutes, "epochs": epochs, "device": device, "workers": workers}
    config = replace(config, out=out, **{k: v for k, v in given.items() if v is not None})
    return train_recognition(config, on_progress=on_progress, on_batch=on_batch, progress_bar=progress_bar, resume=True)


# -- data ------------------------------------------------------------------------------------------------------


def retune_language_model(model_dir: str | Path, val: list[str], device: str | None = None) -> dict:
    """Chooses the language model of a trained model again (`tune_language_model`: its order, weight and bonus) on
    the lines of `val` (page folders or files), as the end of a training does, and saves the model's config with
    them; the training log keeps the choice under best.language_model. For a model trained before the choice
    took in the order, or on new validation lines."""
    directory = Path(model_dir)
    device = torch.device(device or default_device())
    model = LineRecognizer.from_pretrained(directory, device=device)
    config = model.config
    from htr.sources import load_line_samples

    samples = load_line_samples(val)
    shape = (config.height, config.width_scale, config.normalisation, config.transcription)
    val_set = _prepare(samples, *shape, "val lines", False)
    if not val_set:
        raise ValueError(f"no usable validation lines in {val}")
    chosen = tune_language_model(model, directory, val_set, device)
    model.save_pretrained(directory)
    log_path = directory / "training_log.json"
    if log_path.is_file():
        log = json.loads(log_path.read_text(encoding="utf-8"))
        log.setdefault("best", {})["language_model"] = chosen
        for key in ("lm_order", "lm_weight", "lm_bonus", "lm_unknown_word"):
            if key in log.get("model", {}):
                log["model"][key] = getattr(config, key)
        log_path.write_text(json.dumps(log, ensure_ascii=False, indent=1), encoding="utf-8")
    return chosen


def _load_samples(train: list[str], val: list[str] | None, share: float, seed: int) -> tuple[list, list]:
    from htr.sources import load_line_samples, split_holdout

    train_samples = load_line_samples(train)
    if val:
        return train_samples, load_line_samples(val)
    return split_holdout(train_samples, share=share, seed=seed)


def _prepare(
    samples: list,
    height: int,
    width_scale: float,
    normalisation: str,
    transcription: str,
    desc: str,
    progress_bar: bool,
) -> list[tuple[np.ndarray, str]]:
    """(ink image, text in the model's form) per usable sample; lines without text or pixels are skipped."""
    prepared = []
    gray_pages: dict[object, np.ndarray] = {}  # lines of one page share its image: convert it once
    for sample in tqdm(samples, desc=desc, unit="line", leave=False, disable=not progress_bar):
        text = model_text(sample.text, transcription)
        if not text:
            continue
        key = id(sample.image) if isinstance(sample.image, np.ndarray) else str(sample.image)
        if key not in gray_pages:
            image = sample.image
            if not isinstance(image, np.ndarray):
                from htr.images import load_image

                image = load_image(image)
            gray_pages = {key: to_gray(image, GRAY)}
        ink = line_image(gray_pages[key], sample.line, height, width_scale, normalisation)
        if ink.shape[1] < 4 or not ink.any():
            continue
        prepared.append((ink, text))
    return prepared


def _synthetic_generator(texts: list[str], families: list[str] | None, seed: int):
    """A synthetic line generator (htr.synthetic) that writes snippets of `texts`, in the fonts of their script.

    The script (Latin or Cyrillic fonts) follows the letters of the texts. Consecutive lines are joined into
    passages, so a snippet can run over a line break as a real line does. Raises FontsMissing (how to get fonts).
    """
    from htr.synthetic import LineGenerator
    from htr.synthetic.texts import CHARSETS

    texts = [text for text in texts if text]
    letters = [c for c in "".join(texts) if c.isalpha()]
    # The script with most of the letters (Latin when none).
    script = max(("latin", "cyrillic"), key=lambda name: sum(c in CHARSETS[name] for c in letters))
    passages = [" ".join(texts[i : i + 6]) for i in range(0, len(texts), 6)]
    return LineGenerator(script, families=families, passages=passages, seed=seed)


def _synthetic_lines(
    generator, count: int, height: int, width_scale: float, normalisation: str, progress_bar: bool
) -> tuple[list[tuple[np.ndarray, str]], dict]:
    """`count` synthetic (ink image, text) lines, normalised as real ones are, and what drew them (for the log)."""
    normalise = NORMALISATIONS[normalisation]
    lines: list[tuple[np.ndarray, str]] = []
    used: dict[str, int] = {}
    for _ in tqdm(range(count), desc="synthetic lines", unit="line", leave=False, disable=not progress_bar):
        sample = generator.sample_ink()
        text = normalise_text(sample.text)
        if text:
            lines.append((normalise(sample.image, height, width_scale), text))
            used[sample.family] = used.get(sample.family, 0) + 1
    return lines, {"lines": len(lines), "script": generator.script, "families": dict(sorted(used.items()))}


class _Batches(torch.utils.data.Dataset):
    """One epoch's batches, distorted and padded: item i is batch i (images, widths, targets, target lengths)."""

    def __init__(
        self, lines: list, batches: list[list[int]], index: dict[str, int], clean: float, seed: int, start: int = 0
    ):
        self.lines, self.batches, self.index, self.clean, self.seed = lines, batches, index, clean, seed
        self.start = start  # batches already done (a resumed epoch)

    def __len__(self) -> int:
        return len(self.batches) - self.start

    def __getitem__(self, i: int):
        i += self.start
        rng = np.random.default_rng((self.seed, i))
        indices = self.batches[i]
        images = [
            img if rng.random() < self.clean else augment_line(img, rng) for img in (self.lines[j][0] for j in indices)
        ]
        targets = [self.index[c] for j in indices for c in self.lines[j][1]]
        batch, widths = batch_tensor(images)
        lengths = torch.tensor([len(self.lines[j][1]) for j in indices], dtype=torch.long)
        return batch, widths, torch.tensor(targets, dtype=torch.long), lengths


def _batch_loader(lines, batches, index, clean, seed, workers, start=0):
    dataset = _Batches(lines, batches, index, clean, seed, start)
    if workers <= 0:
        return (dataset[i] for i in range(len(dataset)))
    return torch.utils.data.DataLoader(
        dataset,
        batch_size=None,
        shuffle=False,
        num_workers=workers,
        pin_memory=torch.cuda.is_available(),
        prefetch_factor=4,
    )


def _epoch_batches(widths: list[int], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of similar-width lines: shuffle, sort within windows of 50 batches, shuffle the batches."""
    order = rng.permutation(len(widths)).tolist()
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: widths[i])
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


# -- schedule --------------------------------------------------------------------------------------------------


def _progress(started: float, minutes: float | None, step: int, epochs: int | None, steps_per_epoch: int) -> float:
    """Share of the budget spent: the larger of time used and steps done."""
    shares = []
    if minutes is not None:
        shares.append((time.monotonic() - started) / (minutes * 60))
    if epochs is not None:
        shares.append(step / (epochs * steps_per_epoch))
    return max(shares)


def _one_cycle(progress: float, peak: float, warmup: float = 0.05) -> float:
    if progress < warmup:
        return peak * (0.1 + 0.9 * progress / warmup)
    done = (progress - warmup) / (1 - warmup)
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * min(done, 1.0))))


# -- evaluation and records ------------------------------------------------------------------------------------


def _evaluate(recognizer: Recognizer, samples: list[tuple[np.ndarray, str]]) -> dict:
    from htr.metrics import evaluate_text

    recognizer.model.eval()
    results = recognizer._read([img for img, _ in samples], beam=0, batch_size=32, on_batch=None)
    recognizer.model.train()
    return evaluate_text([text for text, _ in results], [text for _, text in samples])


def _plot(path: Path, history: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not history:
        return
    minutes = [h["minutes"] for h in history]
    fig, loss_ax = plt.subplots(figsize=(7, 4))
    loss_ax.plot(minutes, [h["train_loss"] for h in history], color="tab:blue", label="train CTC loss")
    loss_ax.set_xlabel("minutes")
    loss_ax.set_ylabel("train CTC loss", color="tab:blue")
    cer_ax = loss_ax.twinx()
    cer_ax.plot(minutes, [h["val_cer"] for h in history], color="tab:red", marker=".", label="val CER")
    cer_ax.set_ylabel("validation CER (%)", color="tab:red")
    fig.suptitle("Line recognition training")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
