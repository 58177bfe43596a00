"""The archive: projects → documents → pages → regions → lines → transcriptions (every revision kept), and the
HTR models that read them."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Script(models.TextChoices):
    """The writing a document is in; it picks the shipped model that reads it and the editor's keyboard."""

    LATIN = "latin", _("Latin (French…)")
    CYRILLIC = "cyrillic", _("Cyrillic (Russian, pre-reform)")


class HtrModel(models.Model):
    """A segmentation or recognition model the archive reads with: a folder on disk (weights, config.json, model
    card). The shipped ones (htr/models/) are read-only and belong to no project; a project's own models (trained
    from its corrections) are seen, used and downloaded by its members only."""

    class Kind(models.TextChoices):
        SEGMENTATION = "segmentation", _("Segmentation")
        RECOGNITION = "recognition", _("Recognition")

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    script = models.CharField(max_length=16, choices=Script.choices, default=Script.LATIN)
    language = models.CharField(max_length=100, blank=True)
    base = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived")
    path = models.CharField(max_length=500, help_text=_("the model's folder (relative: to the portal's base folder)"))
    # {"cer", "base_cer" (the base model's CER on the same held-out lines), "f1" (segmentation), "base_f1" (the base
    #  model's line F1 on the same held-out pages, for a segmentation model trained here), "held_out_lines",
    #  "held_out_pages", "curve": [{"step", "epoch", "minutes", "cer", "f1", "loss"}]}; absent figures are null.
    figures = models.JSONField(default=dict, blank=True)
    trained_pages = models.PositiveIntegerField(null=True, blank=True)
    trained_lines = models.PositiveIntegerField(null=True, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trained_at = models.DateTimeField(null=True, blank=True)
    project = models.ForeignKey("Project", null=True, blank=True, on_delete=models.CASCADE, related_name="htr_models")
    read_only = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(project__isnull=True), name="shipped_model_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        """Its figures in words: "base 35.0 → new 23.0 CER on 12 held-out corrected lines"; "" without a CER."""
        figures = self.figures or {}
        if isinstance(figures.get("f1"), int | float) and isinstance(figures.get("base_f1"), int | float):
            pages = figures.get("held_out_pages") or 0
            return ngettext(
                "base %(base).1f → new %(f1).1f line F1 on %(pages)s held-out page",
                "base %(base).1f → new %(f1).1f line F1 on %(pages)s held-out pages",
                pages,
            ) % {"base": figures["base_f1"], "f1": figures["f1"], "pages": pages}
        if not isinstance(figures.get("cer"), int | float):
            return ""
        lines = figures.get("held_out_lines") or "?"
        if not isinstance(figures.get("base_cer"), int | float):
            return _("CER %(cer).1f on %(lines)s held-out lines") % {"cer": figures["cer"], "lines": lines}
        return _("base %(base).1f → new %(cer).1f CER on %(lines)s held-out corrected lines") % {
            "base": figures["base_cer"],
            "cer": figures["cer"],
            "lines": lines,
        }

    @property
    def directory(self) -> Path:
        path = Path(self.path)
        return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def reading_model(kind: str) -> models.ForeignKey:
    """The model of this kind that a project or a document chose to read with (None: the one above it decides)."""
    return models.ForeignKey(
        HtrModel,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": kind},
    )


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects")
    # Defaults of the project's new documents (script) and of those that name no model of their own.
    script = models.CharField(_("script"), max_length=16, choices=Script.choices, default=Script.LATIN)
    # Characters the editor's keyboard offers in all its documents, after the letters of their script (a project
    # manager sets them: the abbreviation marks, the letters the fonds writes).
    keyboard = models.CharField(_("keyboard characters"), max_length=200, blank=True)
    recognition_model = reading_model(HtrModel.Kind.RECOGNITION)
    segmentation_model = reading_model(HtrModel.Kind.SEGMENTATION)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def chosen_model(self, kind: str) -> HtrModel | None:
        """The model of `kind` chosen for the project; None: the default."""
        return getattr(self, _model_field(kind))

    def role_of(self, user) -> str | None:
        """'owner', 'editor', 'viewer' or None."""
        if not user or not user.is_authenticated:
            return None
        if user.pk == self.owner_id or user.is_superuser:
            return Membership.Role.OWNER
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        VIEWER = "viewer", _("Viewer")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]


class Document(models.Model):
    class Direction(models.TextChoices):
        LTR = "ltr", _("Left to right")
        RTL = "rtl", _("Right to left")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("published"), default=False, help_text=_("Anyone may read a published document."))
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.LTR)
    script = models.CharField(_("script"), max_length=16, choices=Script.choices, default=Script.LATIN)
    # Extra characters offered by the editor's virtual keyboard, beyond those of the document's script.
    keyboard = models.CharField(max_length=200, blank=True)
    # The models that read it; None: the project's, else the default for its script (see htr_models.py).
    recognition_model = reading_model(HtrModel.Kind.RECOGNITION)
    segmentation_model = reading_model(HtrModel.Kind.SEGMENTATION)
    # Automatic training: after every this many newly corrected lines, fine-tune the model reading it in the
    # background and keep the new one only if it reads the held-out corrected lines better (0: off).
    retrain_every = models.PositiveIntegerField(
        _("retrain after every N newly corrected lines"),
        default=0,
        help_text=_(
            "0: off. The new model is kept only if it beats the current one on held-out corrected lines; "
            "then the pages nobody corrected are read again."
        ),
    )
    # Where it came from (a IIIF manifest's address) and the source's metadata, [{"label": ..., "value": ...}].
    source = models.CharField(_("source"), max_length=2000, blank=True)
    metadata = models.JSONField(_("metadata"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def import_error(self) -> str:
        """Why its IIIF import failed, while it has no page (the page says so after a reload too); else ""."""
        from portal.jobs.models import Job

        if self.pages.exists():
            return ""
        job = Job.objects.filter(kind="iiif_import", target=f"archive.document:{self.pk}").order_by("-created").first()
        return job.error if job and job.status == Job.Status.FAILED else ""

    def chosen_model(self, kind: str) -> HtrModel | None:
        """The model of `kind` chosen for this document, else for its project; None: the default."""
        return getattr(self, _model_field(kind)) or self.project.chosen_model(kind)


def _model_field(kind: str) -> str:
    """The field of a document or project that names its model of `kind`."""
    return "recognition_model" if kind == HtrModel.Kind.RECOGNITION else "segmentation_model"


def page_image_path(page: "Page", filename: str) -> str:
    return f"documents/{page.document_id}/pages/{filename}"


class Page(models.Model):
    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREPARING = "preparing", _("Preparing images")
        SEGMENTING = "segmenting", _("Finding lines")
        RECOGNISING = "recognising", _("Reading")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()  # order inside the document, 1-based
    image = models.FileField(upload_to=page_image_path, max_length=500)
    thumbnail = models.FileField(upload_to=page_image_path, max_length=500, blank=True)
    original_name = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.UPLOADED)
    # When a person last drew, deleted, merged or split one of its lines (a model's new segmentation clears it): its
    # lines are then a segmentation model's truth (training_segmentation.py).
    segmentation_edited = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="page_number_unique")]

    def __str__(self) -> str:
        return f"{self.document} p.{self.number}"

    @property
    def label(self) -> str:
        """What the archivist calls it: the file it came from ("f15.jpg", "acte.pdf#3"), else its number."""
        return self.original_name or _("Page %(number)s") % {"number": self.number}


class Region(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="regions")
    external_id = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=50, default="text")
    polygon = models.JSONField(default=list)  # [[x, y], ...] in page pixels
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["page", "order"]


class Line(models.Model):
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="lines")
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines")
    external_id = models.CharField(max_length=100, blank=True)
    polygon = models.JSONField(default=list)
    baseline = models.JSONField(default=list)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["page", "order"]

    def __str__(self) -> str:
        return f"line {self.order} of {self.page}"


class Layer(models.Model):
    """A transcription layer of a document: the manual one, plus one per model run."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("Manual")
        MODEL = "model", _("Model")
        GROUND_TRUTH = "import", _("Imported")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    model_name = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "created"]
        constraints = [models.UniqueConstraint(fields=["document", "name"], name="layer_name_unique")]

    def __str__(self) -> str:
        return self.name


class Transcription(models.Model):
    """The current text of one line in one layer; `version` grows with each revision (stale edits conflict)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="transcriptions")
    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="transcriptions")
    text = models.TextField(blank=True)
    confidences = models.JSONField(default=list, blank=True)  # one float per character, machine readings only
    version = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "layer"], name="one_transcription_per_layer")]

    @property
    def min_confidence(self) -> float | None:
        return min(self.confidences) if self.confidences else None


class Revision(models.Model):
    """Every state a transcription has had: text, who (a user or a model), when."""

    transcription = models.ForeignKey(Transcription, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    confidences = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    model_name = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["transcription", "-version"]
        constraints = [models.UniqueConstraint(fields=["transcription", "version"], name="revision_version_unique")]
