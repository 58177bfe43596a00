"""People, places, organisations and dates found in a page's current text, each with the lines it was found on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.archive.models import Line, Page


class Mention(models.Model):
    """One entity as written on one page; the index groups mentions by (kind, key)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        PLACE = "place", _("Place")
        ORGANISATION = "organisation", _("Organisation")
        DATE = "date", _("Date")

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.CharField(max_length=300)  # as written
    name = models.CharField(max_length=300)  # as shown in the index: "Caen", "Пётр Толстой", "1914-08-23"
    key = models.CharField(max_length=300)  # folded name: what mentions are grouped and searched by
    lines = models.ManyToManyField(Line, related_name="mentions")
    order = models.PositiveIntegerField(default=0)
    # Dates: the span of days the date may mean ("1914" is 1914-01-01..1914-12-31); null without a year.
    date_earliest = models.DateField(null=True, blank=True)
    date_latest = models.DateField(null=True, blank=True)
    calendar = models.CharField(max_length=10, blank=True)  # "julian" where the text says old style
    date_gregorian = models.DateField(null=True, blank=True)  # an old-style date's day in the Gregorian calendar

    class Meta:
        ordering = ["page", "order"]
        indexes = [
            models.Index(fields=["kind", "key"], name="mention_kind_key"),
            models.Index(fields=["date_earliest", "date_latest"], name="mention_date_span"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def old_style(self) -> bool:
        return self.calendar == "julian"
