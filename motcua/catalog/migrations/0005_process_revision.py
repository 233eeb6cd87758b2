from django.db import migrations

from motcua.core import revisions

TABLES = ("catalog_internalprocess", "catalog_processstep")


def forwards(apps, schema_editor):
    revisions.watch(schema_editor, revisions.CATALOG, TABLES)


def backwards(apps, schema_editor):
    revisions.unwatch(schema_editor, revisions.CATALOG, TABLES)


class Migration(migrations.Migration):
    """Writes to internal processes and their steps replace the catalogue revision token too: the
    budgets of forwarded tasks are kept under it (decision 0043)."""

    dependencies = [("catalog", "0004_catalog_revision")]

    operations = [migrations.RunPython(forwards, backwards)]
