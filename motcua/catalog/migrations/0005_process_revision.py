from django.db import migrations

from motcua.core import revisions

TABLES = ("catalog_internalprocess", "catalog_processstep")


class Migration(migrations.Migration):
    """Writes to internal processes and their steps replace the catalogue revision token too: the
    budgets of forwarded tasks are kept under it (decision 0043)."""

    dependencies = [("catalog", "0004_catalog_revision")]

    operations = [revisions.watching(revisions.CATALOG, TABLES)]
