"""Text-line recognition: page + lines in, text + per-character confidences out.

recognizer = Recognizer.load()                      # the shipped Latin-script model, cached per process
page = recognizer.read_page(image, page, beam=8)    # fills line.text and line.confidences
[(text, confidences)] = recognizer.read_lines([line_image])
"""

from __future__ import annotations

import dataclasses
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from htr.images import to_gray
from htr.lines import Line, Page
from htr.recognition.decoding import beam_decode, greedy_decode
from htr.recognition.language import LM_NAME, CharLanguageModel
from htr.recognition.lines import GRAY, batch_tensor, line_image, quarter_turns, width_buckets
from htr.recognition.model import LineRecognizer, RecognizerConfig
from htr.transcription import model_text

__all__ = ["DEFAULT_MODEL", "LineRecognizer", "Recognizer", "RecognizerConfig", "normalise_text"]

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "recognition-latin"

# Called after each batch with (lines done, lines in all).
OnBatch = Callable[[int, int], None]

_cache: dict[tuple[str, str], Recognizer] = {}
_cache_lock = threading.Lock()


def normalise_text(text: str) -> str:
    """The form texts are trained and compared in: Unicode NFC, whitespace runs as one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def _likelihood(confidences: list[float]) -> float:
    """How sure a reading is: the mean of its characters' confidences (0 for nothing read)."""
    return float(np.mean(confidences)) if confidences else 0.0


class Recognizer:
    """A loaded recognition model and the work around it: line extraction, batching, decoding."""

    def __init__(
        self,
        model: LineRecognizer,
        device: str | torch.device = "cpu",
        path: str | None = None,
        language_model: CharLanguageModel | None = None,
    ):
        self.model = model.to(device).eval()
        self.device = torch.device(device)
        self.path = path
        # Used by beam search (beam > 1) only; greedy decoding reads what the network alone says.
        self.language_model = language_model

    @property
    def charset(self) -> list[str]:
        return self.model.config.charset

    @property
    def height(self) -> int:
        return self.model.config.height

    def model_text(self, text: str) -> str:
        """A ground-truth line in the form this model writes (htr.transcription): what to score its reading
        against; "" for a line that is not text to read (an illegible mark, a page code)."""
        return model_text(text, self.model.config.transcription)

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | None = None) -> Recognizer:
        """The model at `path` (default: the shipped Latin model) on `device`, loaded once per process.

        Its character language model (lm.txt beside the weights), if it has one, comes with it for beam search.
        """
        directory = Path(path) if path is not None else DEFAULT_MODEL
        device = device or default_device()
        key = (str(directory.resolve()), device)
        with _cache_lock:
            if key not in _cache:
                model = LineRecognizer.from_pretrained(directory, device=device)
                lm_path = directory / LM_NAME
                lm = (
                    CharLanguageModel.load(
                        lm_path, model.config.charset, model.config.lm_order, model.config.lm_unknown_word
                    )
                    if lm_path.is_file()
                    else None
                )
                _cache[key] = cls(model, device, str(directory), lm)
            return _cache[key]

    # -- reading --------------------------------------------------------------------------------------

    def read_page(
        self,
        image: np.ndarray,
        page: Page,
        beam: int = 0,
        batch_size: int = 32,
        on_batch: OnBatch | None = None,
    ) -> Page:
        """A copy of `page` whose lines carry the text read and one confidence per character."""
        return self.read_pages([image], [page], beam=beam, batch_size=batch_size, on_batch=on_batch)[0]

    def read_pages(
        self,
        images: Sequence[np.ndarray],
        pages: Sequence[Page],
        beam: int = 0,
        batch_size: int = 64,
        on_batch: OnBatch | None = None,
    ) -> list[Page]:
        """`read_page` for several pages at once: their lines share batches (what keeps a GPU busy)."""
        if len(images) != len(pages):
            raise ValueError(f"{len(images)} images for {len(pages)} pages")
        inputs: list[np.ndarray] = []
        # A line written down or up the page (a margin note) is read both ways: its baseline's direction may be a
        # guess (the segmenter takes every such line to run down). The likelier reading wins.
        turned: list[tuple[int, Line]] = []
        for image, page in zip(images, pages):
            gray = to_gray(image, GRAY)
            for line in page.lines:
                if quarter_turns(line):
                    other = dataclasses.replace(line, baseline=line.baseline[::-1])
                    turned.append((len(inputs), other))
                    inputs.append(self._input(gray, line))
                    inputs.append(self._input(gray, other))
                else:
                    inputs.append(self._input(gray, line))
        results = self._read(inputs, beam=beam, batch_size=batch_size, on_batch=on_batch)
        others = dict(turned)
        read: list[tuple[str, list[float], Line | None]] = []
        i = 0
        while i < len(results):
            if i in others:
                (text, conf), (other_text, other_conf) = results[i], results[i + 1]
                if _likelihood(other_conf) > _likelihood(conf):
                    read.append((other_text, other_conf, others[i]))
                else:
                    read.append((text, conf, None))
                i += 2
            else:
                read.append((*results[i], None))
                i += 1
        it = iter(read)
        out = []
        for page in pages:
            lines = []
            for line, (text, confidences, other) in zip(page.lines, it):
                lines.append(dataclasses.replace(other or line, text=text, confidences=confidences))
            out.append(dataclasses.replace(page, lines=lines))
        return out

    def read_lines(
        self,
        line_images: Sequence[np.ndarray],
        beam: int = 0,
        batch_size: int = 32,
        on_batch: OnBatch | None = None,
    ) -> list[tuple[str, list[float]]]:
        """Reads whole-line images (gray or colour, dark ink on light paper): [(text, confidences)]."""
        inputs = [self._input(img, None) for img in line_images]
        return self._read(inputs, beam=beam, batch_size=batch_size, on_batch=on_batch)

    def _input(self, gray: np.ndarray, line) -> np.ndarray:
        config = self.model.config
        return line_image(gray, line, config.height, config.width_scale, config.normalisation)

    def _read(
        self, inputs: list[np.ndarray], beam: int, batch_size: int, on_batch: OnBatch | None
    ) -> list[tuple[str, list[float]]]:
        results: list[tuple[str, list[float]]] = [("", [])] * len(inputs)
        if not inputs:
            return results
        done = 0
        # Bound the padded width per batch too, so a few very long lines do not blow up memory.
        max_width = batch_size * 40 * self.height
        for indices in width_buckets([img.shape[1] for img in inputs], batch_size, max_width):
            log_probs, lengths = self.log_probs([inputs[i] for i in indices])
            for row, i in enumerate(indices):
                results[i] = self.decode(log_probs[: lengths[row], row], beam=beam)
            done += len(indices)
            if on_batch is not None:
                on_batch(done, len(inputs))
        return results

    def log_probs(self, images: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
        """Network output for a batch of ink images: (frames, batch, classes) log-probs and frames per line."""
        batch, widths = batch_tensor(images)
        batch = batch.to(self.device)
        with torch.inference_mode():
            if self.device.type == "cuda":
                with torch.autocast("cuda", dtype=torch.float16):
                    out = self.model(batch, widths)
            else:
                out = self.model(batch, widths)
        lengths = self.model.output_lengths(widths).clamp(min=1, max=out.shape[0]).tolist()
        return out.float().cpu().numpy(), lengths

    def decode(self, log_probs: np.ndarray, beam: int = 0) -> tuple[str, list[float]]:
        charset = self.charset
        if beam > 1:
            config = self.model.config
            labels, confidences = beam_decode(
                log_probs,
                beam,
                lm=self.language_model,
                chars=charset,
                lm_weight=config.lm_weight,
                lm_bonus=config.lm_bonus,
            )
        else:
            labels, confidences = greedy_decode(log_probs)
        chars = [charset[label - 1] for label in labels]
        # Spaces at either end are not text; drop them with their confidences.
        while chars and chars[0] == " ":
            chars.pop(0)
            confidences.pop(0)
        while chars and chars[-1] == " ":
            chars.pop()
            confidences.pop()
        return "".join(chars), [round(float(c), 4) for c in confidences]
