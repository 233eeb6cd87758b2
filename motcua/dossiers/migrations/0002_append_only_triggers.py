"""Refuse UPDATE (and, on PostgreSQL, DELETE) of dossier events and clock events in the database.

The models already refuse it through the ORM; these triggers refuse it for raw SQL as well. SQLite
gets the UPDATE trigger only: Django's test flush on SQLite empties tables with DELETE.
"""

from django.db import migrations

TABLES = ("dossiers_dossierevent", "dossiers_clockevent")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION motcua_dossiers_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'motcua: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION motcua_dossiers_append_only();"
            )
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'motcua: {table} is append-only'); END;"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor in ("postgresql", "sqlite"):
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only{on};")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS motcua_dossiers_append_only();")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
