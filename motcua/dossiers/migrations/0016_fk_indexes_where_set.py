# The dossier row's indexes that no query uses, or that index mostly NULLs, reworked (ADR 0044):
# every index gets an entry for every dossier inserted, so each one costs every acceptance.
#
# Dropped (PostgreSQL only: Django adds a ``varchar_pattern_ops`` "_like" index beside the unique
# index of a unique CharField, for LIKE 'prefix%'): no query of the code, the temporary reference or
# the idempotency key is a prefix LIKE. They are looked up by equality (the unique indexes) and
# searched by ``icontains`` on UPPER(…), which only the trigram indexes of migration 0008 serve.
#
# Made partial (WHERE … IS NOT NULL): the foreign keys that are empty on most rows. The fields
# change in Django's state only (as in 0012: altering them in the database would drop and
# re-validate their foreign keys over the whole table); the database drops the full indexes and
# builds the partial ones.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LIKE = {  # index name -> column (PostgreSQL only)
    "dossiers_dossier_code_6d68c351_like": "code",
    "dossiers_dossier_temporary_reference_2c0a2075_like": "temporary_reference",
    "dossiers_dossier_intake_key_9d5d77f0_like": "intake_key",
}
FULL = {  # index name -> column; replaced by the partial indexes below
    "dossiers_dossier_parent_id_785649f5": "parent_id",
    "dossiers_dossier_representative_commune_id_25b47461": "representative_commune_id",
    "dossiers_dossier_submitted_by_id_2f8c3226": "submitted_by_id",
}


def drop(apps, schema_editor):
    for name in [*LIKE, *FULL]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    for name, column in FULL.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "dossiers_dossier" ("{column}")')
    if schema_editor.connection.vendor == "postgresql":
        for name, column in LIKE.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "dossiers_dossier" ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_process_revision"),
        ("dossiers", "0015_tracking_lookup_function"),
        ("units", "0003_reference_revision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="parent",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="representative_commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="units.adminunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="submitted_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The applicant's own account (online submissions); empty at the counter.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submitted_dossiers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(drop, restore),
            ],
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("submitted_by__isnull", False)),
                fields=["submitted_by"],
                name="dossier_submitted_by_set",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("representative_commune__isnull", False)),
                fields=["representative_commune"],
                name="dossier_rep_commune_set",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)),
                fields=["parent"],
                name="dossier_parent_set",
            ),
        ),
    ]
