from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArchiveConfig(AppConfig):
    name = "portal.archive"
    label = "archive"

    def ready(self) -> None:
        from portal.archive.htr_models import shipped_models_sync

        post_migrate.connect(shipped_models_sync, sender=self, dispatch_uid="archive.shipped_models_sync")
