"""The NSFW / safety hook point.

settings.GENERATION_SAFETY_CHECKER names a callable `check(images: list[PIL.Image.Image], *, prompt: str) ->
list[bool]` (True = unsafe). Every picture a job makes passes through it before it is saved: an unsafe one is
replaced by a black picture and counted in the job result ("blocked"), so the gallery never shows it. A deployment
plugs in a real classifier here (e.g. a wrapper around diffusers' `StableDiffusionSafetyChecker`); the default is no
check, because the embedded shapes model can only draw coloured shapes.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string
from PIL import Image


@lru_cache(maxsize=4)
def _checker(path: str):
    return import_string(path)


def screen(images: list[Image.Image], *, prompt: str) -> tuple[list[Image.Image], int]:
    """(images with the unsafe ones blacked out, how many were blocked)."""
    path = settings.GENERATION_SAFETY_CHECKER
    if not path:
        return images, 0
    flags = list(_checker(path)(images, prompt=prompt))
    if len(flags) != len(images):
        raise RuntimeError(f"the safety checker {path} answered {len(flags)} flags for {len(images)} pictures")
    screened = [Image.new("RGB", im.size, "black") if unsafe else im for im, unsafe in zip(images, flags)]
    return screened, sum(bool(f) for f in flags)


def block_words_checker(images: list[Image.Image], *, prompt: str) -> list[bool]:
    """A minimal example checker: blocks every picture whose prompt contains a word of GENERATION_BLOCKED_WORDS."""
    words = {w.lower() for w in getattr(settings, "GENERATION_BLOCKED_WORDS", [])}
    unsafe = bool(words & set(prompt.lower().split()))
    return [unsafe] * len(images)
