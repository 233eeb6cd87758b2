"""Working calendars as data: the days the annual schedule changes, and which years are declared.

The arithmetic (``arithmetic.py``) never reads these tables; ``calendars.working_calendar()`` turns
them into an ``arithmetic.WorkingCalendar``. Rows belong to the whole country (``province`` empty)
or to one province, whose entry wins on the same day (SPEC §6.1 rule 3: the calendar of the
competent agency's province). ``services.py`` is the only code that writes them; the seed fills the
national rows from the ``holidays`` package plus motcua's table of announced notices.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from motcua.core.models import TimeStamped

from .arithmetic import DayKind


class CalendarDayKind(models.TextChoices):
    """The database face of ``arithmetic.DayKind`` (same values)."""

    DAY_OFF = DayKind.DAY_OFF.value, _("Ngày nghỉ")
    MAKEUP_WORKDAY = DayKind.MAKEUP_WORKDAY.value, _("Ngày làm bù")


class Source(models.TextChoices):
    """Where a row came from: the seed may rewrite its own rows, never a manual edit."""

    SEED = "seed", _("Dữ liệu khởi tạo")
    MANUAL = "manual", _("Cán bộ cập nhật")


FIRST_YEAR = 2000
LAST_YEAR = 2100

# ``history_change_reason`` of the history rows: the seed skips a day the office removed.
SEED_REASON = "seed"
MANUAL_REASON = "manual"
MANUAL_REMOVAL_REASON = "manual_removal"


class CalendarDay(TimeStamped):
    """One day the annual schedule changes (*ngày nghỉ lễ, nghỉ bù / ngày làm bù*)."""

    province = models.ForeignKey(
        "units.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_days",
        help_text="Empty: the national calendar. A province entry wins over the national one.",
    )
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=CalendarDayKind.choices)
    name_vi = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    legal_basis = models.CharField(
        max_length=300, help_text="The notice that fixes this day, e.g. “TB 9441/TB-BNV”."
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["day", "province_id"]
        constraints = [
            # NULL province rows are distinct in a plain unique index, so the national calendar
            # needs its own conditional constraint (nulls_distinct=False is PostgreSQL-only).
            models.UniqueConstraint(
                fields=["day"], condition=Q(province__isnull=True), name="calendar_day_unique_national"
            ),
            models.UniqueConstraint(
                fields=["province", "day"],
                condition=Q(province__isnull=False),
                name="calendar_day_unique_per_province",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=CalendarDayKind.values), name="calendar_day_kind_known"
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="calendar_day_source_known"),
            models.CheckConstraint(condition=~Q(legal_basis=""), name="calendar_day_legal_basis_given"),
            models.CheckConstraint(condition=~Q(name_vi=""), name="calendar_day_name_given"),
        ]
        indexes = [models.Index(fields=["province", "day"])]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}: {self.name_vi}"

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5

    @property
    def day_kind(self) -> DayKind:
        return DayKind(self.kind)


class CalendarYear(TimeStamped):
    """A year whose calendar is declared; ``is_provisional`` until the government announces it."""

    province = models.ForeignKey(
        "units.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_years",
    )
    year = models.PositiveSmallIntegerField()
    is_provisional = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "province_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year"], condition=Q(province__isnull=True), name="calendar_year_unique_national"
            ),
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(province__isnull=False),
                name="calendar_year_unique_per_province",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR), name="calendar_year_in_range"
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="calendar_year_source_known"),
        ]

    def __str__(self) -> str:
        scope = self.province.name if self.province is not None else "toàn quốc"
        return f"{self.year} ({scope}){' — dự kiến' if self.is_provisional else ''}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 12, 31)


class CalendarRevision(models.Model):
    """One row whose token changes with every write to the calendar tables.

    ``calendars.working_calendar()`` caches a built calendar per process and compares this token
    (with the row counts and the latest ``updated_at``) in one query, so an edit made by one web
    process is seen by every other at once. A random token, not a timestamp or a counter, because
    tests freeze time and roll back transactions (SQLite reuses rolled-back ids).
    """

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token
