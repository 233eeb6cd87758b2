"""Report projections of the dossier event log (SPEC §8, DESIGN.md "reports").

Three tables, all rebuilt from scratch by ``manage.py rebuild_reports``:

* ``ReportedDossier``: one row per *received* citizen dossier (inter-agency children excluded), the
  facts reports need (where it was received, who decides, which procedure, field and level, which
  channel, the local days it was received, finished and is due, how it ended and how it is
  classified). It is the "previous value" the projector subtracts when a dossier changes.
* ``Figures``: counts per grain (day or month) × receiving one-stop unit × competent agency ×
  procedure × field × level × channel.
* ``Summary``: the same counts without the procedure, with a year grain and roll-ups (ADR 0033).
  Every page and report reads only these two (``Summary`` unless it names procedures) and
  ``ProjectionState`` to say whether they are up to date, never the dossier table (except the
  Decision 766 scorecard of the running period and the drill-down lists).

Dimensions are plain integers (0 = none) rather than foreign keys so that the composite unique key
never contains NULL (an UPSERT key must be total) and bulk loads need no constraint checks.
"""

from __future__ import annotations

from django.db import models


class Grain(models.TextChoices):
    DAY = "D", "day"
    MONTH = "M", "month"  # ``day`` is the first day of the month
    YEAR = "Y", "year"  # ``day`` is 1 January (``Summary`` only)


class EndKind(models.TextChoices):
    """How processing ended (``finished_on`` set)."""

    RESULT = "result", "result issued"
    REFUSED = "refused", "refused after appraisal"
    STOPPED = "stopped", "stopped"
    WITHDRAWN = "withdrawn", "stopped on the applicant's withdrawal"


MEASURES: tuple[str, ...] = (
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
    # Decision 766 (``index766``): received that day and VNeID-verified / with a fee above 0 / paid
    # online with such a fee / digitized with a result file; finished that day under a procedure
    # version that requires a paper result / and with a result file / not late and without a second
    # supplement request; the stock of dossiers with a second supplement request (in at reception,
    # out at the end) and of those also overdue (in at the due day, out at the end).
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
DIMENSIONS: tuple[str, ...] = ("unit_id", "agency_id", "procedure_id", "field_id", "level", "channel")
# ``Summary`` has every dimension but the procedure.
SUMMARY_DIMENSIONS: tuple[str, ...] = tuple(d for d in DIMENSIONS if d != "procedure_id")


class ReportedDossier(models.Model):
    """The report facts of one received dossier (see the module docstring)."""

    dossier_id = models.BigIntegerField(primary_key=True)
    last_event_id = models.BigIntegerField()
    unit_id = models.IntegerField()
    agency_id = models.IntegerField()
    procedure_id = models.IntegerField()
    field_id = models.IntegerField()
    level = models.CharField(max_length=10)
    channel = models.CharField(max_length=10)
    received_on = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True)
    end_kind = models.CharField(max_length=10, blank=True, choices=EndKind.choices)
    timeliness = models.CharField(max_length=10, blank=True)
    paid_online = models.BooleanField(default=False)
    digitized = models.BooleanField(default=False)
    reused = models.BooleanField(default=False)
    e_result = models.BooleanField(default=False)
    vneid = models.BooleanField(default=False)
    with_fee = models.BooleanField(default=False)
    result_file = models.BooleanField(default=False)
    paper_result = models.BooleanField(default=False)
    supplement_twice = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"dossier {self.dossier_id}"


class Measures(models.Model):
    """The counted measures (``MEASURES``), the same columns in ``Figures`` and ``Summary``."""

    received = models.IntegerField(default=0)
    finished_early = models.IntegerField(default=0)
    finished_on_time = models.IntegerField(default=0)
    finished_late = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    stopped = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)
    overdue_in = models.IntegerField(default=0)
    overdue_out = models.IntegerField(default=0)
    paid_online = models.IntegerField(default=0)
    digitized = models.IntegerField(default=0)
    reused = models.IntegerField(default=0)
    e_result = models.IntegerField(default=0)
    vneid = models.IntegerField(default=0)
    with_fee = models.IntegerField(default=0)
    paid_with_fee = models.IntegerField(default=0)
    digitized_file = models.IntegerField(default=0)
    paper_result = models.IntegerField(default=0)
    paper_file = models.IntegerField(default=0)
    finished_not_late = models.IntegerField(default=0)
    twice_in = models.IntegerField(default=0)
    twice_out = models.IntegerField(default=0)
    twice_overdue_in = models.IntegerField(default=0)
    twice_overdue_out = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Figures(Measures):
    """Counts of one grain × day × dimension combination (measures: ``MEASURES``)."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    unit_id = models.IntegerField()
    agency_id = models.IntegerField()
    procedure_id = models.IntegerField()
    field_id = models.IntegerField()
    level = models.CharField(max_length=10)
    channel = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "grain",
                    "day",
                    "unit_id",
                    "agency_id",
                    "procedure_id",
                    "field_id",
                    "level",
                    "channel",
                ],
                name="figures_one_row_per_key",
            )
        ]
        indexes = [models.Index(fields=["grain", "unit_id", "day"], name="figures_grain_unit_day")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} u{self.unit_id} a{self.agency_id} p{self.procedure_id}"


class Summary(Measures):
    """``Figures`` without the procedure, at day, month and year grain (ADR 0033).

    Every row is also added to three roll-ups, where -1 (``projections.ALL``) means "summed over":
    the places (unit and agency), the field, or both; a read picks exactly one of the four
    (``selectors._rows``), so a province-wide month is a few hundred rows instead of the tens of
    thousands of ``Figures``. Every read that does not filter or group by procedure uses it. Kept in
    the same transaction as ``Figures`` (``projections.apply``), rebuilt and checked with it."""

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    unit_id = models.IntegerField()
    agency_id = models.IntegerField()
    field_id = models.IntegerField()
    level = models.CharField(max_length=10)
    channel = models.CharField(max_length=10)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "day", "unit_id", "agency_id", "field_id", "level", "channel"],
                name="summary_one_row_per_key",
            )
        ]
        indexes = [models.Index(fields=["grain", "agency_id", "day"], name="summary_grain_agency_day")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} u{self.unit_id} a{self.agency_id} f{self.field_id}"


class ProjectionState(models.Model):
    """How far the projector has read the event log (one row, ``name="figures"``)."""

    name = models.CharField(max_length=20, primary_key=True)
    watermark = models.BigIntegerField(default=0, help_text="highest DossierEvent id projected")
    rebuilding = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"
