"""A character n-gram language model for the CTC beam search: which letters tend to follow which.

Trained on the transcriptions a model was trained on (kept beside it as `lm.txt`, one line of text per line), so
it knows the spelling, abbreviations and punctuation of that archive's hands. Witten-Bell interpolation down to a
uniform distribution over the charset: an unseen n-gram still gets a probability, never zero. Order 4 (three
characters of context): on cremma-mss-18 the validation hand's perplexity is 22.0 for unigrams, 8.7 at order 3,
8.4 at 4, 9.1 at 5 and 10.3 at 6 (1,947 training lines are too few for longer contexts).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

LM_NAME = "lm.txt"
START = "\x02"  # what precedes the first character of a line


class CharLanguageModel:
    def __init__(self, lines: Iterable[str], charset: Iterable[str], order: int = 4):
        if order < 1:
            raise ValueError(f"order must be at least 1, got {order}")
        self.order = order
        self.vocabulary = set(charset)
        # counts[context][char]: context is the (up to order - 1) characters before `char`.
        self._counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.lines = 0
        for line in lines:
            if not line:
                continue
            self.lines += 1
            text = START * (order - 1) + line
            for i in range(order - 1, len(text)):
                for n in range(order):  # contexts of length 0 .. order - 1
                    self._counts[text[i - n : i]][text[i]] += 1
        self._totals = {context: sum(chars.values()) for context, chars in self._counts.items()}
        self._cache: dict[tuple[str, str], float] = {}

    @classmethod
    def load(cls, path: str | Path, charset: Iterable[str], order: int = 4) -> CharLanguageModel:
        return cls(Path(path).read_text(encoding="utf-8").splitlines(), charset, order)

    def log_prob(self, char: str, history: str) -> float:
        """log P(char | the characters before it on the line)."""
        width = self.order - 1
        context = (START * width + history[-width:])[-width:] if width else ""
        key = (context, char)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = math.log(self._prob(char, context))
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
