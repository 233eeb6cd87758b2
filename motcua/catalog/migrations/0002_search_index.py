"""Search on the pre-folded ``search_folded`` column with each database's own engine.

PostgreSQL: pg_trgm and a GIN trigram index (typo-tolerant word similarity).
SQLite: an external-content FTS5 table kept in step by triggers, and its vocabulary (for typo
expansion). Other databases get nothing here and fall back to the SQLite-free path in selectors.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_procedure_fts USING fts5("
    "search_folded, content='catalog_procedure', content_rowid='id', tokenize='unicode61')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS catalog_procedure_fts_vocab USING fts5vocab(catalog_procedure_fts, 'row')",
    "CREATE TRIGGER IF NOT EXISTS catalog_procedure_fts_ai AFTER INSERT ON catalog_procedure BEGIN "
    "INSERT INTO catalog_procedure_fts(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_procedure_fts_ad AFTER DELETE ON catalog_procedure BEGIN "
    "INSERT INTO catalog_procedure_fts(catalog_procedure_fts, rowid, search_folded) "
    "VALUES ('delete', old.id, old.search_folded); END",
    "CREATE TRIGGER IF NOT EXISTS catalog_procedure_fts_au AFTER UPDATE OF search_folded ON catalog_procedure BEGIN "
    "INSERT INTO catalog_procedure_fts(catalog_procedure_fts, rowid, search_folded) "
    "VALUES ('delete', old.id, old.search_folded); "
    "INSERT INTO catalog_procedure_fts(rowid, search_folded) VALUES (new.id, new.search_folded); END",
    "INSERT INTO catalog_procedure_fts(catalog_procedure_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_procedure_fts_au",
    "DROP TRIGGER IF EXISTS catalog_procedure_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_procedure_fts_ai",
    "DROP TABLE IF EXISTS catalog_procedure_fts_vocab",
    "DROP TABLE IF EXISTS catalog_procedure_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS catalog_procedure_search_trgm ON catalog_procedure "
    "USING gin (search_folded gin_trgm_ops)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS catalog_procedure_search_trgm"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_FORWARD if vendor == "postgresql" else SQLITE_FORWARD if vendor == "sqlite" else []
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = POSTGRES_BACKWARD if vendor == "postgresql" else SQLITE_BACKWARD if vendor == "sqlite" else []
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
