"""A character n-gram language model for the CTC beam search: which letters tend to follow which.

Trained on the transcriptions a model was trained on (kept beside it as `lm.txt`, one line of text per line), so
it knows the spelling, abbreviations and punctuation of that archive's hands. Witten-Bell interpolation down to a
uniform distribution over the charset: an unseen n-gram still gets a probability, never zero.

The order (how many characters of context, plus one) that serves best grows with the texts: on cremma-mss-18's
validation hand the perplexity of a model of its 1,947 training lines is 8.7 at order 3, 8.4 at 4, 9.1 at 5 and
10.3 at 6, while a model of the 11,785 lines of all five sets is best at 5 on every set's validation lines
(cremma-mss-18 6.85 at 4 -> 6.41 at 5 -> 6.79 at 6). So a training writes the texts (`write_lm_texts`), takes the
order whose model gives its validation transcriptions the lowest perplexity (cheap: no network), then chooses the
model's weight in the beam search on its validation lines (`tune_language_model`).

It also knows the words of its texts: where a word ends (a letter, then a character that is no part of a word),
a word it never saw costs `unknown_word` more (a log-probability, times the beam's LM weight like the rest). Made-up
words that the characters alone allow lose to known ones; a name the texts lack still wins when the ink says so.
On the Latin model's validation lines, where 18 % of the words are not in its training texts, -6 read better than
0 on every set (beam 8; `tune_language_model` chooses it on a training's own validation lines). The last word of
a line is not checked (beam search does not say where a line ends).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from htr.recognition.decoding import beam_decode, greedy_decode

if TYPE_CHECKING:
    from htr.recognition.model import LineRecognizer

LM_NAME = "lm.txt"
START = "\x02"  # what precedes the first character of a line
# Language-model weights and per-character bonuses a training tries on its validation lines (beam 8).
LM_GRID = [(w, b) for w in (0.2, 0.3, 0.5) for b in (0.5, 1.0, 1.5)]
# Orders a training chooses among, by perplexity on its validation transcriptions.
LM_ORDERS = (3, 4, 5, 6)
# The costs of an unknown word a training tries (with the weight and bonus it chose).
LM_UNKNOWN_WORD = (0.0, -3.0, -6.0)
# A word: letters (with an abbreviation's combining tilde or a superscript's caret) and digits.
_WORD_CHARS = "\u0303^"
_WORD = re.compile(r"[\w\u0303^]+")
_LAST_WORD = re.compile(r"[\w\u0303^]+$")


def _in_word(char: str) -> bool:
    return char.isalnum() or char in _WORD_CHARS


class CharLanguageModel:
    def __init__(self, lines: Iterable[str], charset: Iterable[str], order: int = 4, unknown_word: float = 0.0):
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        self.order = order
        self.unknown_word = unknown_word
        self.vocabulary = set(charset)
        self.words: set[str] = set()
        # counts[context][char]: context is the (up to order - 1) characters before `char`.
        self._counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.lines = 0
        for line in lines:
            if not line:
                continue
            self.lines += 1
            self.words.update(word.lower() for word in _WORD.findall(line))
            text = START * (order - 1) + line
            for i in range(order - 1, len(text)):
                for n in range(order):  # contexts of length 0 .. order - 1
                    self._counts[text[i - n : i]][text[i]] += 1
        self._totals = {context: sum(chars.values()) for context, chars in self._counts.items()}
        self._cache: dict[tuple[str, str], float] = {}

    @classmethod
    def load(
        cls, path: str | Path, charset: Iterable[str], order: int = 4, unknown_word: float = 0.0
    ) -> CharLanguageModel:
        return cls(Path(path).read_text(encoding="utf-8").splitlines(), charset, order, unknown_word)

    def log_prob(self, char: str, history: str) -> float:
        """log P(char | the characters before it on the line), less `unknown_word` where `char` ends a word
        that the texts do not hold."""
        width = self.order - 1
        context = (START * width + history[-width:])[-width:] if width else ""
        key = (context, char)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = math.log(self._prob(char, context))
        if self.unknown_word and history and not _in_word(char) and _in_word(history[-1]):
            if _LAST_WORD.search(history).group().lower() not in self.words:
                return cached + self.unknown_word
        return cached

    def _prob(self, char: str, context: str) -> float:
        p = 1.0 / (len(self.vocabulary) + 1)
        for n in range(len(context) + 1):  # from the empty context up to the longest
            ctx = context[len(context) - n :]
            chars = self._counts.get(ctx)
            if not chars:
                break  # a longer context has not been seen either
            total, kinds = self._totals[ctx], len(chars)
            p = (chars.get(char, 0) + kinds * p) / (total + kinds)
        return p

    def perplexity(self, lines: Iterable[str]) -> float:
        log_sum, count = 0.0, 0
        for line in lines:
            for i, char in enumerate(line):
                log_sum += self.log_prob(char, line[:i])
                count += 1
        return math.exp(-log_sum / max(count, 1))


def write_lm_texts(model_dir: Path, texts: list[str], base: str | None) -> None:
    """lm.txt: the texts the character language model of beam search learns from: the base model's and those of
    these that it does not hold already (going on training on the same lines does not count them twice)."""
    lines = []
    if base is not None and (Path(base) / LM_NAME).is_file():
        lines = (Path(base) / LM_NAME).read_text(encoding="utf-8").splitlines()
    known = Counter(lines)
    added = []
    for text in texts:
        if known[text] > 0:
            known[text] -= 1
        else:
            added.append(text)
    (Path(model_dir) / LM_NAME).write_text("".join(f"{line}\n" for line in [*lines, *added]), encoding="utf-8")


def tune_language_model(
    model: LineRecognizer, model_dir: Path, val_set: list[tuple[np.ndarray, str]], device, max_lines: int = 300
) -> dict:
    """Chooses the language model's order, weight, bonus and unknown-word cost for beam search; sets them in the
    config.

    The order is the one of LM_ORDERS whose model gives all the validation transcriptions the lowest perplexity.
    Then the network runs once on up to `max_lines` of the validation lines and each pair of LM_GRID decodes its
    output again; with the best pair, each cost of LM_UNKNOWN_WORD (the smaller on a tie). Returns the
    perplexities, and the CER of greedy decoding, of beam search alone and of each choice, so the log shows what
    the language model brings.
    """
    from htr.metrics import evaluate_text
    from htr.recognition import Recognizer  # the package imports this module

    texts = (Path(model_dir) / LM_NAME).read_text(encoding="utf-8").splitlines()
    models = {order: CharLanguageModel(texts, model.config.charset, order) for order in LM_ORDERS}
    perplexities = {order: round(lm.perplexity(text for _, text in val_set), 3) for order, lm in models.items()}
    model.config.lm_order = min(perplexities, key=lambda order: perplexities[order])
    lm = models[model.config.lm_order]
    lines = val_set[:max_lines]
    recognizer = Recognizer(model, device)
    outputs = []
    for start in range(0, len(lines), 32):
        log_probs, lengths = recognizer.log_probs([img for img, _ in lines[start : start + 32]])
        outputs += [log_probs[: lengths[row], row] for row in range(len(lengths))]
    truths = [text for _, text in lines]
    charset = model.config.charset

    def cer(decode) -> float:
        preds = ["".join(charset[c - 1] for c in decode(out)[0]).strip() for out in outputs]
        return round(evaluate_text(preds, truths)["cer"], 2)

    scores = {
        (w, b): cer(lambda out, w=w, b=b: beam_decode(out, 8, lm=lm, chars=charset, lm_weight=w, lm_bonus=b))
        for w, b in LM_GRID
    }
    weight, bonus = min(scores, key=lambda pair: scores[pair])
    model.config.lm_weight, model.config.lm_bonus = weight, bonus
    unknown = {}
    for cost in LM_UNKNOWN_WORD:
        lm.unknown_word = cost
        unknown[cost] = cer(lambda out: beam_decode(out, 8, lm=lm, chars=charset, lm_weight=weight, lm_bonus=bonus))
    lm.unknown_word = model.config.lm_unknown_word = min(unknown, key=lambda cost: (unknown[cost], -cost))
    model.train()
    return {
        "order": model.config.lm_order,
        "perplexity": perplexities,
        "weight": weight,
        "bonus": bonus,
        "unknown_word": model.config.lm_unknown_word,
        "val_cer_greedy": cer(greedy_decode),
        "val_cer_beam8": cer(lambda out: beam_decode(out, 8)),
        "val_cer_beam8_lm": unknown[model.config.lm_unknown_word],
        "grid": {f"{w}/{b}": v for (w, b), v in scores.items()},
        "unknown_word_grid": {str(cost): v for cost, v in unknown.items()},
    }
