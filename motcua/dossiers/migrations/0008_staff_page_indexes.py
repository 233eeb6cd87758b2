"""Indexes for the staff pages at a million dossiers (issue #6, ADR 0031).

All databases: open dossiers by due date (partial, active states), intake by day, newest first.
PostgreSQL also gets ``motcua_fold(text)`` (lower case, no accents, đ→d, single spaces: the SQL twin
of ``motcua.core.text.fold`` over NFC text, built on the ``unaccent`` extension) and trigram GIN
indexes on the folded applicant and representative names and on the upper-cased code and temporary
reference, so name and code search (``LIKE '%…%'``) read an index instead of every row.
"""

from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION motcua_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT btrim(regexp_replace(lower("
    "public.unaccent('public.unaccent'::regdictionary, $1)), '\\s+', ' ', 'g')) $$",
    "CREATE INDEX IF NOT EXISTS dossier_applicant_fold_trgm ON dossiers_dossier "
    "USING gin (motcua_fold(applicant_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS dossier_representative_fold_trgm ON dossiers_dossier "
    "USING gin (motcua_fold(representative_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS dossier_code_trgm ON dossiers_dossier "
    "USING gin (upper(code::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS dossier_temporary_reference_trgm ON dossiers_dossier "
    "USING gin (upper(temporary_reference::text) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS dossier_temporary_reference_trgm",
    "DROP INDEX IF EXISTS dossier_code_trgm",
    "DROP INDEX IF EXISTS dossier_representative_fold_trgm",
    "DROP INDEX IF EXISTS dossier_applicant_fold_trgm",
    "DROP FUNCTION IF EXISTS motcua_fold(text)",
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

    dependencies = [
        ('catalog', '0003_search_tsvector'),
        ('dossiers', '0007_merge_20261126_0803'),
        ('units', '0002_queue_ticket'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('state__in', ['awaiting_financial_obligation', 'in_processing', 'processing_supplement_requested', 'received', 'withdrawal_requested'])), fields=['due_at', 'id'], name='dossier_active_due'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['received_at'], name='dossier_received_at'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(fields=['created_at', 'id'], name='dossier_created'),
        ),
    ]
