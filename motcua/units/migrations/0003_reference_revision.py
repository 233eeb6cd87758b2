from django.db import migrations

from motcua.core import revisions

TABLES = ("units_adminunit", "units_agency", "units_onestopunit", "units_officehours")


class Migration(migrations.Migration):
    """Writes to administrative units, agencies, one-stop units and office hours replace the reference revision token
    (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("units", "0002_queue_ticket"),
    ]

    operations = [revisions.watching(revisions.REFERENCE, TABLES)]
