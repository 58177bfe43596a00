from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "portal.entities"
    label = "entities"
    verbose_name = "People, places and dates"

    def ready(self) -> None:
        from portal.entities import signals

        signals.connect()
