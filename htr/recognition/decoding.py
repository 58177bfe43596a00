"""CTC decoding: greedy (best path) and prefix beam search, each with one confidence per character.

A character's confidence is the highest probability the network gave it on any frame it was read from.
Inputs are per-line log-probabilities of shape (frames, classes), class 0 being the blank.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np

BLANK = 0
_NEG_INF = -math.inf


class LanguageModel(Protocol):
    def log_prob(self, char: str, history: str) -> float: ...


def greedy_decode(log_probs: np.ndarray) -> tuple[list[int], list[float]]:
    """Best path: the most likely class per frame, repeats merged, blanks dropped."""
    if len(log_probs) == 0:
        return [], []
    best = log_probs.argmax(axis=1)
    probs = np.exp(log_probs[np.arange(len(best)), best])
    labels: list[int] = []
    confidences: list[float] = []
    previous = BLANK
    for label, prob in zip(best.tolist(), probs.tolist()):
        if label != BLANK:
            if label != previous:
                labels.append(label)
                confidences.append(prob)
            else:
                confidences[-1] = max(confidences[-1], prob)
        previous = label
    return labels, confidences


def _logadd(a: float, b: float) -> float:
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    hi, lo = (a, b) if a > b else (b, a)
    return hi + math.log1p(math.exp(lo - hi))


def _add(beams: dict, confs: dict, prefix: tuple[int, ...], slot: int, score: float, conf: list[float]) -> None:
    entry = beams.setdefault(prefix, [_NEG_INF, _NEG_INF])
    entry[slot] = _logadd(entry[slot], score)
    if prefix not in confs or score > confs[prefix][0]:
        confs[prefix] = (score, conf)


def beam_decode(
    log_probs: np.ndarray,
    beam: int = 8,
    prune: float = 1e-3,
    lm: LanguageModel | None = None,
    chars: Sequence[str] = (),
    lm_weight: float = 0.5,
    lm_bonus: float = 1.0,
) -> tuple[list[int], list[float]]:
    """CTC prefix beam search, keeping `beam` prefixes; classes under `prune` probability on a frame are skipped.

    With a character language model `lm` (and `chars`, class i's character at i - 1), prefixes are ranked by
    the network's log-probability + `lm_weight` × the language model's + `lm_bonus` per character (which keeps
    the language model from favouring short readings). Confidences stay the network's own.
    """
    if beam <= 1:
        return greedy_decode(log_probs)
    log_prune = math.log(prune)
    # prefix -> [log p(ending in blank), log p(ending in a character)]
    beams: dict[tuple[int, ...], list[float]] = {(): [0.0, _NEG_INF]}
    confidences: dict[tuple[int, ...], list[float]] = {(): []}
    # prefix -> (its text, its language-model score); only with a language model.
    scored: dict[tuple[int, ...], tuple[str, float]] = {(): ("", 0.0)}

    def extend(prefix: tuple[int, ...], c: int) -> None:
        if lm is not None and prefix + (c,) not in scored:
            text, score = scored[prefix]
            char = chars[c - 1]
            scored[prefix + (c,)] = (text + char, score + lm_weight * lm.log_prob(char, text) + lm_bonus)

    def rank(item) -> float:
        return _logadd(*item[1]) + (scored[item[0]][1] if lm is not None else 0.0)

    for frame in log_probs:
        candidates = [c for c in np.flatnonzero(frame > log_prune).tolist() if c != BLANK]
        blank = float(frame[BLANK])
        following: dict[tuple[int, ...], list[float]] = {}
        # Each prefix keeps the confidences of its most probable way in.
        following_conf: dict[tuple[int, ...], tuple[float, list[float]]] = {}

        for prefix, (p_blank, p_char) in beams.items():
            total = _logadd(p_blank, p_char)
            conf = confidences[prefix]
            _add(following, following_conf, prefix, 0, total + blank, conf)
            last = prefix[-1] if prefix else None
            for c in candidates:
                p = float(frame[c])
                extend(prefix, c)
                if c == last:
                    # The same character again without a blank in between stays one character...
                    _add(following, following_conf, prefix, 1, p_char + p, [*conf[:-1], max(conf[-1], math.exp(p))])
                    # ...and only a blank-separated repeat makes a new one.
                    _add(following, following_conf, prefix + (c,), 1, p_blank + p, [*conf, math.exp(p)])
                else:
                    _add(following, following_conf, prefix + (c,), 1, total + p, [*conf, math.exp(p)])
        ranked = sorted(following.items(), key=rank, reverse=True)[:beam]
        beams = dict(ranked)
        confidences = {prefix: following_conf[prefix][1] for prefix in beams}
        if lm is not None:
            scored = {prefix: scored[prefix] for prefix in beams}
    best = max(beams.items(), key=rank)[0]
    return list(best), confidences[best]
