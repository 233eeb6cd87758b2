"""Live dashboards for the province, an agency or a one-stop unit (issue #8 item 2).

The counts come from the report projections (``selectors.flows/period_totals/stocks``, kept by the
worker after every act), so a dashboard over a year costs a handful of queries. Two panels are live
reads of the dossier table because they depend on the clock and the step: "due by the end of the
next working day" and "overdue now by agency and step" (``dossiers.selectors``).

Every number has a drill-down (``records(metric, ...)``) that lists exactly the dossiers it
counts, with the same rules as the projection (``projections.finish_measure``, the overdue stock
``due_on <= E < finished_on``); the dashboard test checks count == list length for each of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

from django.db.models import Count, Q, QuerySet

from motcua.catalog.models import Channel
from motcua.catalog.models import Field as ProcedureField
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import CLOCK_RUNNING, dossiers_due_within
from motcua.units.models import Agency, OneStopUnit

from . import selectors
from .models import EndKind, ReportedDossier
from .projections import Freshness
from .scope import Period, Scope, agencies_in, descendant_units, dossier_filter

CENT: Final = Decimal("0.01")
METRICS: Final = (
    "received",
    "finished",
    "on_time",
    "late",
    "in_progress",
    "within",
    "overdue",
    "due_next",
    "overdue_now",
)


def figures_scope(scope: Scope) -> selectors.Scope:
    """Our place/field/procedure scope as the projections' sets of ids."""
    unit_ids = None
    agency_ids: set[int] | None = None
    if scope.one_stop_unit_id is not None:
        unit_ids = sorted(descendant_units([scope.one_stop_unit_id]))
    else:
        agency_ids = agencies_in(scope)
    return selectors.Scope(
        unit_ids=unit_ids,
        agency_ids=None if agency_ids is None else sorted(agency_ids),
        procedure_ids=None if scope.procedure_id is None else [scope.procedure_id],
        field_ids=None if scope.field_id is None else [scope.field_id],
    )


def on_time_rate(early: int, on_time: int, finished: int) -> Decimal | None:
    """(early + on time) ÷ finished, as a percentage with 2 decimals; None without finished dossiers."""
    if finished <= 0:
        return None
    return (Decimal(100 * (early + on_time)) / finished).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a breakdown table (and one point of its chart)."""

    key: Any
    label: str
    received: int = 0
    finished: int = 0
    on_time: int = 0  # early + on time
    late: int = 0
    rate: Decimal | None = None
    overdue: int = 0


@dataclass(frozen=True, slots=True)
class Dashboard:
    scope: Scope
    period: Period
    today: dt.date
    stock_day: dt.date  # the day the in-progress figures are taken at (period end, or today)
    totals: selectors.Totals
    today_totals: selectors.Totals
    rate: Decimal | None
    trend: list[Row]
    by_agency: list[Row]
    by_field: list[Row]
    by_channel: list[tuple[str, str, int]]
    due_next: int
    overdue_by_place: list[tuple[int, str, str, int]] = field(default_factory=list)
    freshness: Freshness | None = None


def _row(key: Any, label: str, m: dict[str, int], *, overdue: int = 0) -> Row:
    on_time = m.get("finished_early", 0) + m.get("finished_on_time", 0)
    finished = on_time + m.get("finished_late", 0)
    return Row(
        key,
        label,
        received=m.get("received", 0),
        finished=finished,
        on_time=on_time,
        late=m.get("finished_late", 0),
        rate=on_time_rate(m.get("finished_early", 0), m.get("finished_on_time", 0), finished),
        overdue=overdue,
    )


def _running_in(scope: Scope) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        dossier_filter(scope),
        parent__isnull=True,
        state__in=CLOCK_RUNNING,
        finished_at__isnull=True,
        due_at__isnull=False,
    )


def dashboard(
    *, scope: Scope, period: Period, at: dt.datetime | None = None, language: str = "vi"
) -> Dashboard:
    """The dashboard of ``scope`` over ``period`` (the caller checked ``require_scope`` first)."""
    when = at or clock.now()
    today = clock.to_local(when).date()
    fs = figures_scope(scope)
    totals = selectors.period_totals(scope=fs, period=selectors.Period(period.start, period.end)).get(
        (), selectors.Totals()
    )
    today_totals = selectors.period_totals(scope=fs, period=selectors.Period(today, today)).get(
        (), selectors.Totals()
    )
    stock_day = min(period.end, today)
    if stock_day != period.end:
        stock = selectors.stocks(scope=fs, at=stock_day).get((), selectors.Totals())
        totals.in_progress, totals.within_deadline, totals.overdue = (
            stock.in_progress,
            stock.within_deadline,
            stock.overdue,
        )
    rate = on_time_rate(totals.finished_early, totals.finished_on_time, totals.finished)

    months = selectors.flows(
        scope=fs, period=selectors.Period(period.start, period.end), group_by=("day",), grain="M"
    )
    trend = []
    for month in period.months():
        m = months.get((month.start.replace(day=1),), {})
        trend.append(_row(month.start.isoformat(), f"{month.start:%m/%Y}", m))

    span = selectors.Period(period.start, period.end)
    per_agency = selectors.flows(scope=fs, period=span, group_by=("agency_id",))
    overdue_stock = selectors.stocks(scope=fs, at=stock_day, group_by=("agency_id",))
    agency_keys = set(per_agency) | set(overdue_stock)
    names: dict[tuple[Any, ...], str] = {
        (pk,): name
        for pk, name in Agency.objects.filter(pk__in=[k[0] for k in agency_keys]).values_list("pk", "name")
    }
    by_agency = [
        _row(
            key[0],
            names.get(key, str(key[0])),
            per_agency.get(key, {}),
            overdue=overdue_stock.get(key, selectors.Totals()).overdue,
        )
        for key in sorted(set(per_agency) | set(overdue_stock), key=lambda k: names.get(k, ""))
    ]
    per_field = selectors.flows(scope=fs, period=span, group_by=("field_id",))
    field_names = dict(
        ProcedureField.objects.filter(pk__in=[k[0] for k in per_field]).values_list("pk", "name")
    )
    none_label = "(no field)" if language.startswith("en") else "(chưa xác định lĩnh vực)"
    by_field = sorted(
        (_row(k[0], field_names.get(k[0], none_label), m) for k, m in per_field.items()),
        key=lambda r: (-r.received, r.label),
    )
    channel_labels = dict(Channel.choices)
    by_channel = [
        (Channel.IN_PERSON.value, str(channel_labels[Channel.IN_PERSON]), totals.received_in_person),
        (Channel.ONLINE.value, str(channel_labels[Channel.ONLINE]), totals.received_online),
        (Channel.POSTAL.value, str(channel_labels[Channel.POSTAL]), totals.received_postal),
    ]
    due_next = dossiers_due_within(working_days=1, at=when).filter(dossier_filter(scope)).count()
    overdue_rows = (
        _running_in(scope)
        .filter(due_at__lt=when)
        .values("competent_agency_id", "competent_agency__name", "step")
        .annotate(n=Count("pk"))
        .order_by("competent_agency__name", "step")
    )
    overdue_by_place = [
        (r["competent_agency_id"], r["competent_agency__name"], r["step"] or "", r["n"]) for r in overdue_rows
    ]
    return Dashboard(
        scope,
        period,
        today,
        stock_day,
        totals,
        today_totals,
        rate,
        trend,
        by_agency,
        by_field,
        by_channel,
        due_next,
        overdue_by_place,
        selectors.freshness(),
    )


# --------------------------------------------------------------------------------------------------
# Drill-down: the dossiers behind each number
# --------------------------------------------------------------------------------------------------

_JUDGED: Final = (EndKind.RESULT, EndKind.REFUSED)


def reported_dossiers(scope: Scope) -> QuerySet[ReportedDossier]:
    """The report facts of the dossiers of ``scope`` (as ``figures_scope`` selects them)."""
    fs = figures_scope(scope)
    q = Q()
    for ids, name in (
        (fs.unit_ids, "unit_id__in"),
        (fs.agency_ids, "agency_id__in"),
        (fs.procedure_ids, "procedure_id__in"),
        (fs.field_ids, "field_id__in"),
    ):
        if ids is not None:
            q &= Q(**{name: list(ids)})
    return ReportedDossier.objects.filter(q)


def _unknown_metric(metric: str) -> ValidationFailed:
    return ValidationFailed(
        f"Không có chỉ số '{metric}' trên bảng điều khiển.",
        f"There is no dashboard figure '{metric}'.",
        code="metric_unknown",
        field="metric",
    )


def records(
    metric: str,
    *,
    scope: Scope,
    period: Period,
    at: dt.datetime | None = None,
    channel: str | None = None,
    agency_id: int | None = None,
    field_id: int | None = None,
    step: str | None = None,
) -> QuerySet[Dossier]:
    """The dossiers counted by ``metric`` (``METRICS``) for the scope and period, narrowed to one
    channel, agency, field or (for ``overdue_now``) step, as the dashboard's tables show them."""
    if metric not in METRICS:
        raise _unknown_metric(metric)
    when = at or clock.now()
    today = clock.to_local(when).date()
    base = Dossier.objects.select_related("competent_agency", "procedure_version", "received_at_unit")
    if metric == "due_next":
        return (
            dossiers_due_within(working_days=1, at=when)
            .filter(dossier_filter(scope))
            .order_by("due_at", "pk")
        )
    if metric == "overdue_now":
        running = _running_in(scope).filter(due_at__lt=when)
        if agency_id is not None:
            running = running.filter(competent_agency_id=agency_id)
        if step is not None:
            running = running.filter(step=step) if step else running.filter(step__isnull=True)
        return base.filter(pk__in=running.values("pk")).order_by("due_at", "pk")
    facts = reported_dossiers(scope)
    s, e = period.start, period.end
    stock_day = min(e, today)
    if metric == "received":
        facts = facts.filter(received_on__gte=s, received_on__lte=e)
    elif metric in ("finished", "on_time", "late"):
        facts = facts.filter(finished_on__gte=s, finished_on__lte=e)
        late = Q(end_kind__in=_JUDGED, timeliness="late")
        if metric == "on_time":
            facts = facts.exclude(late)
        elif metric == "late":
            facts = facts.filter(late)
    else:  # stocks at the end of ``stock_day``
        facts = facts.filter(received_on__lte=stock_day).filter(
            Q(finished_on__isnull=True) | Q(finished_on__gt=stock_day)
        )
        overdue = Q(due_on__isnull=False, due_on__lte=stock_day)
        if metric == "overdue":
            facts = facts.filter(overdue)
        elif metric == "within":
            facts = facts.exclude(overdue)
    if channel:
        facts = facts.filter(channel=channel)
    if agency_id is not None:
        facts = facts.filter(agency_id=agency_id)
    if field_id is not None:
        facts = facts.filter(field_id=field_id)
    return base.filter(pk__in=facts.values("dossier_id")).order_by("received_at", "pk")


def trend_counts(rows: list[Row]) -> dict[str, list[Any]]:
    """Chart data for the on-time trend (labels and the rate per month; None when nothing finished)."""
    return {
        "labels": [r.label for r in rows],
        "rate": [None if r.rate is None else float(r.rate) for r in rows],
        "finished": [r.finished for r in rows],
    }


def bars(rows: list[Row], value: str = "rate") -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        data["labels"].append(r.label)
        v = getattr(r, value)
        data["values"].append(float(v) if isinstance(v, Decimal) else v)
    return dict(data)


def unit_name(pk: int) -> str:
    return OneStopUnit.objects.filter(pk=pk).values_list("name", flat=True).first() or str(pk)


# --------------------------------------------------------------------------------------------------
# Public statistics (the portal publishes them: ND61 Art 30, TT01/2018 Art 16)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicStatistics:
    """Province-wide figures for one calendar year (up to today for the running year)."""

    period: Period
    received: int
    received_online: int
    finished: int
    on_time: int
    on_time_rate: Decimal | None
    online_share: Decimal | None
    satisfaction: Decimal | None  # None = no ratings yet ("chưa có dữ liệu")
    months: list[Row]


def public_statistics(*, year: int | None = None, at: dt.datetime | None = None) -> PublicStatistics:
    """No personal data: counts and rates only, for the whole installation. Every figure from the
    report projections (``Summary``; satisfaction, Decision 766 indicator 5.4, through
    ``index766.satisfaction_from_projections``): a fixed handful of queries whatever the number of
    dossiers, the same numbers as counting the dossier table."""
    from .index766 import percent, satisfaction_from_projections

    when = at or clock.now()
    today = clock.to_local(when).date()
    year = year or today.year
    if not 2000 <= year <= today.year:
        raise ValidationFailed(
            f"Năm thống kê phải từ 2000 đến {today.year}.",
            f"The statistics year must be between 2000 and {today.year}.",
            code="period_year_invalid",
            field="year",
        )
    end = min(dt.date(year, 12, 31), today)
    period = Period(dt.date(year, 1, 1), end, "year")
    everywhere = selectors.Scope()
    totals = selectors.period_totals(scope=everywhere, period=selectors.Period(period.start, end)).get(
        (), selectors.Totals()
    )
    months = selectors.flows(
        scope=everywhere, period=selectors.Period(period.start, end), group_by=("day",), grain="M"
    )
    rows = [
        _row(m.start.isoformat(), f"{m.start:%m/%Y}", months.get((m.start,), {})) for m in period.months()
    ]
    on_time = totals.finished_early + totals.finished_on_time
    online_share = (
        None
        if totals.received == 0
        else (Decimal(100 * totals.received_online) / totals.received).quantize(CENT, rounding=ROUND_HALF_UP)
    )
    satisfaction = satisfaction_from_projections(scope=Scope(), period=period, at=when)
    return PublicStatistics(
        period,
        totals.received,
        totals.received_online,
        totals.finished,
        on_time,
        on_time_rate(totals.finished_early, totals.finished_on_time, totals.finished),
        online_share,
        percent(satisfaction.value) if satisfaction.status == "ok" else None,
        rows,
    )
