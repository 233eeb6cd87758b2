"""Reads of the calendar tables used by the API and by the staff and public pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from motcua.units.models import AdminUnit

from .calendars import covered_years
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
