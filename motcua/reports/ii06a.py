"""Biểu II.06a/VPCP/KSTT (TT01/2020; SPEC §8.1): the period report on handling procedures.

Rows are fields (*lĩnh vực*) grouped by level (province, then commune, then others); columns:

(3) received in total = (4) online in the period + (5) in person or by post in the period + (6)
carried over from the previous period; (7) finished = (8) early + (9) on time + (10) late; (11) in
progress at the end of the period = (12) within the deadline + (13) overdue. Intake refusals and
inter-agency children are not counted (``projections``). Stopped, withdrawn and refused-after-appraisal
dossiers count in (7) (SPEC §8.1 practice note), so (3) = (7) + (11) on every row, and the carried-over
figure of a period equals (11) of the period before (both are ``in_progress`` at the same day's end).

Periods: the statutory cut-off (NĐ 09/2019 Art 12 as SPEC §8.1 recalls it [I]: from the 15th of the
last month of the previous period to the 14th of the last month of this one) or plain calendar
periods; ``period_for(mode, kind, year, number)``.

Every invariant is checked on every row and on the totals before the report is returned; a failure
raises (never a report presented as complete that does not add up). When the projections are behind
the event log or being rebuilt, ``Report.is_current`` is False and every rendering says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.utils.translation import gettext as _

from motcua.catalog.models import Field
from motcua.core.errors import MotcuaError, ValidationFailed
from motcua.units.models import Level

from .selectors import Freshness, Period, Scope, Totals, freshness, period_totals

MODES: Final = ("statutory", "calendar")
KINDS: Final = ("month", "quarter", "half", "nine_months", "year")
LEVEL_ORDER: Final = (Level.PROVINCE.value, Level.DISTRICT.value, Level.COMMUNE.value, "")
COLUMNS: Final = tuple(range(3, 14))


class InvariantBroken(MotcuaError):
    status = 500
    code = "report_invariant_broken"


def _months(kind: str, number: int) -> tuple[int, int]:
    """(first month, last month) of period ``number`` of ``kind`` in a year."""
    if kind == "month" and 1 <= number <= 12:
        return number, number
    if kind == "quarter" and 1 <= number <= 4:
        return 3 * number - 2, 3 * number
    if kind == "half" and number in (1, 2):
        return 6 * number - 5, 6 * number
    if kind in ("nine_months", "year") and number == 1:
        return 1, 9 if kind == "nine_months" else 12
    raise ValidationFailed(
        f"Kỳ báo cáo không hợp lệ: {kind} số {number}.",
        f"Unknown reporting period: {kind} number {number}.",
        code="period_unknown",
        field="number",
    )


def period_for(mode: str, kind: str, year: int, number: int = 1) -> Period:
    """The report period: ``mode`` "statutory" (15th of the month before → 14th) or "calendar"."""
    if mode not in MODES:
        raise ValidationFailed(
            "Cách tính kỳ báo cáo không hợp lệ.", "Unknown period mode.", code="period_mode", field="mode"
        )
    if not 2000 < year < 2100:
        raise ValidationFailed("Năm báo cáo không hợp lệ.", "Invalid report year.", code="year", field="year")
    first, last = _months(kind, number)
    if mode == "calendar":
        end_month_next = dt.date(year + (last == 12), last % 12 + 1, 1)
        return Period(dt.date(year, first, 1), end_month_next - dt.timedelta(days=1))
    start = dt.date(year - 1, 12, 15) if first == 1 else dt.date(year, first - 1, 15)
    return Period(start, dt.date(year, last, 14))


@dataclass(slots=True)
class Row:
    label: str
    level: str
    field_id: int | None  # None: a level heading or the total row
    cols: dict[int, int] = field(default_factory=dict)
    is_heading: bool = False
    number: str = ""

    @classmethod
    def of(cls, label: str, level: str, field_id: int | None, t: Totals, heading: bool = False) -> Row:
        cols = {
            4: t.received_online,
            5: t.received_in_person + t.received_postal,
            6: t.carried_over,
            8: t.finished_early,
            9: t.finished_on_time,
            10: t.finished_late,
            12: t.within_deadline,
            13: t.overdue,
        }
        cols[3] = cols[4] + cols[5] + cols[6]
        cols[7] = cols[8] + cols[9] + cols[10]
        cols[11] = t.in_progress
        return cls(label, level, field_id, dict(sorted(cols.items())), heading)

    def broken(self) -> list[str]:
        c = self.cols
        checks = {
            "(3)=(4)+(5)+(6)": c[3] == c[4] + c[5] + c[6],
            "(7)=(8)+(9)+(10)": c[7] == c[8] + c[9] + c[10],
            "(11)=(12)+(13)": c[11] == c[12] + c[13],
            "(3)=(7)+(11)": c[3] == c[7] + c[11],
            "(12),(13)>=0": c[12] >= 0 and c[13] >= 0,
        }
        return [name for name, ok in checks.items() if not ok]


@dataclass(slots=True)
class Report:
    period: Period
    mode: str
    place: str
    rows: list[Row]
    total: Row
    freshness: Freshness

    @property
    def is_current(self) -> bool:
        return self.freshness.is_current


def _add(a: Totals, b: Totals) -> Totals:
    out = Totals()
    for name in Totals.__slots__:
        if name != "extra":
            setattr(out, name, getattr(a, name) + getattr(b, name))
    return out


def level_label(level: str) -> str:
    labels = {
        Level.PROVINCE.value: _("Cấp tỉnh"),
        Level.DISTRICT.value: _("Cấp huyện"),
        Level.COMMUNE.value: _("Cấp xã"),
    }
    return labels.get(level, _("Cơ quan khác"))


def build(*, scope: Scope, period: Period, mode: str = "statutory", place: str = "") -> Report:
    """II.06a for ``scope`` over ``period``; raises ``InvariantBroken`` rather than return a wrong report."""
    state = freshness()
    totals = period_totals(scope=scope, period=period, group_by=("level", "field_id"))
    names = dict(Field.objects.filter(pk__in=[k[1] for k in totals]).values_list("pk", "name"))
    rows: list[Row] = []
    grand = Totals()
    roman = ("I", "II", "III", "IV")
    for index, level in enumerate(
        sorted({k[0] for k in totals}, key=lambda v: LEVEL_ORDER.index(v) if v in LEVEL_ORDER else 9)
    ):
        keys = sorted((k for k in totals if k[0] == level), key=lambda k: (names.get(k[1], "~"), k[1]))
        level_total = Totals()
        children: list[Row] = []
        for n, key in enumerate(keys, start=1):
            t = totals[key]
            level_total = _add(level_total, t)
            row = Row.of(names.get(key[1]) or _("Chưa phân lĩnh vực"), level, key[1], t)
            row.number = str(n)
            children.append(row)
        heading = Row.of(level_label(level), level, None, level_total, heading=True)
        heading.number = roman[index] if index < len(roman) else str(index + 1)
        rows.append(heading)
        rows.extend(children)
        grand = _add(grand, level_total)
    total = Row.of(_("Tổng cộng"), "", None, grand, heading=True)
    for row in (*rows, total):
        problems = row.broken()
        if problems:
            raise InvariantBroken(
                f"Báo cáo II.06a không khớp ({', '.join(problems)}) ở dòng “{row.label}”; hãy chạy "
                "rebuild_reports --check.",
                f"II.06a does not add up ({', '.join(problems)}) on row “{row.label}”; run "
                "rebuild_reports --check.",
            )
    return Report(period=period, mode=mode, place=place, rows=rows, total=total, freshness=state)


# ---------------------------------------------------------------------------------------------------
# A report for a place the user may see, from request parameters (pages and API share this)
# ---------------------------------------------------------------------------------------------------

PERIOD_PARAMS: Final = ("mode", "period", "year", "number", "start", "end")


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(
            f"Tham số “{name}” phải là số nguyên.", f"Parameter “{name}” must be an integer.", field=name
        ) from None


def _date_param(params: Mapping[str, str], name: str) -> dt.date:
    raw = (params.get(name) or "").strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"Ngày “{name}” không hợp lệ (định dạng YYYY-MM-DD).",
            f"Date “{name}” is not valid (format YYYY-MM-DD).",
            code="invalid_date",
            field=name,
        ) from None


def parse_period(params: Mapping[str, str], *, today: dt.date) -> tuple[Period, str, str]:
    """(period, mode, kind) from ``mode=statutory|calendar``, ``period=month|quarter|half|nine_months|
    year`` with ``year`` and ``number``, or ``period=custom`` with ``start`` and ``end``.
    Default: the statutory quarter that contains today."""
    mode = (params.get("mode") or "statutory").strip()
    kind = (params.get("period") or "quarter").strip()
    if kind == "custom":
        return Period(_date_param(params, "start"), _date_param(params, "end")), mode, kind
    if kind not in KINDS:
        raise ValidationFailed(
            "Loại kỳ báo cáo không hợp lệ.",
            "Unknown period kind.",
            code="period_kind_unknown",
            field="period",
        )
    year = _int_param(params, "year", today.year)
    default = {"month": today.month, "quarter": (today.month + 2) // 3, "half": (today.month + 5) // 6}
    number = _int_param(params, "number", default.get(kind, 1))
    return period_for(mode, kind, year, number), mode, kind


def for_user(user: Any, params: Mapping[str, str], *, today: dt.date) -> Report:
    """II.06a for the place in ``params`` (``reports.scope`` parameters; default: the widest place the
    user may see) after the one gate's ``reports.view`` check over the whole place."""
    from .dashboards import figures_scope
    from .scope import SCOPE_PARAMS, default_scope, require_scope
    from .scope import Scope as Place

    period, mode, _kind = parse_period(params, today=today)
    place = Place.parse(params)
    if not any(params.get(p) for p in SCOPE_PARAMS[:4]):
        place = default_scope(user).with_filter(field_id=place.field_id, procedure_id=place.procedure_id)
    require_scope(user, place)
    return build(scope=figures_scope(place), period=period, mode=mode, place=place_name(place))


def place_name(place: Any) -> str:
    from motcua.units.models import AdminUnit, Agency, OneStopUnit

    if place.agency_id is not None:
        return Agency.objects.filter(pk=place.agency_id).values_list("name", flat=True).first() or ""
    if place.one_stop_unit_id is not None:
        return (
            OneStopUnit.objects.filter(pk=place.one_stop_unit_id).values_list("name", flat=True).first() or ""
        )
    pk = place.commune_id if place.commune_id is not None else place.province_id
    if pk is not None:
        return AdminUnit.objects.filter(pk=pk).values_list("full_name", flat=True).first() or ""
    return _("Toàn tỉnh")
