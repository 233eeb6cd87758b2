from django.db import migrations

from motcua.core import revisions

TABLES = ("units_adminunit", "units_agency", "units_onestopunit", "units_officehours")


def forwards(apps, schema_editor):
    revisions.watch(schema_editor, revisions.REFERENCE, TABLES)


def backwards(apps, schema_editor):
    revisions.unwatch(schema_editor, revisions.REFERENCE, TABLES)


class Migration(migrations.Migration):
    """Writes to administrative units, agencies, one-stop units and office hours replace the reference revision token
    (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("units", "0002_queue_ticket"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
