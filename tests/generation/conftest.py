"""Generation tests: tiny random Kandinsky 2.2 pipelines (the real diffusers/transformers classes, random weights),
saved with `save_pretrained` where the real Celery worker of tests/conftest.py will load them from.

The worker reads GENERATION_MODEL_DIR from its environment when it starts, and it starts after every conftest was
imported, so the folder is named here at import time and filled by a session fixture before the first job.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY_MODEL_DIR = Path(os.environ["SKOROPIS_VAR"]) / "tiny-generation-models"
os.environ["GENERATION_MODEL_DIR"] = str(TINY_MODEL_DIR)
os.environ["GENERATION_KANDINSKY3"] = str(TINY_MODEL_DIR / "kandinsky3")
for _name in (
    "GENERATION_PRIOR",
    "GENERATION_DECODER",
    "GENERATION_INPAINT",
    "GENERATION_VIDEO",
):
    os.environ.pop(_name, None)


def _point_settings_at_tiny_models() -> None:
    from django.conf import settings

    settings.GENERATION_MODEL_DIR = TINY_MODEL_DIR
    settings.GENERATION_MODELS = {
        "kandinsky22_prior": str(TINY_MODEL_DIR / "prior"),
        "kandinsky22_decoder": str(TINY_MODEL_DIR / "decoder"),
        "kandinsky22_inpaint": str(TINY_MODEL_DIR / "decoder-inpaint"),
        "kandinsky3": str(TINY_MODEL_DIR / "kandinsky3"),
        "video": None,
    }


_point_settings_at_tiny_models()


def build_tiny_models(folder: Path) -> Path:
    """Random pipelines at a toy size: 32 px pictures, 8x8 latents, 16-dim embeddings."""
    import torch

    from generation.training.architecture import (
        TinyKandinskySize,
        build_decoder_pipeline,
        build_prior_pipeline,
        inpaint_decoder_from,
    )
    from generation.training.shapes import VOCABULARY

    size = TinyKandinskySize(
        image_size=32,
        embed_dim=16,
        text_layers=1,
        vision_layers=1,
        patch_size=8,
        max_tokens=12,
        prior_layers=1,
        prior_heads=2,
        unet_channels=(8, 16),
        unet_head_dim=4,
        movq_channels=(8, 8, 8),
        latent_channels=4,
        norm_groups=4,
    )
    torch.manual_seed(0)
    prior = build_prior_pipeline(size, VOCABULARY)
    decoder = build_decoder_pipeline(size)
    folder.mkdir(parents=True, exist_ok=True)
    prior.save_pretrained(folder / "prior")
    decoder.save_pretrained(folder / "decoder")
    inpaint_decoder_from(decoder).save_pretrained(folder / "decoder-inpaint")
    build_tiny_kandinsky3(folder / "kandinsky3")
    (folder / "skoropis-model.json").write_text(
        '{"name": "tiny-random-k22", "description": "random weights for tests", "native_size": 32}'
    )
    return folder


def build_tiny_kandinsky3(folder: Path) -> None:
    """A random Kandinsky3Pipeline: T5 encoder + unigram tokenizer built here, 8x movq."""
    import torch
    from diffusers import DDPMScheduler, Kandinsky3Pipeline, Kandinsky3UNet, VQModel
    from transformers import T5Config, T5EncoderModel, T5Tokenizer

    from generation.training.shapes import VOCABULARY

    torch.manual_seed(0)
    pieces = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("\u2581" + word, -1.0) for word in VOCABULARY]
    pieces += [(c, -5.0) for c in "abcdefghijklmnopqrstuvwxyz\u2581"]
    tokenizer = T5Tokenizer(vocab=pieces, extra_ids=0)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=8,
        d_ff=37,
        num_layers=1,
        num_heads=4,
    )
    unet = Kandinsky3UNet(
        in_channels=4,
        time_embedding_dim=4,
        groups=2,
        attention_head_dim=4,
        layers_per_block=3,  # Kandinsky3UNet needs 3 (fewer breaks its skip connections)
        block_out_channels=(32, 64),
        cross_attention_dim=4,
        encoder_hid_dim=32,
    )
    scheduler = DDPMScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        steps_offset=1,
        beta_schedule="squaredcos_cap_v2",
        clip_sample=True,
    )
    movq = VQModel(
        block_out_channels=[8, 8, 8, 8],
        down_block_types=["DownEncoderBlock2D"] * 4,
        up_block_types=["UpDecoderBlock2D"] * 4,
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=4,
        num_vq_embeddings=12,
        vq_embed_dim=4,
    )
    pipe = Kandinsky3Pipeline(
        tokenizer=tokenizer,
        text_encoder=T5EncoderModel(config),
        unet=unet,
        scheduler=scheduler,
        movq=movq,
    )
    pipe.save_pretrained(folder)


@pytest.fixture(scope="session")
def tiny_models() -> Path:
    if not (TINY_MODEL_DIR / "decoder-inpaint" / "model_index.json").is_file():
        build_tiny_models(TINY_MODEL_DIR)
    _point_settings_at_tiny_models()
    return TINY_MODEL_DIR


@pytest.fixture
def generation_worker(tiny_models, celery_worker, settings):
    """The shared real worker, with the tiny models in place; limits loosened so tests do not trip them."""
    _point_settings_at_tiny_models()
    settings.GENERATION_RATE_LIMIT = 10_000
    settings.GENERATION_MAX_ACTIVE_PER_USER = 100
    return celery_worker


@pytest.fixture(scope="session")
def daphne_url(tiny_models, daphne_server):
    """The shared daphne server (tests/conftest.py), once the tiny models it will show exist."""
    return daphne_server
