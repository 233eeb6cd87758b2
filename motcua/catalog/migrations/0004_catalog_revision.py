from django.db import migrations

from motcua.core import revisions

TABLES = ("catalog_field", "catalog_procedure", "catalog_procedureversion")


def forwards(apps, schema_editor):
    revisions.watch(schema_editor, revisions.CATALOG, TABLES)


def backwards(apps, schema_editor):
    revisions.unwatch(schema_editor, revisions.CATALOG, TABLES)


class Migration(migrations.Migration):
    """Writes to fields, procedures and versions replace the catalogue revision token (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("catalog", "0003_search_tsvector"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
