"""Back-fill the ``Summary`` roll-up rows (-1 = summed over the places, the field, or both; ADR 0033)
from the detailed ``Summary`` rows already stored. ``rebuild_reports --check`` compares them all
with a recomputation from the event log."""

from typing import Any

from django.db import migrations
from django.db.models import Q, Sum

MEASURES = (
    "received",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "refused",
    "stopped",
    "withdrawn",
    "overdue_in",
    "overdue_out",
    "paid_online",
    "digitized",
    "reused",
    "e_result",
    "vneid",
    "with_fee",
    "paid_with_fee",
    "digitized_file",
    "paper_result",
    "paper_file",
    "finished_not_late",
    "twice_in",
    "twice_out",
    "twice_overdue_in",
    "twice_overdue_out",
)
ALL = -1


def fill(apps: Any, schema_editor: Any) -> None:
    summary = apps.get_model("reports", "Summary")
    rows = summary.objects.using(schema_editor.connection.alias)
    rows.filter(Q(unit_id=ALL) | Q(field_id=ALL)).delete()
    detailed = rows.filter(unit_id__gte=0, field_id__gte=0)
    sums = {f"s_{m}": Sum(m) for m in MEASURES}
    for kept in (("field_id",), ("unit_id", "agency_id"), ()):
        new = []
        grouped = detailed.values("grain", "day", "level", "channel", *kept).annotate(**sums).order_by()
        for row in grouped.iterator(chunk_size=10000):
            new.append(
                summary(
                    grain=row["grain"],
                    day=row["day"],
                    level=row["level"],
                    channel=row["channel"],
                    unit_id=row.get("unit_id", ALL),
                    agency_id=row.get("agency_id", ALL),
                    field_id=row.get("field_id", ALL),
                    **{m: row[f"s_{m}"] or 0 for m in MEASURES},
                )
            )
        rows.bulk_create(new, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_recompute_after_new_measures"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
