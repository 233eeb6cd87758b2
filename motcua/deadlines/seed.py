"""Seed the national working calendar: the ``holidays`` package, then motcua's table of notices.

``holidays`` (MIT) computes Tết and the Hùng Kings' day with the true Vietnamese lunar calendar and
lists the swapped days off of the civil-service schedule as "Ngày nghỉ (thay cho ngày dd/mm/yyyy)",
where dd/mm/yyyy is the Saturday worked instead: that Saturday becomes a MAKEUP_WORKDAY. What the
package lacks or names without a source comes from ``NOTICES`` below, each with its legal basis
(SPEC §6.1 rule 3). Our own table is the authority afterwards: seeding never touches a MANUAL row,
never brings back a day the procedure-control office removed, and never duplicates (decision 0004).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

import holidays
from django.db import transaction

from motcua.core import clock

from .arithmetic import DayKind, format_day
from .calendars import bump_revision
from .models import MANUAL_REMOVAL_REASON, SEED_REASON, CalendarDay, CalendarYear, Source

# Years whose civil-service schedule SPEC §6.1 rule 3 reports as announced; later years stay
# provisional (dự kiến) until the procedure-control office marks them announced (decision 0004).
ANNOUNCED_YEARS: Final = frozenset({2024, 2025, 2026})

# Legal bases (SPEC §6.1 rule 3).
BLLD_112: Final = "BLLĐ 2019 Điều 112(1)"
BLLD_111_3: Final = "BLLĐ 2019 Điều 111(3)"
NQ_28_2026: Final = "NQ 28/2026/QH16 Điều 2"
TB_5015_2023: Final = "TB 5015/TB-LĐTBXH"  # Tết and National Day 2024 (22/11/2023)
CV_2450_2024: Final = "CV 2450/VPCP-KGVX"  # 30/4-1/5/2024 swap (12/04/2024)
CV_8726_2024: Final = "CV 8726/VPCP-KGVX"  # Tết and the 30/4-1/5 swap of 2025 (26/11/2024)
CV_12729: Final = "CV 12729/VPCP-KGVX"  # 2/1/2026 off, Saturday 10/1/2026 worked
TB_9441: Final = "TB 9441/TB-BNV"  # Tết and National Day 2026
CV_3383: Final = "BLLĐ 2019 Điều 112(1); CV 3383/BNV-CVL (không hoán đổi)"  # 30/4-1/5/2026, no swap
CV_10065: Final = "CV 10065/VPCP-KGVX"  # Tết and National Day 2027 (02/10/2026)

_SWAP_LABEL: Final = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True, slots=True)
class SeedDay:
    """A national calendar row as the seed wants it."""

    day: date
    kind: DayKind
    name_vi: str
    name_en: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class Notice:
    """One line of motcua's table: the legal basis of a day the package lists, or a day it lacks.

    Without names it only sets the legal basis (and checks the kind) of the package's entry; with
    names it adds the day or replaces the package's entry.
    """

    day: date
    kind: DayKind
    legal_basis: str
    name_vi: str = ""
    name_en: str = ""


def _days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def _notices() -> list[Notice]:
    off, work = DayKind.DAY_OFF, DayKind.MAKEUP_WORKDAY
    notices: list[Notice] = []
    # 2024: Tết 08-14/02 and National Day 02-03/09 (TB 5015/TB-LĐTBXH); Mon 29/04 off for Sat 04/05.
    notices += [Notice(d, off, TB_5015_2023) for d in _days(date(2024, 2, 8), date(2024, 2, 14))]
    notices += [Notice(date(2024, 9, 2), off, TB_5015_2023), Notice(date(2024, 9, 3), off, TB_5015_2023)]
    notices += [Notice(date(2024, 4, 29), off, CV_2450_2024), Notice(date(2024, 5, 4), work, CV_2450_2024)]
    # 2025: Tết 27/01-01/02 (off Sat 25/01-Sun 02/02); Fri 02/05 off for Sat 26/04 (CV 8726/VPCP-KGVX).
    notices += [Notice(d, off, CV_8726_2024) for d in _days(date(2025, 1, 27), date(2025, 2, 1))]
    notices += [Notice(date(2025, 5, 2), off, CV_8726_2024), Notice(date(2025, 4, 26), work, CV_8726_2024)]
    # 2026 (SPEC §6.1 rule 3): Fri 02/01 off with Sat 10/01 worked — the package lacks both.
    notices += [
        Notice(
            date(2026, 1, 2),
            off,
            CV_12729,
            "Tết Dương lịch (nghỉ hoán đổi, làm bù thứ Bảy 10/01/2026)",
            "New Year's Day (swapped day off; worked on Saturday 10/01/2026)",
        ),
        Notice(
            date(2026, 1, 10),
            work,
            CV_12729,
            "Ngày làm bù (cho ngày nghỉ 02/01/2026)",
            "Make-up working day (for the day off on 02/01/2026)",
        ),
    ]
    notices += [Notice(d, off, TB_9441) for d in _days(date(2026, 2, 16), date(2026, 2, 20))]
    notices += [Notice(date(2026, 4, 30), off, CV_3383), Notice(date(2026, 5, 1), off, CV_3383)]
    # National Day 2026: off Sat 29/08-Wed 02/09, Mon 31/08 swapped for Sat 22/08, Tue 01/09 adjacent.
    notices += [Notice(d, off, TB_9441) for d in _days(date(2026, 8, 31), date(2026, 9, 2))]
    notices += [Notice(date(2026, 8, 22), work, TB_9441)]
    # 2027 (CV 10065/VPCP-KGVX): Tết off Thu 04/02-Wed 10/02; National Day Thu 02/09-Fri 03/09.
    notices += [Notice(d, off, CV_10065) for d in _days(date(2027, 2, 4), date(2027, 2, 10))]
    notices += [Notice(date(2027, 9, 2), off, CV_10065), Notice(date(2027, 9, 3), off, CV_10065)]
    return notices


NOTICES: Final[tuple[Notice, ...]] = tuple(_notices())


def _default_basis(name_vi: str) -> str:
    if "(nghỉ bù)" in name_vi:
        return BLLD_111_3  # the next working day when a holiday falls on the weekly rest day
    if "Văn hóa Việt Nam" in name_vi:
        return NQ_28_2026
    return BLLD_112


def _swap_basis(year: int) -> str:
    return f"Lịch nghỉ CBCCVC năm {year} (hoán đổi ngày làm việc)"


_TET: Final = re.compile(r"Tết(?! Dương lịch)")
_WEEKDAY_VI: Final = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_WEEKDAY_EN: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _names(name_vi: str, name_en: str) -> tuple[str, str]:
    """One name for every day of Tết, so an explanation reads "14/02–22/02 (Tết Nguyên Đán)"."""
    if _TET.search(name_vi):
        observed = "(nghỉ bù)" in name_vi
        return (
            "Tết Nguyên Đán" + (" (nghỉ bù)" if observed else ""),
            "Lunar New Year" + (" (observed)" if observed else ""),
        )
    return name_vi, name_en


def _nearest_holiday(day: date, named: dict[date, tuple[str, str]]) -> tuple[str, str]:
    """The holiday a swapped day off bridges to (the closest named day within three days)."""
    for distance in (1, 2, 3):
        for near in (day + timedelta(days=distance), day - timedelta(days=distance)):
            if near in named:
                return named[near]
    return "Ngày nghỉ", "Day off"


def seed_days(years: Iterable[int]) -> dict[date, SeedDay]:
    """The national rows the seed wants for ``years``: the package, then ``NOTICES``."""
    year_list = sorted(set(years))
    if not year_list:
        return {}
    vi = holidays.country_holidays("VN", years=year_list, language="vi")
    en = holidays.country_holidays("VN", years=year_list, language="en_US")
    wanted: dict[date, SeedDay] = {}
    named: dict[date, tuple[str, str]] = {}
    swaps: list[tuple[date, date]] = []
    for day in sorted(vi):
        name_vi = "; ".join(vi.get_list(day))
        swap = _SWAP_LABEL.search(name_vi)
        if swap is None:
            names = _names(name_vi, "; ".join(en.get_list(day)))
            if "(nghỉ bù)" not in name_vi:
                named[day] = names
            wanted[day] = SeedDay(day, DayKind.DAY_OFF, *names, _default_basis(name_vi))
        else:
            # "Ngày nghỉ (thay cho ngày dd/mm/yyyy)": this day is off, the Saturday named is worked.
            swaps.append((day, date(int(swap.group(3)), int(swap.group(2)), int(swap.group(1)))))
    for day, worked in swaps:
        holiday_vi, holiday_en = _nearest_holiday(day, named)
        basis = _swap_basis(day.year)
        wanted[day] = SeedDay(
            day,
            DayKind.DAY_OFF,
            f"{holiday_vi} (nghỉ hoán đổi, làm bù {_WEEKDAY_VI[worked.weekday()]} {format_day(worked)})",
            f"{holiday_en} (swapped day off; worked on {_WEEKDAY_EN[worked.weekday()]} {format_day(worked)})",
            basis,
        )
        wanted[worked] = SeedDay(
            worked,
            DayKind.MAKEUP_WORKDAY,
            f"Ngày làm bù (cho ngày nghỉ {format_day(day)})",
            f"Make-up working day (for the day off on {format_day(day)})",
            basis,
        )
    in_years = set(year_list)
    for notice in NOTICES:
        if notice.day.year not in in_years:
            continue
        if notice.name_vi:
            wanted[notice.day] = SeedDay(
                notice.day, notice.kind, notice.name_vi, notice.name_en, notice.legal_basis
            )
            continue
        listed = wanted.get(notice.day)
        if listed is None or listed.kind is not notice.kind:
            raise RuntimeError(
                f"seed table out of step with the holidays package on {notice.day}: {listed!r}"
            )
        wanted[notice.day] = SeedDay(
            listed.day, listed.kind, listed.name_vi, listed.name_en, notice.legal_basis
        )
    return {day: wanted[day] for day in sorted(wanted) if day.year in in_years}


def default_years(today: date | None = None) -> list[int]:
    """The past two years, this year and the next two."""
    year = (today or clock.today()).year
    return list(range(year - 2, year + 3))


def parse_years(text: str) -> list[int]:
    """``2024-2028`` or ``2026`` or ``2025,2027`` → a sorted list of years."""
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        first, sep, last = part.partition("-")
        try:
            lo = int(first)
            hi = int(last) if sep else lo
        except ValueError as exc:
            raise ValueError(f"not a year or a range of years: {part!r}") from exc
        if hi < lo or hi - lo > 50:
            raise ValueError(f"not a sensible range of years: {part!r}")
        years.update(range(lo, hi + 1))
    if not years:
        raise ValueError("no year given")
    return sorted(years)


def _year_note(year: int) -> str:
    bases = (n.legal_basis for n in NOTICES if n.day.year == year)
    documents = sorted({part for basis in bases for part in basis.split("; ") if "BLLĐ" not in part})
    if year in ANNOUNCED_YEARS:
        return "Theo thông báo: " + "; ".join(documents) if documents else "Đã công bố"
    if documents:
        return (
            f"Một phần đã công bố ({'; '.join(documents)}); "
            "các ngày còn lại dự kiến theo BLLĐ 2019 Điều 111-112."
        )
    return "Dự kiến theo BLLĐ 2019 Điều 111-112; chờ thông báo lịch nghỉ chính thức."


def _manually_removed(days: Iterable[date]) -> set[date]:
    """National days whose latest history row is a removal by the procedure-control office."""
    latest: dict[date, str | None] = {}
    history = CalendarDay.history.filter(province__isnull=True, day__in=list(days)).order_by(
        "history_date", "history_id"
    )
    for row in history.values("day", "history_type", "history_change_reason"):
        latest[row["day"]] = row["history_change_reason"] if row["history_type"] == "-" else None
    return {day for day, reason in latest.items() if reason == MANUAL_REMOVAL_REASON}


def _counter() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "kept_manual": 0, "removed": 0}


@transaction.atomic
def seed_calendars(years: Iterable[int] | None = None) -> dict[str, object]:
    """Create or refresh the national calendar for ``years`` (default: ``default_years()``).

    Idempotent: a second run creates nothing and reports every row unchanged. Returns the counts
    per table: ``{"years": [...], "days": {...}, "calendar_years": {...}}``.
    """
    year_list = sorted(set(years)) if years is not None else default_years()
    wanted = seed_days(year_list)
    days = _counter()
    calendar_years = _counter()
    existing = {
        row.day: row for row in CalendarDay.objects.filter(province__isnull=True, day__year__in=year_list)
    }
    removed_by_office = _manually_removed(wanted)
    for day, want in wanted.items():
        row = existing.get(day)
        if row is None:
            if day in removed_by_office:
                days["kept_manual"] += 1
                continue
            row = CalendarDay(province=None, day=day, source=Source.SEED)
            _apply(row, want)
            row._change_reason = SEED_REASON  # type: ignore[attr-defined]
            row.save()
            days["created"] += 1
        elif row.source == Source.MANUAL:
            days["kept_manual"] += 1
        elif _differs(row, want):
            _apply(row, want)
            row._change_reason = SEED_REASON  # type: ignore[attr-defined]
            row.save()
            days["updated"] += 1
        else:
            days["unchanged"] += 1
    for day, row in existing.items():
        if day not in wanted and row.source == Source.SEED:
            row._change_reason = SEED_REASON  # type: ignore[attr-defined]
            row.delete()
            days["removed"] += 1

    years_existing = {
        row.year: row for row in CalendarYear.objects.filter(province__isnull=True, year__in=year_list)
    }
    for year in year_list:
        is_provisional = year not in ANNOUNCED_YEARS
        note = _year_note(year)
        cy = years_existing.get(year)
        if cy is None:
            cy = CalendarYear(province=None, year=year, is_provisional=is_provisional, note=note)
            cy.source = Source.SEED
            cy._change_reason = SEED_REASON  # type: ignore[attr-defined]
            cy.save()
            calendar_years["created"] += 1
        elif cy.source == Source.MANUAL:
            calendar_years["kept_manual"] += 1
        elif cy.is_provisional != is_provisional or cy.note != note:
            cy.is_provisional, cy.note = is_provisional, note
            cy._change_reason = SEED_REASON  # type: ignore[attr-defined]
            cy.save()
            calendar_years["updated"] += 1
        else:
            calendar_years["unchanged"] += 1
    if (
        days["created"]
        or days["updated"]
        or days["removed"]
        or calendar_years["created"]
        or (calendar_years["updated"])
    ):
        bump_revision()
    return {"years": year_list, "days": days, "calendar_years": calendar_years}


def _apply(row: CalendarDay, want: SeedDay) -> None:
    row.kind = want.kind.value
    row.name_vi = want.name_vi
    row.name_en = want.name_en
    row.legal_basis = want.legal_basis


def _differs(row: CalendarDay, want: SeedDay) -> bool:
    return (row.kind, row.name_vi, row.name_en, row.legal_basis) != (
        want.kind.value,
        want.name_vi,
        want.name_en,
        want.legal_basis,
    )
