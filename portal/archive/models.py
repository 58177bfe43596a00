"""The archive: projects → documents → pages → regions → lines → transcriptions (every revision kept)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_projects")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

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
    # Extra characters offered by the editor's virtual keyboard, beyond the default pre-reform set.
    keyboard = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


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
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="page_number_unique")]

    def __str__(self) -> str:
        return f"{self.document} p.{self.number}"


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
