from django.db import migrations

from motcua.core import revisions

TABLES = ("accounts_membership",)


class Migration(migrations.Migration):
    """Writes to memberships replace the reference revision token (decision 0043)."""

    dependencies = [
        ("core", "0002_revision"),
        ("accounts", "0003_merge_0002_apitoken_0002_citizen_accounts"),
    ]

    operations = [revisions.watching(revisions.REFERENCE, TABLES)]
