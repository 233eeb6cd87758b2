from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"

    def ready(self) -> None:
        from . import checks, lookups  # noqa: F401 - checks registers the database server's checks

        lookups.register()
