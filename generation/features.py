"""The six features, each run inside the worker for one Job: text -> image, variations, mix, inpaint, outpaint, video.

Progress is counted in denoising steps through diffusers' `callback_on_step_end`; a cancelled job stops at the next
step (job_progress raises JobCancelled). Results are files beside the job, listed in `job.result`. Each form names
its function here (`GenerationForm.runner`); running.py calls it and records its failures.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from diffusers.pipelines.kandinsky import KandinskyPriorPipelineOutput
from django.utils.translation import gettext as _
from PIL import Image, ImageFilter, ImageOps

from generation import pipelines, safety, video
from generation.files import job_folder
from generation.geometry import fit_to_multiple
from generation.running import Progress, input_image, save_results, seed_of
from portal.jobs.models import Job
from portal.jobs.progress import job_finish, job_start

PRIOR_STEPS_MAX = 25


def _start(job: Job, total: int) -> tuple[pipelines.Kandinsky22, torch.Generator, int]:
    job_start(job, total=total, message=_("Loading the model…"))
    started, loads = time.monotonic(), len(pipelines.LOADS)
    family = pipelines.kandinsky22()
    job.load_seconds = round(time.monotonic() - started, 3) if len(pipelines.LOADS) > loads else 0
    seed = seed_of(job.params)
    generator = torch.Generator(device=family.device).manual_seed(seed)
    return family, generator, seed


def _prior_steps(params: dict) -> int:
    return min(int(params["steps"]), PRIOR_STEPS_MAX)


def _embed_prompt(family, progress: Progress, params: dict, prompt: str, generator, batch: int):
    return family.prior(
        prompt,
        negative_prompt=params.get("negative_prompt") or None,
        num_images_per_prompt=batch,
        num_inference_steps=_prior_steps(params),
        guidance_scale=float(params["guidance"]),
        generator=generator,
        callback_on_step_end=progress.callback(_("Reading the prompt")),
    )


def _decode(
    family,
    progress: Progress,
    params: dict,
    prior: KandinskyPriorPipelineOutput,
    generator,
    width: int,
    height: int,
    **inpainting,
):
    """The decoder's images from the prior's embeddings; given `image` and `mask_image`, the inpainting decoder's."""
    decoder = family.inpaint if inpainting else family.text2image
    return decoder(
        **inpainting,
        image_embeds=prior.image_embeds,
        negative_image_embeds=prior.negative_image_embeds,
        width=width,
        height=height,
        num_inference_steps=int(params["steps"]),
        guidance_scale=float(params["guidance"]),
        generator=generator,
        callback_on_step_end=progress.callback(_("Painting")),
    ).images


@torch.inference_mode()
def text_to_image(job: Job) -> dict:
    p = job.params
    if p.get("model") == "kandinsky3":
        return _kandinsky3_text_to_image(job)
    batch = int(p["batch"])
    progress = Progress(job, _prior_steps(p) + int(p["steps"]))
    family, generator, seed = _start(job, progress.total)
    prior = _embed_prompt(family, progress, p, p["prompt"], generator, batch)
    images = _decode(family, progress, p, prior, generator, p["width"], p["height"])
    return save_results(job, images, prompt=p["prompt"], extra={"seed": seed, "model": "kandinsky22"})


def _kandinsky3_text_to_image(job: Job) -> dict:
    p = job.params
    job_start(job, total=int(p["steps"]), message=_("Loading the model…"))
    pipe = pipelines.kandinsky3()
    seed = seed_of(p)
    generator = torch.Generator(device=pipe.device).manual_seed(seed)
    progress = Progress(job, int(p["steps"]))
    images = pipe(
        p["prompt"],
        negative_prompt=p.get("negative_prompt") or None,
        num_inference_steps=int(p["steps"]),
        guidance_scale=float(p["guidance"]),
        width=p["width"],
        height=p["height"],
        num_images_per_prompt=int(p["batch"]),
        generator=generator,
        callback_on_step_end=progress.callback(_("Painting")),
    ).images
    return save_results(job, images, prompt=p["prompt"], extra={"seed": seed, "model": "kandinsky3"})


def _image_embeds(family, images: list[Image.Image]) -> torch.Tensor:
    pixels = family.prior.image_processor(images, return_tensors="pt").pixel_values
    return family.prior.image_encoder(pixels.to(family.device, family.dtype)).image_embeds


@torch.inference_mode()
def variations(job: Job) -> dict:
    p = job.params
    batch = int(p["batch"])
    progress = Progress(job, int(p["steps"]))
    family, generator, seed = _start(job, progress.total)
    prior = KandinskyPriorPipelineOutput(
        image_embeds=_image_embeds(family, [input_image(job, "image")]).repeat(batch, 1),
        negative_image_embeds=family.prior.get_zero_embed(batch, device=family.device),
    )
    images = _decode(family, progress, p, prior, generator, p["width"], p["height"])
    return save_results(job, images, prompt="", extra={"seed": seed, "model": "kandinsky22"})


@torch.inference_mode()
def mix(job: Job) -> dict:
    p = job.params
    batch = int(p["batch"])
    texts = sum(1 for item in p["items"] if item["text"])
    progress = Progress(job, texts * _prior_steps(p) + int(p["steps"]))
    family, generator, seed = _start(job, progress.total)
    conditions = [item["text"] or input_image(job, item["image"]) for item in p["items"]]
    total_weight = sum(item["weight"] for item in p["items"])
    weights = [item["weight"] / total_weight for item in p["items"]]
    mixed = family.prior.interpolate(
        conditions,
        weights,
        num_images_per_prompt=batch,
        num_inference_steps=_prior_steps(p),
        generator=generator,
        guidance_scale=float(p["guidance"]),
    )
    progress.step(texts * _prior_steps(p), _("Mixed"))
    images = _decode(family, progress, p, mixed, generator, p["width"], p["height"])
    described = " + ".join(
        f"{w:.2f}×{item['text'] or 'picture ' + str(item['slot'])}" for w, item in zip(weights, p["items"])
    )
    return save_results(
        job,
        images,
        prompt=" ".join(i["text"] or "" for i in p["items"]),
        extra={"seed": seed, "model": "kandinsky22", "mix": described},
    )


def _inpaint(job: Job, image: Image.Image, mask: Image.Image, *, label: str) -> dict:
    """Repaint the white part of `mask` and paste the result back over the untouched picture at full resolution."""
    p = job.params
    batch = int(p["batch"])
    progress = Progress(job, _prior_steps(p) + int(p["steps"]))
    family, generator, seed = _start(job, progress.total)
    if family.inpaint is None:
        raise pipelines.ModelNotConfigured(
            _("Inpainting needs an inpainting decoder (GENERATION_MODELS['kandinsky22_inpaint']).")
        )
    width, height = fit_to_multiple(*image.size)
    prior = _embed_prompt(family, progress, p, p["prompt"], generator, batch)
    painted = _decode(family, progress, p, prior, generator, width, height, image=image, mask_image=mask)
    soft = mask.convert("L").filter(ImageFilter.GaussianBlur(max(1, min(image.size) // 128)))
    results = [Image.composite(im.resize(image.size, Image.LANCZOS), image, soft) for im in painted]
    return save_results(job, results, prompt=p["prompt"], extra={"seed": seed, "model": label})


@torch.inference_mode()
def inpaint(job: Job) -> dict:
    return _inpaint(
        job,
        input_image(job, "image"),
        input_image(job, "mask", "L"),
        label="kandinsky22-inpaint",
    )


def outpaint_canvas(
    image: Image.Image, left: int, right: int, top: int, bottom: int
) -> tuple[Image.Image, Image.Image]:
    """The expanded canvas (new area prefilled by stretching the edges, blurred) and its mask (white = new area)."""
    import cv2

    array = np.asarray(image.convert("RGB"))
    stretched = cv2.copyMakeBorder(array, top, bottom, left, right, cv2.BORDER_REPLICATE)
    canvas = Image.fromarray(stretched).filter(ImageFilter.GaussianBlur(8))
    canvas.paste(image.convert("RGB"), (left, top))
    mask = Image.new("L", canvas.size, 255)
    overlap = 2  # repaint a thin seam inside the old edge so the border blends
    mask.paste(
        0,
        (
            left + overlap if left else 0,
            top + overlap if top else 0,
            left + image.width - (overlap if right else 0),
            top + image.height - (overlap if bottom else 0),
        ),
    )
    return canvas, mask


@torch.inference_mode()
def outpaint(job: Job) -> dict:
    p = job.params
    canvas, mask = outpaint_canvas(input_image(job, "image"), p["left"], p["right"], p["top"], p["bottom"])
    return _inpaint(job, canvas, mask, label="kandinsky22-inpaint (outpainting)")


def _lerp_embeds(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    return a * (1 - t) + b * t


@torch.inference_mode()
def make_video(job: Job) -> dict:
    """Keyframes (img2img of the camera-moved previous keyframe, prompt drifting to the end prompt), then
    optical-flow in-betweens up to FPS × length frames, encoded to H.264 mp4 with a poster frame."""
    p = job.params
    width, height, fps = int(p["width"]), int(p["height"]), int(p["fps"])
    total_frames = max(2, round(float(p["seconds"]) * fps))
    keyframes_count = max(
        2,
        min(
            total_frames,
            round(float(p["seconds"]) * float(p["keyframes_per_second"])) + 1,
        ),
    )
    img2img_steps = max(1, int(int(p["steps"]) * float(p["strength"])))
    has_start = "image" in p.get("inputs", [])
    prior_runs = 1 + (1 if p.get("end_prompt") else 0)
    total = prior_runs * _prior_steps(p) + (0 if has_start else int(p["steps"]))
    total += (keyframes_count - 1) * img2img_steps + (keyframes_count - 1) + 1
    progress = Progress(job, total)
    family, generator, seed = _start(job, total)
    keyframe_pipe = pipelines.video_keyframes()
    start = _embed_prompt(family, progress, p, p["prompt"], generator, 1)
    end = _embed_prompt(family, progress, p, p["end_prompt"], generator, 1) if p.get("end_prompt") else start
    if has_start:
        first = ImageOps.fit(input_image(job, "image"), (width, height), Image.LANCZOS)
    else:
        first = _decode(family, progress, p, start, generator, width, height)[0]
    keyframes = [first]
    for k in range(1, keyframes_count):
        t = k / (keyframes_count - 1)
        moved = video.camera_move(keyframes[-1], p["motion"])
        keyframes.append(
            keyframe_pipe(
                image=moved,
                image_embeds=_lerp_embeds(start.image_embeds, end.image_embeds, t),
                negative_image_embeds=start.negative_image_embeds,
                # diffusers 0.42's KandinskyV22Img2ImgPipeline calls image_processor.preprocess(image, width, height)
                # against its (image, height, width) signature; swapping here gives the asked size for any aspect.
                width=height,
                height=width,
                num_inference_steps=int(p["steps"]),
                strength=float(p["strength"]),
                guidance_scale=float(p["guidance"]),
                generator=generator,
                callback_on_step_end=progress.callback(
                    _("Keyframe %(k)d of %(n)d") % {"k": k + 1, "n": keyframes_count}
                ),
            ).images[0]
        )
    keyframes, blocked = safety.screen(keyframes, prompt=f"{p['prompt']} {p.get('end_prompt', '')}")
    frames = video.frames_from_keyframes(
        keyframes,
        total_frames,
        on_segment=lambda s: progress.step(1, _("Interpolating frames")),
    )
    out = job_folder(job) / "results"
    out.mkdir(parents=True, exist_ok=True)
    name = f"video-{job.pk}.mp4"
    info = video.encode_mp4(frames, out / name, fps)
    poster = f"video-{job.pk}-poster.png"
    Image.fromarray(frames[0]).resize((info["width"], info["height"]), Image.NEAREST).save(out / poster)
    progress.step(1, _("Encoded"))
    files = [
        {"name": name, "type": "video", **info},
        {
            "name": poster,
            "type": "poster",
            "width": info["width"],
            "height": info["height"],
        },
    ]
    result = {
        "files": files,
        "blocked": blocked,
        "seed": seed,
        "keyframes": keyframes_count,
        "load_seconds": getattr(job, "load_seconds", None),
        "model": "kandinsky22 keyframes + optical-flow interpolation",
    }
    job_finish(job, result=result, message=_("Done"))
    return result
