"""The projections gained ``Summary`` and the Decision 766 measures (ADR 0033): stored facts and
figures lack them until ``manage.py rebuild_reports`` recomputes everything from the event log. If
there is anything stored, mark the projections as being recomputed, so every report says so (and the
worker leaves them alone) until the rebuild has run."""

from typing import Any

from django.db import migrations


def mark(apps: Any, schema_editor: Any) -> None:
    alias = schema_editor.connection.alias
    facts = apps.get_model("reports", "ReportedDossier")
    state = apps.get_model("reports", "ProjectionState")
    if facts.objects.using(alias).exists():
        state.objects.using(alias).update_or_create(name="figures", defaults={"rebuilding": True})


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_summary_and_index766_measures"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
