"""How Vietnamese state documents write dates, times, amounts and counts.

Pure functions, used by the templates through ``templatetags/paperwork.py`` and usable by anyone
building a context (a fee line, a note). Every instant is printed in Vietnam's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from motcua.core.clock import to_local
from motcua.deadlines.arithmetic import Timeliness, format_day

__all__ = [
    "TIMELINESS_LABELS",
    "clock_time",
    "count",
    "issue_date",
    "money",
    "place_and_date",
    "short_date",
    "timeliness_label",
]

TIMELINESS_LABELS: dict[Timeliness, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}


def issue_date(day: date) -> str:
    """ "ngày 13 tháng 02 năm 2026".

    NĐ 30/2020/NĐ-CP Phụ lục I: the day and month are written in Arabic numerals, with a leading
    zero for days below 10 and for months 1 and 2 (so no one can turn "tháng 1" into "tháng 11");
    March to December carry no zero ("ngày 05 tháng 3 năm 2026").
    """
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year:04d}"


def place_and_date(place: str, day: date) -> str:
    """ "Hà Tĩnh, ngày 13 tháng 02 năm 2026" (the *địa danh và thời gian ban hành* line)."""
    return f"{place}, {issue_date(day)}"


def clock_time(instant: datetime) -> str:
    """ "14 giờ 00 phút, ngày 13/02/2026" in Vietnam's time zone; refuses naive datetimes."""
    local = to_local(instant)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, ngày {format_day(local.date())}"


def short_date(value: date | datetime) -> str:
    """ "13/02/2026"; an instant is taken in Vietnam's time zone first."""
    if isinstance(value, datetime):
        return format_day(to_local(value).date())
    return format_day(value)


def money(amount: int | Decimal) -> str:
    """ "30.000 đồng": whole đồng, dots between thousands (the đồng has no subunit in use)."""
    if isinstance(amount, Decimal):
        if amount != amount.to_integral_value():
            raise ValueError(f"an amount in đồng has no fraction, got {amount}")
        amount = int(amount)
    if amount < 0:
        raise ValueError(f"an amount cannot be negative, got {amount}")
    return f"{amount:,d}".replace(",", ".") + " đồng"


def count(value: int) -> str:
    """Counts on forms take two digits, "01 bộ", as numbers on state documents usually do."""
    if value < 0:
        raise ValueError(f"a count cannot be negative, got {value}")
    return f"{value:02d}"


def timeliness_label(value: Timeliness | None) -> str:
    """ "Trước hạn" / "Đúng hạn" / "Quá hạn"; empty while the step is still open."""
    return "" if value is None else TIMELINESS_LABELS[Timeliness(value)]
