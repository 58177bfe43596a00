"""One form per feature: the limits (prompt length, sizes, steps, uploads) with messages a person can act on.

The HTML pages and the JSON API validate through these same forms.
"""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from generation.geometry import ASPECTS, output_size
from generation.registry import TEXT_TO_IMAGE_MODELS, can_mix, text_to_image_models

KIND_PREFIX = "generation."  # a Job's kind is KIND_PREFIX + its form's kind
NO_PROMPT = _("Write a prompt: what should the picture show?")
ASPECT_CHOICES = [(name, name) for name in ASPECTS]
TEXT_TO_IMAGE_MODELS_CHOICES = [(name, label) for name, (label, _kind) in TEXT_TO_IMAGE_MODELS.items()]
MOTIONS = [
    ("zoom-in", _("zoom in")),
    ("zoom-out", _("zoom out")),
    ("pan-left", _("pan left")),
    ("pan-right", _("pan right")),
    ("none", _("none")),
]


def prompt_field(label: str = _("Prompt")) -> forms.CharField:
    """A feature's prompt: what the picture shows (required; GenerationForm.clean_prompt checks its length)."""
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": NO_PROMPT},
    )


def negative_prompt_field() -> forms.CharField:
    return forms.CharField(label=_("Negative prompt"), required=False)


def read_upload(upload, label: str) -> Image.Image:
    """An uploaded picture as RGB, or a ValidationError saying what is wrong with it."""
    limit = settings.GENERATION_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(label)s is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"label": label, "size": upload.size / 2**20, "limit": limit / 2**20}
        )
    upload.seek(0)
    data = upload.read()
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > settings.GENERATION_MAX_UPLOAD_PIXELS:
            raise ValidationError(
                _("%(label)s is %(w)d×%(h)d pixels; the limit is %(mp).0f megapixels.")
                % {
                    "label": label,
                    "w": width,
                    "h": height,
                    "mp": settings.GENERATION_MAX_UPLOAD_PIXELS / 1e6,
                }
            )
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise ValidationError(
            _("%(label)s is not a readable image (PNG, JPEG or WebP): %(error)s") % {"label": label, "error": error}
        ) from None
    return image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")


class GenerationForm(forms.Form):
    """One generation feature: its `kind` (the URL and the Job's kind), its `label` (the page's tab) and its `runner`,
    the worker-side function that makes the pictures (a dotted path, imported only in the worker: torch lives there).

    A feature's `field_order` lists its own fields (and SizedForm's); the settings every feature has (steps,
    guidance, seed, images) follow them, in this order."""

    kind = ""
    label = ""
    runner = ""
    # At least 2: the Kandinsky prior's scheduler divides by (steps - 1).
    steps = forms.IntegerField(label=_("Steps"), min_value=2, initial=25)
    guidance = forms.FloatField(label=_("Guidance"), min_value=0.0, max_value=30.0, initial=4.0)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**32 - 1,
        required=False,
        help_text=_("Same seed + same settings = the same picture. Empty: a random seed."),
    )
    batch = forms.IntegerField(label=_("Images"), min_value=1, initial=1)
    images: dict[str, Image.Image]

    @classmethod
    def offered(cls) -> bool:
        """Whether the installed models can do this feature (the page shows only the offered ones)."""
        return True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steps"].validators.append(MaxValueValidator(settings.GENERATION_MAX_STEPS))
        self.fields["batch"].validators.append(MaxValueValidator(settings.GENERATION_MAX_BATCH))
        self.images = {}

    def clean_prompt(self) -> str:
        """Every form with a `prompt` field needs one (Django calls this only where the field exists)."""
        return self.clean_prompt_field("prompt", required=True)

    def clean_prompt_field(self, name: str, required: bool) -> str:
        text = (self.cleaned_data.get(name) or "").strip()
        if required and not text:
            raise ValidationError(NO_PROMPT)
        if len(text) > settings.GENERATION_MAX_PROMPT_CHARS:
            raise ValidationError(
                _("The prompt is %(n)d characters long; the limit is %(limit)d.")
                % {"n": len(text), "limit": settings.GENERATION_MAX_PROMPT_CHARS}
            )
        return text

    def clean_negative_prompt(self) -> str:
        return self.clean_prompt_field("negative_prompt", required=False)

    def image_field(self, name: str, label: str) -> Image.Image | None:
        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        image = read_upload(upload, label)
        self.images[name] = image
        return image

    def params(self) -> dict:
        """JSON-safe parameters for the Job row (uploaded pictures are stored beside it, by field name)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in self.images and not hasattr(v, "read")}


class SizedForm(GenerationForm):
    aspect = forms.ChoiceField(label=_("Aspect ratio"), choices=ASPECT_CHOICES, initial="1:1")
    side = forms.IntegerField(
        label=_("Long side (px)"),
        min_value=16,
        required=False,
        help_text=_("Empty: the model's native size."),
    )

    def clean(self):
        data = super().clean()
        side = data.get("side")
        if side and side > settings.GENERATION_MAX_SIDE:
            self.add_error(
                "side",
                _("%(side)d px is too large; the limit is %(limit)d px.")
                % {"side": side, "limit": settings.GENERATION_MAX_SIDE},
            )
        elif "aspect" in data:
            data["width"], data["height"] = output_size(data["aspect"], side)
        return data


class TextToImageForm(SizedForm):
    kind = "text2image"
    label = _("Text → image")
    runner = "generation.features.text_to_image"
    prompt = prompt_field()
    negative_prompt = negative_prompt_field()
    model = forms.ChoiceField(
        label=_("Model"),
        choices=list(TEXT_TO_IMAGE_MODELS_CHOICES),
        initial="kandinsky22",
    )
    field_order = ("prompt", "negative_prompt", "model", "aspect", "side")

    def clean(self):
        data = super().clean()
        if data.get("model") == "kandinsky3" and "width" in data:
            # Kandinsky3Pipeline rounds sizes up to multiples of 64 (its movq downsamples 8×, latents 8× again).
            data["width"], data["height"] = output_size(data["aspect"], data.get("side") or 1024, multiple=64)
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what is installed; a request for another known model gets clean_model's message.
        self.fields["model"].widget.choices = text_to_image_models()

    def clean_model(self) -> str:
        model = self.cleaned_data["model"]
        installed = dict(text_to_image_models())
        if model not in installed:
            raise ValidationError(
                _("%(model)s is not installed on this server; use %(installed)s.")
                % {
                    "model": TEXT_TO_IMAGE_MODELS[model][0],
                    "installed": ", ".join(installed.values()) or "—",
                }
            )
        return model


class VariationsForm(SizedForm):
    kind = "variations"
    label = _("Variations")
    runner = "generation.features.variations"
    image = forms.ImageField(label=_("Picture"))
    field_order = ("image", "aspect", "side")

    def clean_image(self):
        self.image_field("image", _("The picture"))
        return self.cleaned_data["image"]


class MixForm(SizedForm):
    """Up to four texts and/or pictures, each with a weight (Kandinsky 2.2 prior `interpolate`)."""

    kind = "mix"
    label = _("Mix")
    runner = "generation.features.mix"
    SLOTS = 4

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.SLOTS + 1):
            self.fields[f"text_{i}"] = forms.CharField(label=_("Text %(i)d") % {"i": i}, required=False)
            self.fields[f"image_{i}"] = forms.ImageField(label=_("or picture %(i)d") % {"i": i}, required=False)
            self.fields[f"weight_{i}"] = forms.FloatField(
                label=_("Weight %(i)d") % {"i": i},
                min_value=0.0,
                max_value=10.0,
                initial=1.0,
                required=False,
            )

    @classmethod
    def offered(cls) -> bool:
        return can_mix()

    def clean(self):
        data = super().clean()
        if not self.offered():
            raise ValidationError(_("The installed model cannot mix: its mixes rarely show both of their inputs."))
        items = []
        for i in range(1, self.SLOTS + 1):
            text = (data.get(f"text_{i}") or "").strip()
            picture = self.image_field(f"image_{i}", _("Picture %(i)d") % {"i": i}) if data.get(f"image_{i}") else None
            if text and picture is not None:
                self.add_error(
                    f"text_{i}",
                    _("Slot %(i)d has both a text and a picture; give one.") % {"i": i},
                )
            if len(text) > settings.GENERATION_MAX_PROMPT_CHARS:
                self.add_error(
                    f"text_{i}",
                    _("Text %(i)d is longer than %(limit)d characters.")
                    % {"i": i, "limit": settings.GENERATION_MAX_PROMPT_CHARS},
                )
            weight = data.get(f"weight_{i}")
            weight = 1.0 if weight is None else weight
            if text or picture is not None:
                items.append(
                    {
                        "slot": i,
                        "text": text or None,
                        "image": f"image_{i}" if picture else None,
                        "weight": weight,
                    }
                )
        if len(items) < 2:
            raise ValidationError(_("Give at least two things to mix (texts or pictures)."))
        if sum(item["weight"] for item in items) <= 0:
            raise ValidationError(_("The weights add up to zero; give at least one a positive weight."))
        data["items"] = items
        return data


class InpaintForm(GenerationForm):
    kind = "inpaint"
    label = _("Inpainting")
    runner = "generation.features.inpaint"
    image = forms.ImageField(label=_("Picture"))
    mask = forms.ImageField(
        label=_("Mask"),
        help_text=_("White = repaint, black = keep (painted in the page)."),
    )
    prompt = prompt_field(_("What to paint there"))
    negative_prompt = negative_prompt_field()
    field_order = ("image", "mask", "prompt", "negative_prompt")

    def clean(self):
        data = super().clean()
        image = self.image_field("image", _("The picture")) if data.get("image") else None
        mask = self.image_field("mask", _("The mask")) if data.get("mask") else None
        if image is not None and mask is not None:
            if image.size != mask.size:
                raise ValidationError(
                    _("The mask is %(m)s but the picture is %(i)s; paint the mask on the picture.")
                    % {
                        "m": "×".join(map(str, mask.size)),
                        "i": "×".join(map(str, image.size)),
                    }
                )
            if max(mask.convert("L").getextrema()) < 128:
                raise ValidationError(_("The mask is empty: paint (white) where the picture should change."))
        return data


class OutpaintForm(GenerationForm):
    kind = "outpaint"
    label = _("Outpainting")
    runner = "generation.features.outpaint"
    image = forms.ImageField(label=_("Picture"))
    prompt = prompt_field(_("What the wider picture shows"))
    negative_prompt = negative_prompt_field()
    left = forms.IntegerField(label=_("Extend left (px)"), min_value=0, initial=0)
    right = forms.IntegerField(label=_("Extend right (px)"), min_value=0, initial=0)
    top = forms.IntegerField(label=_("Extend top (px)"), min_value=0, initial=0)
    bottom = forms.IntegerField(label=_("Extend bottom (px)"), min_value=0, initial=0)
    field_order = ("image", "prompt", "negative_prompt", "left", "right", "top", "bottom")

    def clean(self):
        data = super().clean()
        image = self.image_field("image", _("The picture")) if data.get("image") else None
        pads = [data.get(k) or 0 for k in ("left", "right", "top", "bottom")]
        if image is not None:
            if not any(pads):
                raise ValidationError(_("Extend the picture on at least one side."))
            width, height = (
                image.width + pads[0] + pads[1],
                image.height + pads[2] + pads[3],
            )
            limit = settings.GENERATION_MAX_SIDE
            if max(width, height) > limit:
                raise ValidationError(
                    _("The extended picture would be %(w)d×%(h)d px; the limit is %(limit)d px a side.")
                    % {"w": width, "h": height, "limit": limit}
                )
        return data


class VideoForm(SizedForm):
    kind = "video"
    label = _("Video")
    runner = "generation.features.make_video"
    prompt = prompt_field()
    end_prompt = forms.CharField(
        label=_("End prompt"),
        required=False,
        help_text=_("Optional: the clip drifts from the prompt to this one."),
    )
    negative_prompt = negative_prompt_field()
    image = forms.ImageField(label=_("Start picture"), required=False)
    seconds = forms.FloatField(label=_("Length (s)"), min_value=0.5, max_value=20.0, initial=2.0)
    fps = forms.IntegerField(label=_("Frames per second"), min_value=4, max_value=30, initial=12)
    keyframes_per_second = forms.FloatField(label=_("Keyframes per second"), min_value=0.5, max_value=8.0, initial=2.0)
    motion = forms.ChoiceField(label=_("Camera"), choices=MOTIONS, initial="zoom-in")
    strength = forms.FloatField(label=_("Change per keyframe"), min_value=0.1, max_value=0.9, initial=0.5)
    field_order = (
        "prompt",
        "end_prompt",
        "negative_prompt",
        "image",
        "aspect",
        "side",
        "seconds",
        "fps",
        "keyframes_per_second",
        "motion",
        "strength",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["batch"]

    def clean_end_prompt(self) -> str:
        return self.clean_prompt_field("end_prompt", required=False)

    def clean(self):
        data = super().clean()
        if data.get("image"):
            self.image_field("image", _("The start picture"))
        if data.get("seconds") and data.get("fps"):
            frames = round(data["seconds"] * data["fps"])
            if frames > settings.GENERATION_MAX_VIDEO_FRAMES:
                raise ValidationError(
                    _("%(n)d frames is too many; the limit is %(limit)d (shorten the clip or lower the FPS).")
                    % {"n": frames, "limit": settings.GENERATION_MAX_VIDEO_FRAMES}
                )
        steps, strength = data.get("steps"), data.get("strength")
        if steps and strength and int(steps * strength) < 1:  # img2img runs int(steps × strength) steps a keyframe
            need = next(n for n in range(steps, 10 * steps + 10) if int(n * strength) >= 1)
            raise ValidationError(
                _(
                    "%(steps)d steps at %(strength)s change per keyframe leave no step to make a keyframe: "
                    "use at least %(need)d steps, or more change."
                )
                % {"steps": steps, "strength": strength, "need": need}
            )
        data["batch"] = 1
        return data


FORMS: dict[str, type[GenerationForm]] = {
    form.kind: form
    for form in (
        TextToImageForm,
        VariationsForm,
        MixForm,
        InpaintForm,
        OutpaintForm,
        VideoForm,
    )
}


def offered_forms() -> dict[str, type[GenerationForm]]:
    return {kind: form for kind, form in FORMS.items() if form.offered()}
