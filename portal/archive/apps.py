from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "portal.archive"
    label = "archive"
