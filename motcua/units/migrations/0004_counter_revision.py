from django.db import migrations

from motcua.core import revisions

TABLES = ("units_counter",)


class Migration(migrations.Migration):
    """Writes to counters replace the reference revision token too: the counters a reception
    officer may serve at are kept per process under it (decision 0051)."""

    dependencies = [("units", "0003_reference_revision")]

    operations = [revisions.watching(revisions.REFERENCE, TABLES)]
