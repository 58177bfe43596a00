"""The vision-language backend: a LLaVA-family model read through transformers from a local directory.

Loaded once per worker process (cache keyed by directory and device), on the GPU queue; tokens are handed to a
callback as they are generated, so the chat shows the answer while it is being written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MAX_IMAGE_SIDE = 1344  # the processors resize further; this only bounds the work of decoding huge scans


class VLMError(RuntimeError):
    """The configured model cannot be used; the message says why."""


@dataclass
class VisionLanguageModel:
    model: object
    processor: object
    device: str
    path: str

    @property
    def name(self) -> str:
        return Path(self.path).name


_cache: dict[tuple[str, str], VisionLanguageModel] = {}
_lock = threading.Lock()


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_vlm(path: str | Path, device: str | None = None) -> VisionLanguageModel:
    """The model in `path` (config.json + safetensors + processor files), on `device` (default: CUDA if present)."""
    path = Path(path).expanduser().resolve()
    if not (path / "config.json").is_file():
        raise VLMError(f"ASSISTANT_VLM_DIR={path} holds no config.json: not a saved transformers model")
    device = pick_device(device)
    key = (str(path), device)
    with _lock:
        if key in _cache:
            return _cache[key]
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        dtype = torch.float16 if device.startswith("cuda") else torch.float32
        try:
            processor = AutoProcessor.from_pretrained(str(path), local_files_only=True)
            model = AutoModelForImageTextToText.from_pretrained(str(path), local_files_only=True, dtype=dtype)
        except (OSError, ValueError, KeyError) as exc:
            raise VLMError(f"could not load the vision-language model in {path}: {exc}") from exc
        model = model.to(device).eval()
        _cache[key] = VisionLanguageModel(model=model, processor=processor, device=device, path=str(path))
        return _cache[key]


def _prompt(processor, question: str) -> str:
    messages = [
        {
            "role": "user",
            "content": [{"type": "image"}, {"type": "text", "text": question}],
        }
    ]
    if getattr(processor, "chat_template", None):
        return processor.apply_chat_template(messages, add_generation_prompt=True)
    return f"USER: <image>\n{question} ASSISTANT:"


class _CallbackStreamer:
    """Decodes the growing answer after each token and hands on what is new (holding back half a character)."""

    def __init__(self, tokenizer, on_text: Callable[[str], None]):
        self.tokenizer = tokenizer
        self.on_text = on_text
        self.ids: list[int] = []
        self.sent = 0
        self.prompt_seen = False

    def put(self, value) -> None:
        if not self.prompt_seen:  # generate() first hands over the prompt
            self.prompt_seen = True
            return
        self.ids.extend(int(v) for v in value.reshape(-1).tolist())
        self._flush(final=False)

    def end(self) -> None:
        self._flush(final=True)

    def _flush(self, final: bool) -> None:
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):
            return
        if len(text) > self.sent:
            self.on_text(text[self.sent :])
            self.sent = len(text)


def vlm_answer(
    vlm: VisionLanguageModel,
    image,
    question: str,
    *,
    max_new_tokens: int = 256,
    on_text: Callable[[str], None] | None = None,
) -> str:
    """Answer one question about one PIL image; `on_text` receives the answer piece by piece."""
    import torch

    image = image.convert("RGB")
    if max(image.size) > MAX_IMAGE_SIDE:
        image.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    processor = vlm.processor
    inputs = processor(images=image, text=_prompt(processor, question), return_tensors="pt").to(vlm.device)
    if "pixel_values" in inputs and vlm.device.startswith("cuda"):
        inputs["pixel_values"] = inputs["pixel_values"].to(vlm.model.dtype)
    tokenizer = processor.tokenizer
    streamer = _CallbackStreamer(tokenizer, on_text or (lambda _text: None))
    with torch.inference_mode():
        output = vlm.model.generate(
            **inputs,
            max_new_tokens=max_new_tokens,
            do_sample=False,
            streamer=streamer,
            pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
        )
    answer_ids = output[0, inputs["input_ids"].shape[1] :]
    return tokenizer.decode(answer_ids, skip_special_tokens=True).strip()
