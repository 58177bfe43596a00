"""The models the archive reads with: the registry of shipped models (synced from htr/models/ on every `migrate`),
who may see and use which, which model reads a document, and a model's folder as a ZIP.

A project's own models are private to it: listed, used by its documents and downloaded by its members only.
The shipped models are there for everyone (downloads: anyone logged in).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models import Q, QuerySet

import htr
from portal.archive import selectors
from portal.archive.models import Document, HtrModel, Script

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(htr.__file__).resolve().parent / "models"
LANGUAGES = {Script.LATIN: "French", Script.CYRILLIC: "Russian"}  # what the shipped models were trained on
CURVE_POINTS = 200


# --- the shipped models ---------------------------------------------------------------------------------------------


def _json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _number(value) -> float | None:
    return round(float(value), 4) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _count(value) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _script_of(config: dict) -> str:
    """Cyrillic if most of the model's letters are Cyrillic, else Latin."""
    letters = [c for c in config.get("charset", []) if isinstance(c, str) and c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    return Script.CYRILLIC if letters and cyrillic > len(letters) / 2 else Script.LATIN


def _thin(points: list[dict]) -> list[dict]:
    if len(points) <= CURVE_POINTS:
        return points
    step = len(points) / CURVE_POINTS
    return [points[int(i * step)] for i in range(CURVE_POINTS - 1)] + [points[-1]]


def figures_read(directory: Path, kind: str) -> dict:
    """The figures of a model folder from its training_log.json (what htr's trainers write); null where absent."""
    log_data = _json(directory / "training_log.json")
    best = log_data.get("best") if isinstance(log_data.get("best"), dict) else {}
    figures: dict = {"cer": None, "base_cer": None, "f1": None, "held_out_lines": None, "held_out_pages": None}
    curve = []
    if kind == HtrModel.Kind.RECOGNITION:
        figures["cer"] = _number(best.get("cer"))
        figures["base_cer"] = _number(log_data.get("base_cer"))
        figures["held_out_lines"] = _count(best.get("lines")) or _count(log_data.get("val_lines"))
        history = log_data.get("history") if isinstance(log_data.get("history"), list) else []
        for point in history:
            if isinstance(point, dict) and _count(point.get("step")) is not None:
                curve.append(
                    {
                        "step": point["step"],
                        "epoch": _count(point.get("epoch")),
                        "minutes": _number(point.get("minutes")),
                        "cer": _number(point.get("val_cer")),
                        "f1": None,
                        "loss": _number(point.get("train_loss")),
                    }
                )
    else:
        figures["f1"] = _number(best.get("f1"))
        figures["held_out_pages"] = _count(log_data.get("val_pages"))
        history = log_data.get("val") if isinstance(log_data.get("val"), list) else []
        for point in history:
            if isinstance(point, dict) and _count(point.get("step")) is not None:
                seconds = _number(point.get("seconds"))
                curve.append(
                    {
                        "step": point["step"],
                        "epoch": None,
                        "minutes": round(seconds / 60, 2) if seconds is not None else None,
                        "cer": None,
                        "f1": _number(point.get("f1")),
                        "loss": None,
                    }
                )
    figures["curve"] = _thin(curve)
    return figures


def _relative(directory: Path) -> str:
    try:
        return str(directory.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(directory)


def shipped_models_sync(**_) -> list[HtrModel]:
    """Register every model folder of htr/models/ (one with a config.json) as a read-only entry, with its figures;
    entries whose folder went are removed. Connected to post_migrate: each `migrate` brings the figures up to date."""
    found = []
    for directory in sorted(SHIPPED_DIR.iterdir()) if SHIPPED_DIR.is_dir() else []:
        config = _json(directory / "config.json")
        if not config:
            continue
        kind = HtrModel.Kind.RECOGNITION if "charset" in config else HtrModel.Kind.SEGMENTATION
        script = _script_of(config)
        log_data = _json(directory / "training_log.json")
        model, _ = HtrModel.objects.update_or_create(
            project=None,
            name=directory.name,
            defaults={
                "kind": kind,
                "script": script,
                "language": LANGUAGES[script] if kind == HtrModel.Kind.RECOGNITION else "",
                "path": _relative(directory),
                "figures": figures_read(directory, kind),
                "trained_lines": _count(log_data.get("train_lines")),
                "trained_pages": _count(log_data.get("train_pages")),
                "read_only": True,
            },
        )
        found.append(model)
    HtrModel.objects.filter(project=None, read_only=True).exclude(pk__in=[m.pk for m in found]).delete()
    return found


# --- who sees and uses which ----------------------------------------------------------------------------------------


def models_visible_to(user) -> QuerySet[HtrModel]:
    """The shipped models, and those of the projects the user belongs to (none for visitors)."""
    if not user or not user.is_authenticated:
        return HtrModel.objects.none()
    return HtrModel.objects.filter(
        Q(project__isnull=True) | Q(project__in=selectors.projects_visible_to(user).values("pk"))
    ).select_related("project", "base", "trained_by")


def model_usable_in(model: HtrModel, project_id: int | None) -> bool:
    """A document or project may read with the shipped models and with its own project's."""
    return model.project_id is None or model.project_id == project_id


# --- which model reads a document -----------------------------------------------------------------------------------


def shipped_model(kind: str, script: str) -> HtrModel | None:
    return HtrModel.objects.filter(project=None, read_only=True, kind=kind, script=script).order_by("name").first()


def reading_model(document: Document, kind: str, chosen_id: int | None = None) -> tuple[str | None, HtrModel | None]:
    """(folder to load, registry entry) of the model of `kind` that reads `document`: `chosen_id` (a job's own
    choice), else the document's or its project's model, else, for a non-Latin script, the shipped model of that
    script, else the setting (HTR_RECOGNITION_MODEL / HTR_SEGMENTATION_MODEL; None: htr's shipped default)."""
    model = None
    if chosen_id is not None:
        model = HtrModel.objects.filter(pk=chosen_id, kind=kind).first()
        if model is None:
            raise LookupError(f"{kind} model {chosen_id} is gone")
    model = model or document.chosen_model(kind)
    if model is None and kind == HtrModel.Kind.RECOGNITION and document.script != Script.LATIN:
        model = shipped_model(kind, document.script)
    if model is not None:
        return str(model.directory), model
    default = settings.HTR_RECOGNITION_MODEL if kind == HtrModel.Kind.RECOGNITION else settings.HTR_SEGMENTATION_MODEL
    return default, None


# --- a model's files ------------------------------------------------------------------------------------------------


def zip_name(model: HtrModel) -> str:
    return re.sub(r"[^\w.-]+", "-", model.name).strip("-.") or f"model-{model.pk}"


def model_zip(model: HtrModel) -> bytes:
    """The model's folder as a ZIP (`<name>/<file>`); links are left out, so nothing outside the folder goes."""
    directory = model.directory
    if not directory.is_dir():
        raise FileNotFoundError(f"the folder of model {model.name!r} is missing")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for root, dirs, files in os.walk(directory, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not (Path(root) / d).is_symlink())
            for name in sorted(files):
                path = Path(root) / name
                if path.is_symlink() or not path.is_file():
                    continue
                archive.write(path, f"{zip_name(model)}/{path.relative_to(directory)}")
    return buf.getvalue()
