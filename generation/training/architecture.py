"""Kandinsky-2.2-shaped pipelines built from diffusers/transformers classes, at any (small) size.

The training script grows the embedded model from these; the tests build random ones at a toy size. Either way the
result is saved with `save_pretrained` and loaded back through the portal's one loading path.
"""

from dataclasses import dataclass

import torch
from diffusers import (
    DDPMScheduler,
    KandinskyV22InpaintPipeline,
    KandinskyV22Pipeline,
    KandinskyV22PriorPipeline,
    PriorTransformer,
    UnCLIPScheduler,
    UNet2DConditionModel,
    VQModel,
)
from transformers import (
    CLIPImageProcessor,
    CLIPTextConfig,
    CLIPTextModelWithProjection,
    CLIPTokenizer,
    CLIPVisionConfig,
    CLIPVisionModelWithProjection,
)
from transformers.convert_slow_tokenizer import bytes_to_unicode

BOS, EOS = "<|startoftext|>", "<|endoftext|>"


@dataclass(frozen=True)
class TinyKandinskySize:
    image_size: int = 64  # the CLIP vision input and the training resolution
    embed_dim: int = 64  # CLIP text/image embedding = prior embedding = decoder conditioning
    text_layers: int = 2
    vision_layers: int = 2
    patch_size: int = 8
    max_tokens: int = 16
    prior_layers: int = 2
    prior_heads: int = 2
    unet_channels: tuple[int, ...] = (64, 128)
    unet_head_dim: int = 16
    movq_channels: tuple[int, ...] = (32, 64, 64)  # len 3: images are 4x the latents
    latent_channels: int = 4
    norm_groups: int = 8


def build_tokenizer(words: list[str], max_tokens: int) -> CLIPTokenizer:
    """A CLIP BPE tokenizer whose merges spell each word of `words` as one token; other text falls back to bytes."""
    byte_chars = list(bytes_to_unicode().values())
    vocab: dict[str, int] = {}
    for token in byte_chars + [c + "</w>" for c in byte_chars]:
        vocab.setdefault(token, len(vocab))
    merges: list[tuple[str, str]] = []
    for word in words:
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        while len(pieces) > 1:
            merged = pieces[0] + pieces[1]
            merge = (pieces[0], pieces[1])
            if merge not in merges:
                merges.append(merge)
            vocab.setdefault(merged, len(vocab))
            pieces = [merged] + pieces[2:]
    vocab.setdefault(BOS, len(vocab))
    vocab.setdefault(EOS, len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=max_tokens)


def build_prior_pipeline(size: TinyKandinskySize, words: list[str]) -> KandinskyV22PriorPipeline:
    tokenizer = build_tokenizer(words, size.max_tokens)
    text_encoder = CLIPTextModelWithProjection(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            hidden_size=size.embed_dim,
            intermediate_size=size.embed_dim * 2,
            num_hidden_layers=size.text_layers,
            num_attention_heads=2,
            max_position_embeddings=size.max_tokens,
            projection_dim=size.embed_dim,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    image_encoder = CLIPVisionModelWithProjection(
        CLIPVisionConfig(
            hidden_size=size.embed_dim,
            intermediate_size=size.embed_dim * 2,
            num_hidden_layers=size.vision_layers,
            num_attention_heads=2,
            image_size=size.image_size,
            patch_size=size.patch_size,
            projection_dim=size.embed_dim,
        )
    )
    prior = PriorTransformer(
        num_attention_heads=size.prior_heads,
        attention_head_dim=size.embed_dim // size.prior_heads,
        num_layers=size.prior_layers,
        embedding_dim=size.embed_dim,
        num_embeddings=size.max_tokens,
    )
    # PriorTransformer starts with clip_std = 0, which would collapse every embedding to the mean.
    prior.clip_std.data.fill_(1.0)
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": size.image_size},
        crop_size={"height": size.image_size, "width": size.image_size},
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    scheduler = UnCLIPScheduler(
        variance_type="fixed_small_log",
        prediction_type="sample",
        num_train_timesteps=1000,
        clip_sample=True,
        clip_sample_range=10.0,
    )
    return KandinskyV22PriorPipeline(
        prior=prior,
        image_encoder=image_encoder,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        scheduler=scheduler,
        image_processor=image_processor,
    )


def build_decoder_pipeline(size: TinyKandinskySize) -> KandinskyV22Pipeline:
    levels = len(size.unet_channels)
    unet = UNet2DConditionModel(
        sample_size=size.image_size // 2 ** (len(size.movq_channels) - 1),
        in_channels=size.latent_channels,
        out_channels=size.latent_channels * 2,  # Kandinsky predicts noise + variance; the scheduler uses the first half
        addition_embed_type="image",
        down_block_types=("ResnetDownsampleBlock2D",) + ("SimpleCrossAttnDownBlock2D",) * (levels - 1),
        up_block_types=("SimpleCrossAttnUpBlock2D",) * (levels - 1) + ("ResnetUpsampleBlock2D",),
        mid_block_type="UNetMidBlock2DSimpleCrossAttn",
        block_out_channels=size.unet_channels,
        layers_per_block=1,
        encoder_hid_dim=size.embed_dim,
        encoder_hid_dim_type="image_proj",
        cross_attention_dim=size.embed_dim,
        attention_head_dim=size.unet_head_dim,
        resnet_time_scale_shift="scale_shift",
        class_embed_type=None,
        norm_num_groups=size.norm_groups,
    )
    movq = VQModel(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * len(size.movq_channels),
        up_block_types=("UpDecoderBlock2D",) * len(size.movq_channels),
        block_out_channels=size.movq_channels,
        layers_per_block=1,
        latent_channels=size.latent_channels,
        num_vq_embeddings=256,
        vq_embed_dim=size.latent_channels,
        norm_num_groups=size.norm_groups,
        sample_size=size.image_size,
    )
    scheduler = DDPMScheduler(
        num_train_timesteps=1000,
        beta_schedule="linear",
        beta_start=0.00085,
        beta_end=0.012,
        clip_sample=False,
        prediction_type="epsilon",
        timestep_spacing="leading",
        steps_offset=1,
        variance_type="fixed_small",
    )
    return KandinskyV22Pipeline(unet=unet, scheduler=scheduler, movq=movq)


def inpaint_decoder_from(decoder: KandinskyV22Pipeline) -> KandinskyV22InpaintPipeline:
    """A 9-channel inpainting decoder grown from a text-to-image decoder, the way SD-inpaint starts.

    The extra input channels (masked-image latents + mask) get zero weights, so the UNet first behaves exactly like
    the decoder it comes from; `KandinskyV22InpaintPipeline` re-imposes the known latents at every step (blended
    latent diffusion), which is what makes it inpaint before any inpainting fine-tune.
    """
    base = decoder.unet
    config = dict(base.config)
    config["in_channels"] = base.config.in_channels * 2 + 1
    unet = UNet2DConditionModel.from_config(config).to(base.dtype)
    state = base.state_dict()
    weight = state.pop("conv_in.weight")
    unet.load_state_dict(state, strict=False)
    with torch.no_grad():
        unet.conv_in.weight.zero_()
        unet.conv_in.weight[:, : weight.shape[1]] = weight
        unet.conv_in.bias.copy_(base.conv_in.bias)
    return KandinskyV22InpaintPipeline(unet=unet, scheduler=decoder.scheduler, movq=decoder.movq)
