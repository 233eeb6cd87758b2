"""The read API of the report projections: counts for a set of units × a period × a grouping.

Every function reads the projections only (never the dossier table) and returns plain values:
``models.Summary`` (no procedure dimension; day, month and year grains) unless the scope or the
grouping names procedures, ``models.Figures`` then.
Days are local (Vietnam) days; a period is ``[start, end]`` with both days included.

Scope (``Scope``): ``unit_ids`` (receiving one-stop units) and/or ``agency_ids`` (competent agencies),
``procedure_ids``, ``field_ids``, ``levels``, ``channels``; ``None`` means "all". A dossier received at
unit A for agency B counts in A's reception figures and in B's processing figures, once in each
(SPEC scenario 22).

Measures (``MEASURES`` in ``models``; each is a flow counted on the day it happens):

* ``received`` — accepted (code issued, clock started; T2/T7) on that day. Intake guidance and
  intake refusals never count (scenarios 3-4); inter-agency children never count (scenario 20).
* ``finished_early`` / ``finished_on_time`` / ``finished_late`` — processing ended that day (result
  issued, refused after appraisal, stopped, withdrawn), classified by the dossier's timeliness
  (scenario 18; extension-aware or not per ``MOTCUA_CLASSIFY_EXTENSION_AWARE``, scenario 17); stops
  and withdrawals count as on time (II.06a col (9) note). ``finished`` is their sum.
* ``refused`` / ``stopped`` / ``withdrawn`` — the part of ``finished`` that ended that way.
* ``overdue_in`` / ``overdue_out`` — the dossier's due day passed while unfinished / a dossier that
  was overdue finished. Only used to derive the overdue stock.
* ``paid_online`` / ``digitized`` / ``reused`` — received that day with fees paid online
  (``DuocThanhToanTrucTuyen`` 1 or 2) / with digitized components / with reused components;
  ``e_result`` — finished that day with a result delivered electronically.
* by channel (a dimension): ``online`` = channel online, ``postal`` = channel postal, ``in_person``.

Stocks at the end of a day E (derived from flows, so period queries stay small):

* ``in_progress(E)`` = received on or before E − finished on or before E ("đang giải quyết");
* ``overdue(E)`` = Σ(overdue_in − overdue_out) up to E: received, unfinished at the end of E, due on
  or before E; ``within_deadline(E)`` = ``in_progress(E) − overdue(E)``;
* ``carried_over(S)`` = ``in_progress(S − 1 day)`` (II.06a col (6)).

Sums over long spans read the year grain (``Summary``) for whole years, the month grain for whole
months and the day grain for the ragged ends.
``freshness()`` says whether every committed event is projected (pages show "being recomputed"
otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from motcua.core.errors import ValidationFailed

from .models import DIMENSIONS, MEASURES, Figures, Grain, Summary
from .projections import ALL, Freshness, freshness

__all__ = [
    "DIMENSIONS",
    "MEASURES",
    "Freshness",
    "Period",
    "Scope",
    "Totals",
    "flows",
    "freshness",
    "measures",
    "period_totals",
    "stocks",
]

EPOCH: Final = dt.date(2000, 1, 1)
MAX_YEARS: Final = 10
GROUPINGS: Final = frozenset({"unit_id", "agency_id", "procedure_id", "field_id", "level", "channel", "day"})


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end]``, local days, both included; at most ``MAX_YEARS`` long."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(
                f"Kỳ báo cáo không hợp lệ: ngày kết thúc {self.end:%d/%m/%Y} trước ngày bắt đầu "
                f"{self.start:%d/%m/%Y}.",
                f"Invalid period: the end {self.end:%d/%m/%Y} is before the start {self.start:%d/%m/%Y}.",
                code="period_reversed",
                field="end",
            )
        if (self.end - self.start).days >= MAX_YEARS * 366:
            raise ValidationFailed(
                f"Kỳ báo cáo dài quá {MAX_YEARS} năm.",
                f"The period is longer than {MAX_YEARS} years.",
                code="period_too_long",
                field="end",
            )
        if self.start < EPOCH:
            raise ValidationFailed(
                f"Kỳ báo cáo bắt đầu trước {EPOCH:%d/%m/%Y}.",
                f"The period starts before {EPOCH:%d/%m/%Y}.",
                code="period_too_early",
                field="start",
            )


@dataclass(frozen=True, slots=True)
class Scope:
    unit_ids: Sequence[int] | None = None
    agency_ids: Sequence[int] | None = None
    procedure_ids: Sequence[int] | None = None
    field_ids: Sequence[int] | None = None
    levels: Sequence[str] | None = None
    channels: Sequence[str] | None = None

    def q(self) -> Q:
        q = Q()
        for name, lookup in (
            ("unit_ids", "unit_id__in"),
            ("agency_ids", "agency_id__in"),
            ("procedure_ids", "procedure_id__in"),
            ("field_ids", "field_id__in"),
            ("levels", "level__in"),
            ("channels", "channel__in"),
        ):
            values = getattr(self, name)
            if values is not None:
                q &= Q(**{lookup: list(values)})
        return q


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def spans(start: dt.date, end: dt.date, *, years: bool = False) -> Q:
    """Rows covering ``[start, end]`` exactly once: whole years at year grain (``years``: the
    ``Summary`` table has them), whole months at month grain, the rest by day."""
    if end < start:
        return Q(pk__in=[])
    if years:
        first_year = start if (start.month, start.day) == (1, 1) else dt.date(start.year + 1, 1, 1)
        after_last_year = dt.date(end.year + ((end.month, end.day) == (12, 31)), 1, 1)
        if first_year < after_last_year:
            q = Q(grain=Grain.YEAR, day__gte=first_year, day__lt=after_last_year)
            if start < first_year:
                q |= spans(start, first_year - dt.timedelta(days=1))
            if after_last_year <= end:
                q |= spans(after_last_year, end)
            return q
    first_full = start if start.day == 1 else _month_after(start)
    after_last_full = (end + dt.timedelta(days=1)).replace(day=1)
    if first_full >= after_last_full:
        return Q(grain=Grain.DAY, day__gte=start, day__lte=end)
    q = Q(grain=Grain.MONTH, day__gte=first_full, day__lt=after_last_full)
    if start < first_full:
        q |= Q(grain=Grain.DAY, day__gte=start, day__lt=first_full)
    if after_last_full <= end:
        q |= Q(grain=Grain.DAY, day__gte=after_last_full, day__lte=end)
    return q


def _table(scope: Scope, group_by: Sequence[str]) -> type[Figures] | type[Summary]:
    """``Summary`` unless procedures are filtered or grouped (``Figures`` then)."""
    if scope.procedure_ids is None and "procedure_id" not in group_by:
        return Summary
    return Figures


def _rows(scope: Scope, group_by: Sequence[str]) -> tuple[type[Figures] | type[Summary], Q]:
    """The table to read and, in ``Summary``, the one roll-up that counts each dossier once: the
    places summed out (``unit_id = -1``) unless the scope or the grouping names units or agencies,
    the field summed out (``field_id = -1``) unless it names fields, the detailed rows otherwise."""
    table = _table(scope, group_by)
    if table is Figures:
        return Figures, scope.q()
    names = set(group_by)
    places = (
        scope.unit_ids is not None or scope.agency_ids is not None or bool(names & {"unit_id", "agency_id"})
    )
    fields = scope.field_ids is not None or "field_id" in names
    q = scope.q()
    q &= Q(unit_id__gte=0) if places else Q(unit_id=ALL)
    q &= Q(field_id__gte=0) if fields else Q(field_id=ALL)
    return Summary, q


def _over(
    scope: Scope, start: dt.date, end: dt.date, group_by: Sequence[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Every measure summed over ``[start, end]`` per ``group_by`` key, from the smallest rows."""
    table, where = _rows(scope, group_by)
    q = spans(start, end, years=table is Summary)
    return _sums(table.objects.filter(q & where), group_by)


def _sums(
    qs: QuerySet[Figures] | QuerySet[Summary], group_by: Sequence[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    for name in group_by:
        if name not in GROUPINGS:
            raise ValueError(f"unknown grouping {name!r}")
    sums = {f"s_{m}": Sum(m) for m in MEASURES}
    if not group_by:  # ``values()`` without names would group by every column
        total = qs.aggregate(**sums)
        if all(v is None for v in total.values()):
            return {}
        return {(): {m: int(total[f"s_{m}"] or 0) for m in MEASURES}}
    # The statement Django compiles, read on a plain cursor: a province-year II.06a sums a few hundred
    # groups of 24 measures, and Django's per-value converters were half of its CPU (ADR 0038).
    sql, params = qs.values(*group_by).annotate(**sums).order_by().query.sql_with_params()
    width = len(group_by)
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            out[tuple(row[:width])] = {m: int(v or 0) for m, v in zip(MEASURES, row[width:], strict=True)}
    return out


def flows(
    *, scope: Scope, period: Period, group_by: Sequence[str] = (), grain: str | None = None
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Every measure summed over ``period`` per ``group_by`` key (``"day"`` groups by the grain's
    day: pass ``grain="D"`` or ``"M"`` with it)."""
    if "day" not in group_by:
        return _over(scope, period.start, period.end, group_by)
    q = Q(grain=grain or Grain.DAY, day__gte=period.start, day__lte=period.end)
    if grain == Grain.MONTH:
        q = Q(grain=Grain.MONTH, day__gte=period.start.replace(day=1), day__lte=period.end)
    table, where = _rows(scope, group_by)
    return _sums(table.objects.filter(q & where), group_by)


def measures(
    *, scope: Scope, start: dt.date, end: dt.date, group_by: Sequence[str] = ()
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Every measure summed over ``[start, end]`` (any length, e.g. from ``EPOCH`` for a stock)."""
    return _over(scope, start, end, group_by)


@dataclass(slots=True)
class Totals:
    """Flows over a period and the stocks at its start and end, for one group."""

    received: int = 0
    received_online: int = 0
    received_in_person: int = 0
    received_postal: int = 0
    carried_over: int = 0
    finished: int = 0
    finished_early: int = 0
    finished_on_time: int = 0
    finished_late: int = 0
    refused: int = 0
    stopped: int = 0
    withdrawn: int = 0
    in_progress: int = 0
    within_deadline: int = 0
    overdue: int = 0
    paid_online: int = 0
    digitized: int = 0
    reused: int = 0
    e_result: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def period_totals(
    *, scope: Scope, period: Period, group_by: Sequence[str] = ()
) -> dict[tuple[Any, ...], Totals]:
    """``Totals`` per ``group_by`` key: two queries (before the period, and in it), whatever its length."""
    by_channel = [*group_by, "channel"]
    before = _over(scope, EPOCH, period.start - dt.timedelta(days=1), by_channel)
    during = _over(scope, period.start, period.end, by_channel)
    out: dict[tuple[Any, ...], Totals] = {}
    for source, rows in (("before", before), ("during", during)):
        for key, m in rows.items():
            group, channel = key[:-1], key[-1]
            t = out.setdefault(group, Totals())
            finished = m["finished_early"] + m["finished_on_time"] + m["finished_late"]
            stock = m["received"] - finished
            overdue = m["overdue_in"] - m["overdue_out"]
            t.in_progress += stock
            t.overdue += overdue
            if source == "before":
                t.carried_over += stock
                continue
            t.received += m["received"]
            if channel == "online":
                t.received_online += m["received"]
            elif channel == "postal":
                t.received_postal += m["received"]
            else:
                t.received_in_person += m["received"]
            t.finished += finished
            for name in (
                "finished_early",
                "finished_on_time",
                "finished_late",
                "refused",
                "stopped",
                "withdrawn",
                "paid_online",
                "digitized",
                "reused",
                "e_result",
            ):
                setattr(t, name, getattr(t, name) + m[name])
    for t in out.values():
        t.within_deadline = t.in_progress - t.overdue
    return out


def stocks(*, scope: Scope, at: dt.date, group_by: Sequence[str] = ()) -> dict[tuple[Any, ...], Totals]:
    """In progress / within deadline / overdue at the end of day ``at``."""
    rows = _over(scope, EPOCH, at, group_by)
    out: dict[tuple[Any, ...], Totals] = {}
    for key, m in rows.items():
        finished = m["finished_early"] + m["finished_on_time"] + m["finished_late"]
        t = Totals(in_progress=m["received"] - finished, overdue=m["overdue_in"] - m["overdue_out"])
        t.within_deadline = t.in_progress - t.overdue
        out[key] = t
    return out
