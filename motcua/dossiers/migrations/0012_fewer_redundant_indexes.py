# Indexes that others already cover, dropped (ADR 0038). The fields change in Django's state only:
# altering them in the database would drop and re-validate their foreign keys over the whole table
# (minutes at millions of events); dropping the indexes is all the database needs.

from django.db import migrations, models
import django.db.models.deletion

REDUNDANT = [
    "dossiers_clockevent_event_id_729e009d",  # the unique constraint on the event
    "dossiers_dossier_competent_agency_id_a13707a3",  # (competent_agency, state), (competent_agency, id)
    "dossiers_dossier_received_at_unit_id_45a6f6c1",  # (received_at_unit, received_at)
    "dossiers_dossier_state_796edfbc",  # dossier_state (below)
    "dossiers_dossier_state_796edfbc_like",  # LIKE on a state: never (PostgreSQL only)
    "dossiers_dossierevent_dossier_id_90237d93",  # the unique (dossier, seq) constraint
]


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0011_task_third_agency"),
        ("units", "0002_queue_ticket"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="clockevent",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="clock_events",
                        to="dossiers.dossierevent",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="competent_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="competent_dossiers",
                        to="units.agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="received_at_unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="received_dossiers",
                        to="units.onestopunit",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="state",
                    field=models.CharField(
                        choices=[
                            ("new", "new"),
                            ("draft", "draft"),
                            ("submitted", "submitted"),
                            ("intake_supplement_requested", "intake_supplement_requested"),
                            ("intake_refused", "intake_refused"),
                            ("received", "received"),
                            ("in_processing", "in_processing"),
                            ("processing_supplement_requested", "processing_supplement_requested"),
                            ("awaiting_financial_obligation", "awaiting_financial_obligation"),
                            ("withdrawal_requested", "withdrawal_requested"),
                            ("stopped", "stopped"),
                            ("refused_after_appraisal", "refused_after_appraisal"),
                            ("result_ready", "result_ready"),
                            ("returned", "returned"),
                        ],
                        max_length=40,
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="dossiers.dossier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in REDUNDANT], migrations.RunSQL.noop
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["state"], name="dossier_state"),
        ),
    ]
