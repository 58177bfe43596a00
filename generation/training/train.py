"""Train the embedded demo model: a tiny Kandinsky 2.2 (CLIP text+image encoders, prior, movq, decoder UNet).

    python -m generation.training.train --out generation/models/shapes-k22-tiny --minutes 25

Four stages on one CPU thread, each given a share of the time budget: CLIP (contrastive, text <-> image), movq (an
autoencoder; Kandinsky decodes with `force_not_quantize=True`, so the codebook is never used), the prior (text
embedding -> CLIP image embedding, x0-prediction like unCLIP) and the decoder UNet (noise prediction on movq latents,
conditioned on the CLIP image embedding, 10% dropped to the zero-image embedding for classifier-free guidance).
The result is written with `save_pretrained` as `<out>/prior` and `<out>/decoder`, plus samples and a metrics file.
"""

import argparse
import copy
import json
import logging
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from generation.training.architecture import (
    TinyKandinskySize,
    build_decoder_pipeline,
    build_prior_pipeline,
    inpaint_decoder_from,
)
from generation.training.shapes import VOCABULARY, make_dataset

log = logging.getLogger("generation.training")

SIZE = TinyKandinskySize(unet_channels=(32, 64), movq_channels=(16, 32, 32), unet_head_dim=16)
CARD = {
    "name": "shapes-k22-tiny",
    "description": "Embedded demo model: a tiny Kandinsky 2.2 (prior + decoder + inpainting decoder) trained here on "
    "one CPU thread for 25 minutes on synthetic pictures of one coloured shape (circle, square, triangle, cross) on a "
    "plain background, 64×64 px. It follows the colours of the prompt (8 colours) and roughly the shape; it knows "
    "nothing else. Set GENERATION_MODEL_DIR to real Kandinsky 2.2 folders for real pictures.",
    "example_prompts": [
        "a red circle on a blue background",
        "a yellow square on a black background",
        "an orange cross on a purple background",
    ],
    "native_size": 64,
}
SHARES = {"clip": 0.06, "movq": 0.18, "prior": 0.06, "decoder": 0.70}


class Budget:
    """A stage's time-boxed training loop: cosine learning rate over its wall-clock share, and each step's update."""

    def __init__(self, name: str, seconds: float, optimizer: torch.optim.Optimizer, base_lr: float, log_every: int):
        self.name = name
        self.start = time.monotonic()
        self.seconds = seconds
        self.optimizer = optimizer
        self.base_lr = base_lr
        self.log_every = log_every
        self.step = 0
        self.loss = float("nan")

    def running(self) -> bool:
        fraction = (time.monotonic() - self.start) / self.seconds
        if fraction >= 1.0:
            return False
        warmup = min(1.0, (self.step + 1) / 50)
        for group in self.optimizer.param_groups:
            group["lr"] = self.base_lr * warmup * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * fraction)))
        self.step += 1
        return True

    def learn(self, loss: torch.Tensor, clip=None) -> None:
        """One optimiser step on `loss`, the gradient norm over the parameters `clip` (if given) clipped to 1; the
        loss is kept and logged every `log_every` steps."""
        self.optimizer.zero_grad()
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(clip, 1.0)
        self.optimizer.step()
        self.loss = loss.item()
        if self.step % self.log_every == 0:
            log.info("%s step %d loss %.4f", self.name, self.step, self.loss)


def noised(scheduler, x0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A diffusion step's input: the noise, a random timestep for each of `x0`, and `x0` noised to it."""
    noise = torch.randn_like(x0)
    t = torch.randint(0, scheduler.config.num_train_timesteps, (len(x0),))
    return noise, t, scheduler.add_noise(x0, noise, t)


def to_pixels(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def train_clip(prior_pipe, images, captions, labels, seconds: float, batch: int = 64) -> dict:
    text_encoder, image_encoder, tokenizer = (
        prior_pipe.text_encoder,
        prior_pipe.image_encoder,
        prior_pipe.tokenizer,
    )
    logit_scale = torch.nn.Parameter(torch.tensor(math.log(10.0)))
    params = list(text_encoder.parameters()) + list(image_encoder.parameters()) + [logit_scale]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    budget = Budget("clip", seconds, optimizer, 1e-3, log_every=100)
    label_ids = np.array([hash(label) for label in labels])
    text_encoder.train(), image_encoder.train()
    while budget.running():
        idx = np.random.randint(0, len(images), batch)
        pixels = to_pixels(images[idx])
        tokens = tokenizer(
            [captions[i] for i in idx],
            padding="max_length",
            max_length=tokenizer.model_max_length,
            truncation=True,
            return_tensors="pt",
        )
        image_embeds = F.normalize(image_encoder(pixel_values=pixels).image_embeds, dim=-1)
        text_embeds = F.normalize(text_encoder(input_ids=tokens.input_ids).text_embeds, dim=-1)
        logits = logit_scale.exp().clamp(max=100) * image_embeds @ text_embeds.T
        same = torch.from_numpy(label_ids[idx][:, None] == label_ids[idx][None, :]).float()
        targets = same / same.sum(1, keepdim=True)
        loss = 0.5 * (
            torch.sum(-targets * F.log_softmax(logits, 1), 1).mean()
            + torch.sum(-targets * F.log_softmax(logits.T, 1), 1).mean()
        )
        budget.learn(loss)
    text_encoder.eval(), image_encoder.eval()
    return {"steps": budget.step, "loss": budget.loss}


def train_movq(movq, images, seconds: float, batch: int = 16) -> dict:
    optimizer = torch.optim.AdamW(movq.parameters(), lr=1e-3, weight_decay=0.0)
    budget = Budget("movq", seconds, optimizer, 1e-3, log_every=50)
    movq.train()
    while budget.running():
        pixels = to_pixels(images[np.random.randint(0, len(images), batch)])
        latents = movq.encode(pixels).latents
        recon = movq.decode(latents, force_not_quantize=True).sample
        loss = F.l1_loss(recon, pixels) + F.mse_loss(recon, pixels) + 1e-4 * latents.pow(2).mean()
        budget.learn(loss)
    movq.eval()
    # Rescale so latents have unit std (Kandinsky has no scaling factor): an exactly equivalent reparametrisation.
    with torch.inference_mode():
        sample = torch.cat([movq.encode(to_pixels(images[i : i + 64])).latents for i in range(0, 512, 64)])
        std = sample.std().item()
        movq.quant_conv.weight.div_(std)
        movq.quant_conv.bias.div_(std)
        movq.post_quant_conv.weight.mul_(std)
        pixels = to_pixels(images[:64])
        mae = (movq.decode(movq.encode(pixels).latents, force_not_quantize=True).sample - pixels).abs().mean().item()
    return {
        "steps": budget.step,
        "loss": budget.loss,
        "latent_std_before_rescale": std,
        "recon_mae_0_255": mae * 127.5,
    }


@torch.inference_mode()
def encode_dataset(prior_pipe, movq, images, batch: int = 128) -> tuple[torch.Tensor, torch.Tensor]:
    embeds, latents = [], []
    for i in range(0, len(images), batch):
        pixels = to_pixels(images[i : i + batch])
        embeds.append(prior_pipe.image_encoder(pixel_values=pixels).image_embeds)
        latents.append(movq.encode(pixels).latents)
    return torch.cat(embeds), torch.cat(latents)


def train_prior(prior_pipe, embeds, captions, seconds: float, batch: int = 64) -> dict:
    prior, tokenizer, text_encoder = (
        prior_pipe.prior,
        prior_pipe.tokenizer,
        prior_pipe.text_encoder,
    )
    scheduler = prior_pipe.scheduler
    with torch.no_grad():
        prior.clip_mean.copy_(embeds.mean(0, keepdim=True))
        prior.clip_std.copy_(embeds.std(0, keepdim=True))
    normalized = (embeds - prior.clip_mean.detach()) / prior.clip_std.detach()
    params = [p for name, p in prior.named_parameters() if name not in ("clip_mean", "clip_std")]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    budget = Budget("prior", seconds, optimizer, 1e-3, log_every=100)
    prior.train()
    while budget.running():
        idx = np.random.randint(0, len(embeds), batch)
        texts = [captions[i] if random.random() > 0.1 else "" for i in idx]
        tokens = tokenizer(
            texts,
            padding="max_length",
            max_length=tokenizer.model_max_length,
            truncation=True,
            return_tensors="pt",
        )
        with torch.no_grad():
            text_out = text_encoder(input_ids=tokens.input_ids)
        x0 = normalized[idx]
        _, t, noisy = noised(scheduler, x0)
        pred = prior(
            noisy,
            timestep=t,
            proj_embedding=text_out.text_embeds,
            encoder_hidden_states=text_out.last_hidden_state,
            attention_mask=tokens.attention_mask.bool(),
        ).predicted_image_embedding
        loss = F.mse_loss(pred, x0)
        budget.learn(loss)
    prior.eval()
    return {"steps": budget.step, "loss": budget.loss}


def train_decoder(decoder_pipe, zero_embed, embeds, latents, seconds: float, batch: int = 32) -> dict:
    unet, scheduler = decoder_pipe.unet, decoder_pipe.scheduler
    ema = copy.deepcopy(unet).eval()
    optimizer = torch.optim.AdamW(unet.parameters(), lr=1e-3, weight_decay=0.0)
    budget = Budget("decoder", seconds, optimizer, 1e-3, log_every=50)
    unet.train()
    channels = latents.shape[1]
    while budget.running():
        idx = torch.randint(0, len(latents), (batch,))
        x0 = latents[idx]
        if random.random() < 0.5:  # the shapes are symmetric under a horizontal flip; the embedding is not moved
            x0 = x0.flip(-1)
        cond = embeds[idx].clone()
        drop = torch.rand(batch) < 0.1
        cond[drop] = zero_embed
        noise, t, noisy = noised(scheduler, x0)
        pred = unet(
            noisy,
            t,
            encoder_hidden_states=None,
            added_cond_kwargs={"image_embeds": cond},
        ).sample
        loss = F.mse_loss(pred[:, :channels], noise)
        budget.learn(loss, clip=unet.parameters())
        decay = min(0.998, (1 + budget.step) / (10 + budget.step))
        with torch.no_grad():
            for p_ema, p in zip(ema.parameters(), unet.parameters()):
                p_ema.lerp_(p, 1 - decay)
    unet.load_state_dict(ema.state_dict())
    unet.eval()
    return {"steps": budget.step, "loss": budget.loss, "ema_decay": 0.998}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--minutes",
        type=float,
        default=25.0,
        help="total training time budget (all stages)",
    )
    parser.add_argument("--images", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)

    started = time.monotonic()
    images, captions, labels = make_dataset(args.images, seed=args.seed, size=SIZE.image_size)
    log.info("dataset: %d images in %.1fs", len(images), time.monotonic() - started)
    prior_pipe = build_prior_pipeline(SIZE, VOCABULARY)
    decoder_pipe = build_decoder_pipeline(SIZE)
    budget = args.minutes * 60
    report: dict = {
        "size": SIZE.__dict__,
        "images": args.images,
        "minutes_budget": args.minutes,
        "threads": args.threads,
    }
    report["clip"] = train_clip(prior_pipe, images, captions, labels, budget * SHARES["clip"])
    report["movq"] = train_movq(decoder_pipe.movq, images, budget * SHARES["movq"])
    embeds, latents = encode_dataset(prior_pipe, decoder_pipe.movq, images)
    with torch.inference_mode():
        zero_embed = prior_pipe.get_zero_embed(1, device="cpu")[0]
    report["prior"] = train_prior(prior_pipe, embeds, captions, budget * SHARES["prior"])
    report["decoder"] = train_decoder(decoder_pipe, zero_embed, embeds, latents, budget * SHARES["decoder"])
    report["train_seconds"] = round(time.monotonic() - started, 1)
    log.info("trained in %.1fs", report["train_seconds"])

    args.out.mkdir(parents=True, exist_ok=True)
    # fp16 on disk halves the committed size; the portal loads fp32 on CPU and fp16 on CUDA.
    prior_pipe.to(torch.float16).save_pretrained(args.out / "prior", safe_serialization=True)
    decoder_pipe.to(torch.float16).save_pretrained(args.out / "decoder", safe_serialization=True)
    inpaint_decoder_from(decoder_pipe).save_pretrained(args.out / "decoder-inpaint", safe_serialization=True)
    (args.out / "skoropis-model.json").write_text(json.dumps(CARD, indent=2))
    (args.out / "training.json").write_text(json.dumps(report, indent=2, default=str))
    log.info("saved to %s", args.out)
    from generation.training.samples import write_samples

    report["samples"] = write_samples(args.out)
    (args.out / "training.json").write_text(json.dumps(report, indent=2, default=str))
    log.info("samples: %s", report["samples"])


if __name__ == "__main__":
    main()
