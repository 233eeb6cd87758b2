"""Refuse UPDATE (and, on PostgreSQL, DELETE) of ledger entries in the database, as for dossier
events (dossiers 0002, whose trigger function this reuses). SQLite gets the UPDATE trigger only."""

from django.db import migrations

TABLE = "payments_ledgerentry"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION motcua_dossiers_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'motcua: {TABLE} is append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("postgresql", "sqlite"):
        on = f" ON {TABLE}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only{on};")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("dossiers", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
