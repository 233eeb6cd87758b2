"""Reads of the calendar tables used by the API and by the staff and public pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet

from motcua.units.models import AdminUnit

from .arithmetic import (
    DEFAULT_CUTOFF,
    DEFAULT_HOURS,
    Due,
    OfficeHours,
    TimeUnit,
    WorkingCalendar,
    due_date,
)
from .calendars import covered_years, working_calendar
from .explain import explain
from .models import CalendarDay, CalendarYear


@dataclass(frozen=True, slots=True)
class YearStatus:
    """Whether a year of a calendar is declared, provisional, and why."""

    year: int
    is_declared: bool
    is_provisional: bool
    note: str
    is_province_specific: bool


def calendar_days_of(*, province: AdminUnit | None, year: int) -> QuerySet[CalendarDay]:
    """The rows of exactly one scope (the national calendar when ``province`` is None) for ``year``."""
    qs = CalendarDay.objects.filter(day__year=year)
    qs = qs.filter(province__isnull=True) if province is None else qs.filter(province=province)
    return qs.order_by("day")


def effective_calendar_days(*, province: AdminUnit | None, year: int) -> list[CalendarDay]:
    """The entries in force for ``year``: national rows overlaid by the province's (same day wins)."""
    by_day: dict[date, CalendarDay] = {row.day: row for row in calendar_days_of(province=None, year=year)}
    if province is not None:
        by_day.update({row.day: row for row in calendar_days_of(province=province, year=year)})
    return [by_day[day] for day in sorted(by_day)]


def year_status(*, province: AdminUnit | None, year: int) -> YearStatus:
    """The province's own row for ``year`` if any, else the national one; undeclared otherwise."""
    row: CalendarYear | None = None
    if province is not None:
        row = CalendarYear.objects.filter(province=province, year=year).first()
    specific = row is not None
    if row is None:
        row = CalendarYear.objects.filter(province__isnull=True, year=year).first()
    if row is None:
        years = covered_years(province)
        return YearStatus(year, year in years, years.get(year, True), "", False)
    return YearStatus(year, True, row.is_provisional, row.note, specific)


def declared_years(*, province: AdminUnit | None) -> list[int]:
    """Every year the calendar covers (national and province years, gaps included)."""
    return sorted(covered_years(province))


@dataclass(frozen=True, slots=True)
class ExplainedDue:
    """A due date with what the receipt, the pages and the API print about it."""

    due: Due
    explanation_vi: str
    explanation_en: str
    provisional: bool

    @property
    def skipped_days_off(self) -> tuple[date, ...]:
        """Every non-working day the count passed over, weekends included (``Due.skipped``)."""
        return self.due.skipped


def explained_due(
    *,
    received_at: datetime,
    amount: int,
    unit: TimeUnit,
    province_code: str | None,
    hours: OfficeHours = DEFAULT_HOURS,
    cutoff: time = DEFAULT_CUTOFF,
    calendar: WorkingCalendar | None = None,
) -> ExplainedDue:
    """When a dossier accepted at ``received_at`` is due over the province's calendar, and why.

    ``calendar``: the province's calendar when the caller holds it already (``working_calendar``
    of ``province_code``, read once for its act or page), so its revision is not read again.
    ``provisional`` is true when any year from receipt to the due day has a provisional calendar.
    Errors are ``ValidationFailed`` naming the parameter (``unknown_province``, ``amount_too_large``,
    ``date_out_of_calendar_range`` …).
    """
    if calendar is None:
        calendar = working_calendar(province_code)
    due = due_date(
        received_at=received_at, amount=amount, unit=unit, calendar=calendar, hours=hours, cutoff=cutoff
    )
    years = range(due.received_local.year, due.last_day.year + 1)
    return ExplainedDue(
        due=due,
        explanation_vi=explain(due, calendar, language="vi"),
        explanation_en=explain(due, calendar, language="en"),
        provisional=any(calendar.is_provisional(date(year, 1, 1)) for year in years),
    )


@dataclass(frozen=True, slots=True)
class GridDay:
    """One cell of a month grid: what the day is for deadline counting."""

    day: date
    kind: str  # "working", "weekend", "day_off", "makeup_workday"
    name_vi: str
    name_en: str

    @property
    def is_working(self) -> bool:
        return self.kind in ("working", "makeup_workday")


@dataclass(frozen=True, slots=True)
class MonthGrid:
    year: int
    month: int
    weeks: tuple[tuple[GridDay | None, ...], ...]  # Monday first; None pads the first and last week


def month_grids(*, calendar: WorkingCalendar, year: int) -> list[MonthGrid]:
    """Twelve Monday-first month grids of ``year`` over ``calendar`` (the year must be covered)."""
    months: list[MonthGrid] = []
    for month in range(1, 13):
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        cells: list[GridDay | None] = [None] * first.weekday()
        day = first
        while day < following:
            entry = calendar.entry(day)
            if entry is not None:
                cell = GridDay(day, entry.kind.value, entry.name_vi, entry.name_en)
            elif calendar.is_working(day):
                cell = GridDay(day, "working", "", "")
            else:
                cell = GridDay(day, "weekend", "", "")
            cells.append(cell)
            day += timedelta(days=1)
        cells += [None] * (-len(cells) % 7)
        weeks = tuple(tuple(cells[i : i + 7]) for i in range(0, len(cells), 7))
        months.append(MonthGrid(year, month, weeks))
    return months
