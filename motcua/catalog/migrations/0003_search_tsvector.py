"""PostgreSQL: a stored full-text vector of the folded search text, with a GIN index.

``search_tsv`` is a generated column (to_tsvector('simple', …) over the folded text with every
non-alphanumeric run turned into a space, so its words are ``selectors.tokens``). It is not a model
field: only the PostgreSQL search reads it, and PostgreSQL keeps it up to date. The trigram index of
0002 stays for the typo fallback. SQLite keeps its FTS5 table (0002).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE catalog_procedure ADD COLUMN IF NOT EXISTS search_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, regexp_replace(search_folded, '[^[:alnum:]]+', ' ', 'g'))) STORED",
    "CREATE INDEX IF NOT EXISTS catalog_procedure_search_tsv ON catalog_procedure USING gin (search_tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_procedure_search_tsv",
    "ALTER TABLE catalog_procedure DROP COLUMN IF EXISTS search_tsv",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
