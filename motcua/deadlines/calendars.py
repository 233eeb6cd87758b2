"""From the calendar tables to the pure arithmetic: ``working_calendar()`` and ``office_hours_for()``.

A built ``WorkingCalendar`` is cached per process and per province, and checked against the
calendar revision (one query) on every call, so an edit saved by one web process or worker is used
by all the others at once (DESIGN.md: the app never assumes one process).
"""

from __future__ import annotations

import logging
import threading
import time as time_module
import uuid
from collections.abc import Hashable
from datetime import date, time
from typing import Final

from django.db import connection

from motcua.core.errors import ValidationFailed
from motcua.units.models import AdminUnit, OneStopUnit
from motcua.units.selectors import province_by_code

from .arithmetic import DEFAULT_HOURS, CalendarEntry, DayKind, OfficeHours, WorkingCalendar
from .models import CalendarDay, CalendarRevision, CalendarYear

logger = logging.getLogger(__name__)

__all__ = [
    "bump_revision",
    "calendar_revision",
    "clear_cache",
    "covered_years",
    "office_hours_for",
    "resolve_province",
    "revision_token",
    "working_calendar",
]

REVISION_PK: Final = 1

_cache: dict[str | None, tuple[Hashable, WorkingCalendar]] = {}
# Per database alias: (when, token, table fingerprint) of the last full check.
_full_check: dict[str, tuple[float, str, tuple[str, ...]]] = {}
FULL_CHECK_SECONDS: Final = 60.0
_lock = threading.Lock()


def bump_revision() -> None:
    """Give the calendar a new revision token; every writer calls this inside its transaction."""
    token = uuid.uuid4().hex
    if not CalendarRevision.objects.filter(pk=REVISION_PK).update(token=token):
        CalendarRevision.objects.update_or_create(pk=REVISION_PK, defaults={"token": token})


def revision_sql() -> str:
    """A scalar subquery of the revision token, for a caller that reads it with its own statement
    (the dossier lock) and hands it to ``working_calendar(…, token=…)``."""
    table = connection.ops.quote_name(CalendarRevision._meta.db_table)
    return f"(SELECT token FROM {table} WHERE id = {REVISION_PK})"  # noqa: S608 - from _meta


def revision_token() -> str:
    """The calendar's revision token, one primary-key read (``"None"`` without its row)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {revision_sql()}")
        row = cursor.fetchone()
    return str(row[0]) if row is not None and row[0] is not None else "None"


def calendar_revision(token: str | None = None) -> Hashable:
    """What the cached calendars are checked against: the revision token, one primary-key read
    (none when the caller read ``token`` already, see ``revision_sql``).

    The token changes on every write through the services and the seed. Writes that bypassed them
    (a restored backup, a shell session) are caught by the counts and the latest ``updated_at`` of
    the calendar tables, read at most every ``FULL_CHECK_SECONDS`` per process and connection.
    """
    alias = connection.alias
    if token is None:
        token = revision_token()
    checked = _full_check.get(alias)
    now = time_module.monotonic()
    if checked is None or now - checked[0] >= FULL_CHECK_SECONDS or checked[1] != token:
        checked = (now, token, _table_fingerprint())
        _full_check[alias] = checked
    return (alias, token, *checked[2])


def _table_fingerprint() -> tuple[str, ...]:
    q = connection.ops.quote_name
    rev, days, years = (
        q(CalendarRevision._meta.db_table),
        q(CalendarDay._meta.db_table),
        q(CalendarYear._meta.db_table),
    )
    sql = (
        f"SELECT (SELECT token FROM {rev} WHERE id = %s), "  # noqa: S608 - table names from _meta
        f"(SELECT COUNT(*) FROM {days}), (SELECT MAX(updated_at) FROM {days}), "
        f"(SELECT COUNT(*) FROM {years}), (SELECT MAX(updated_at) FROM {years})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [REVISION_PK])
        row = cursor.fetchone()
    return tuple(str(value) for value in row[1:])


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _full_check.clear()


def resolve_province(province_code: str | None) -> AdminUnit | None:
    """The current province with this official code; None (no code) means the national calendar."""
    if province_code is None or province_code.strip() == "":
        return None
    code = province_code.strip()
    province = province_by_code(code) if len(code) <= 10 else None
    if province is None:
        raise ValidationFailed(
            f"Không có tỉnh, thành phố mang mã “{code[:20]}” (dùng mã thống kê hiện hành, ví dụ 42).",
            f"There is no province with code “{code[:20]}” (use the current official code, e.g. 42).",
            code="unknown_province",
            field="province",
        )
    return province


def covered_years(province: AdminUnit | None) -> dict[int, bool]:
    """Declared years of the national calendar overlaid by the province's: ``{year: provisional}``.

    A year missing between two declared years counts as provisional (only weekends are known).
    """
    years: dict[int, bool] = dict(
        CalendarYear.objects.filter(province__isnull=True).values_list("year", "is_provisional")
    )
    if province is not None:
        years.update(CalendarYear.objects.filter(province=province).values_list("year", "is_provisional"))
    if not years:
        return {}
    return {year: years.get(year, True) for year in range(min(years), max(years) + 1)}


def _build(province: AdminUnit | None) -> WorkingCalendar:
    years = covered_years(province)
    if not years:
        raise ValidationFailed(
            "Chưa khai báo lịch làm việc năm nào; chạy lệnh seed_calendars hoặc khai báo năm lịch.",
            "No working calendar year is declared; run seed_calendars or declare a calendar year.",
            code="calendar_not_declared",
            field="province",
        )
    first_day, last_day = date(min(years), 1, 1), date(max(years), 12, 31)
    in_range = CalendarDay.objects.filter(day__gte=first_day, day__lte=last_day)
    by_day: dict[date, CalendarEntry] = {}
    national = in_range.filter(province__isnull=True)
    scopes = [national] if province is None else [national, in_range.filter(province=province)]
    for rows in scopes:  # the province's entry on the same day wins
        for day, kind, name_vi, name_en in rows.values_list("day", "kind", "name_vi", "name_en"):
            by_day[day] = CalendarEntry(day, DayKind(kind), name_vi, name_en or name_vi)
    provisional = frozenset(year for year, is_provisional in years.items() if is_provisional)
    return WorkingCalendar(by_day.values(), first_day, last_day, provisional_years=provisional)


def working_calendar(province_code: str | None, *, token: str | None = None) -> WorkingCalendar:
    """The working calendar of a province (national entries overlaid by the province's own).

    ``None`` or "" gives the national calendar. The range runs from 1 January of the first declared
    year to 31 December of the last; provisional years are passed through. An unknown province
    code raises ``ValidationFailed`` (code ``unknown_province``, field ``province``). ``token`` is
    the revision token when the caller has just read it (``revision_sql``).
    """
    key = (province_code or "").strip() or None
    revision = calendar_revision(token)
    cached = _cache.get(key)
    if cached is not None and cached[0] == revision:
        return cached[1]
    built = _build(resolve_province(key))
    with _lock:
        _cache[key] = (revision, built)
    return built


def office_hours_for(one_stop_unit: OneStopUnit) -> OfficeHours:
    """The unit's Monday–Friday office windows; a weekday without windows uses the default ones.

    A unit with no configured weekday, or with windows the arithmetic refuses (overlapping, out of
    order), gets ``DEFAULT_HOURS`` (07:00–11:30, 13:30–17:00; SPEC §6.1 rule 5) and a warning in the
    log, so a configuration slip never stops intake.
    """
    configured: dict[int, tuple[tuple[time, time], ...]] = {}
    for row in one_stop_unit.office_hours.all():
        if row.weekday < 5 and row.windows():
            configured[row.weekday] = tuple(row.windows())
    if not configured:
        return DEFAULT_HOURS
    weekdays = tuple(configured.get(i, DEFAULT_HOURS.weekdays[i]) for i in range(5))
    try:
        return OfficeHours(weekdays)
    except ValidationFailed:
        logger.warning("office hours of %s are invalid; using the default hours", one_stop_unit.code)
        return DEFAULT_HOURS
