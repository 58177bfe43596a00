"""Assistant test helpers: a tiny random LLaVA model of the real classes, and archive pages seeded from ALTO.

ASSISTANT_VLM_DIR is set here, at collection, so that the session's Celery worker (started later, with a copy of
this environment) loads the tiny model through the same path as production; the model is built on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TINY_VLM_DIR = Path(os.environ["SKOROPIS_VAR"]) / "assistant-tiny-llava"
os.environ.setdefault("ASSISTANT_VLM_DIR", str(TINY_VLM_DIR))
os.environ.setdefault("ASSISTANT_VLM_MAX_NEW_TOKENS", "24")

CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'].upper() }}: {% for c in m['content'] %}{% if c['type'] == 'image' %}"
    "<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %} {% endfor %}{% if add_generation_prompt %}"
    "ASSISTANT:{% endif %}"
)


def build_tiny_llava(path: Path) -> Path:
    """A LlavaForConditionalGeneration with a 2-layer CLIP vision tower and a 2-layer Llama of the same toy size, a BPE tokenizer trained
    here on a few sentences, and a LlavaProcessor: random weights, the real classes, saved like any hub model."""
    if (path / "config.json").is_file():
        return path
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    torch.manual_seed(0)
    specials = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    corpus = [
        "What is in this picture? A page of a letter written in ink.",
        "Что на этой картинке? Письмо.",
    ] * 4
    bpe.train_from_iterator(
        corpus,
        trainers.BpeTrainer(
            vocab_size=320,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        ),
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens={"image_token": "<image>"},
    )
    tower = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2}
    vision = CLIPVisionConfig(**tower, image_size=32, patch_size=8, projection_dim=32)
    text = LlamaConfig(
        **tower,
        num_key_value_heads=2,
        vocab_size=len(tokenizer),
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_layer=-1,
        vision_feature_select_strategy="default",
    )
    model = LlavaForConditionalGeneration(config)
    # Random weights: keep special tokens out of the answer so it always has visible text.
    model.generation_config.suppress_tokens = [tokenizer.convert_tokens_to_ids(t) for t in specials]
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=tokenizer,
        patch_size=8,
        num_additional_image_tokens=1,
        vision_feature_select_strategy="default",
        chat_template=CHAT_TEMPLATE,
    )
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    processor.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_vlm_dir() -> Path:
    return build_tiny_llava(TINY_VLM_DIR)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """No assistant rate-limit counts left by an earlier test: the test clients all come from one address."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*assistant-rate:*"):
        client.delete(key)
    client.close()
