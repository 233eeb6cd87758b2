from django.db import migrations

from motcua.core import revisions

TABLES = ("accounts_membership",)


def forwards(apps, schema_editor):
    revisions.watch(schema_editor, revisions.REFERENCE, TABLES)


def backwards(apps, schema_editor):
    revisions.unwatch(schema_editor, revisions.REFERENCE, TABLES)


class Migration(migrations.Migration):
    """Writes to memberships replace the reference revision token (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("accounts", "0003_merge_0002_apitoken_0002_citizen_accounts"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
