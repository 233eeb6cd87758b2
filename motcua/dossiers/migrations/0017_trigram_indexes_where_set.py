# The two trigram indexes of migration 0008 whose column is empty on most dossiers, made partial
# (ADR 0059, as ADR 0044 did for the foreign keys): the representative's folded name (no
# representative on most dossiers: an empty name) and the temporary reference (NULL on every dossier
# received at the counter). A GIN index writes an entry even for an empty or NULL value, through its
# pending list, so each cost every acceptance a write for nothing. Staff search
# (``queues.search_dossiers``) tests ``representative_name <> ''`` beside the folded name, so
# PostgreSQL can take the partial index; ``UPPER(temporary_reference) LIKE …`` implies NOT NULL by
# itself. PostgreSQL only, like migration 0008.

from django.db import migrations

FULL = {
    "dossier_representative_fold_trgm": "motcua_fold(representative_name) gin_trgm_ops",
    "dossier_temporary_reference_trgm": "upper(temporary_reference::text) gin_trgm_ops",
}
WHERE = {
    "dossier_representative_fold_trgm": "representative_name <> ''",
    "dossier_temporary_reference_trgm": "temporary_reference IS NOT NULL",
}


def _build(schema_editor, partial: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in FULL.items():
        where = f" WHERE {WHERE[name]}" if partial else ""
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(f"CREATE INDEX {name} ON dossiers_dossier USING gin ({expression}){where}")


def forward(apps, schema_editor):
    _build(schema_editor, partial=True)


def backward(apps, schema_editor):
    _build(schema_editor, partial=False)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0016_fk_indexes_where_set")]

    operations = [migrations.RunPython(forward, backward)]
