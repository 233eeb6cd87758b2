from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "motcua.catalog"
    label = "catalog"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import ProcedureVersion
        from .selectors import forget_version_parts

        # Any version saved or deleted: the per-process cache of frozen parts starts afresh.
        post_save.connect(forget_version_parts, sender=ProcedureVersion, dispatch_uid="catalog_parts_save")
        post_delete.connect(
            forget_version_parts, sender=ProcedureVersion, dispatch_uid="catalog_parts_delete"
        )
