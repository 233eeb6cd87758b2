from django.db import migrations

from motcua.core import revisions

TABLES = ("catalog_field", "catalog_procedure", "catalog_procedureversion")


class Migration(migrations.Migration):
    """Writes to fields, procedures and versions replace the catalogue revision token (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("catalog", "0003_search_tsvector"),
    ]

    operations = [revisions.watching(revisions.CATALOG, TABLES)]
