"""The Decision 766/QĐ-TTg service index (SPEC §7.2), computed from motcua's own data.

* The groups, indicators, formulas, points and thresholds (80% / 50% / 90%) are versioned
  configuration in ``config/index766.json``: the version in force on the last day of the period
  scores it; a VPCP revision is a new version, never an edit.
* ``scorecard(scope=..., period=...)`` computes every indicator motcua's data can compute, for any
  place (province, agency, commune, one-stop unit), field or procedure and any period, with the group
  totals. Indicators that need data motcua does not hold yet (publication audit, national-portal
  sync, feedback) are shown as "no data" and left out of the totals; the scorecard then says it is
  incomplete (``is_complete``) and never presents a partial total as the full one.
* ``indicator_records(...)`` returns the dossiers (or procedures) counted in an indicator's
  numerator or denominator: the drill-down behind every number.

For the benchmark (``bench/reports.py``, reports-core): time ``scorecard(scope=Scope(),
period=Period.month(2026, 3))``: one aggregate query per set of dossiers (received in the period,
in play, finished) plus two small catalogue counts.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from motcua.catalog.models import OnlineLevel, Procedure, VersionAgency, VersionStatus
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.models import Dossier, FeeLine, PaidOnline, Result, Timeliness
from motcua.workflow import ACTIVE

from .projections import Freshness
from .satisfaction import unhappy_among, unhappy_dossiers
from .scope import Period, Scope, agencies_in, dossier_filter

CONFIG_FILE: Final = Path(__file__).with_name("config") / "index766.json"
HUNDRED: Final = Decimal(100)
CENT: Final = Decimal("0.01")

# Sources: what an indicator is computed from. Only "dossiers", "procedures" and "ratings" are
# computable today; "feedback" and "none" are shown as "no data" with the reason.
COMPUTABLE_SOURCES: Final = frozenset({"dossiers", "procedures", "ratings"})


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupSpec:
    code: str
    name_vi: str
    name_en: str
    points: Decimal

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    id: str
    group: str
    name_vi: str
    name_en: str
    formula_vi: str
    formula_en: str
    points: Decimal
    threshold: Decimal | None  # the rate that earns full points; None = proportional (rate × points)
    source: str

    def name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") else self.name_vi

    def formula(self, language: str = "vi") -> str:
        return self.formula_en if language.startswith("en") else self.formula_vi


@dataclass(frozen=True, slots=True)
class IndexConfig:
    version: str
    effective_from: dt.date
    note: str
    groups: tuple[GroupSpec, ...]
    indicators: tuple[IndicatorSpec, ...]

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        for spec in self.indicators:
            if spec.id == indicator_id:
                return spec
        raise NotFound(
            f"Không có chỉ tiêu {indicator_id} trong Bộ chỉ số 766 (phiên bản {self.version}).",
            f"There is no indicator {indicator_id} in the 766 index (version {self.version}).",
            code="indicator_unknown",
            field="indicator",
        )


def _parse(raw: dict[str, Any]) -> IndexConfig:
    groups = tuple(
        GroupSpec(g["code"], g["name_vi"], g["name_en"], Decimal(str(g["points"]))) for g in raw["groups"]
    )
    indicators = tuple(
        IndicatorSpec(
            id=i["id"],
            group=i["group"],
            name_vi=i["name_vi"],
            name_en=i["name_en"],
            formula_vi=i["formula_vi"],
            formula_en=i["formula_en"],
            points=Decimal(str(i["points"])),
            threshold=None if i["threshold"] is None else Decimal(str(i["threshold"])),
            source=i["source"],
        )
        for i in raw["indicators"]
    )
    config = IndexConfig(
        raw["version"], dt.date.fromisoformat(raw["effective_from"]), raw.get("note", ""), groups, indicators
    )
    codes = {g.code for g in groups}
    for spec in indicators:
        if spec.group not in codes:
            raise ValueError(f"{config.version}: indicator {spec.id} in unknown group {spec.group}")
    for group in groups:
        total = sum((s.points for s in indicators if s.group == group.code), Decimal(0))
        if total != group.points:
            raise ValueError(
                f"{config.version}: group {group.code} has {group.points} points, indicators {total}"
            )
    return config


@cache
def configs() -> tuple[IndexConfig, ...]:
    """Every version, oldest first (the file is read once per process)."""
    raw = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    return tuple(sorted((_parse(v) for v in raw["versions"]), key=lambda c: c.effective_from))


def config_for(day: dt.date) -> IndexConfig:
    """The version in force on ``day`` (the last day of the period scores the period)."""
    found = [c for c in configs() if c.effective_from <= day]
    if not found:
        raise NotFound(
            f"Bộ chỉ số 766 chưa có hiệu lực vào ngày {day:%d/%m/%Y} (áp dụng từ 01/8/2022).",
            f"The 766 index was not in force on {day:%d/%m/%Y} (it applies from 01/08/2022).",
            code="index_not_in_force",
            field="end",
        )
    return found[-1]


# --------------------------------------------------------------------------------------------------
# Scoring (pure)
# --------------------------------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator ÷ denominator as a fraction; None when the denominator is 0 (shown as N/A)."""
    if denominator <= 0:
        return None
    return Decimal(numerator) / Decimal(denominator)


def percent(value: Decimal | None) -> Decimal | None:
    """A fraction as a percentage with 2 decimals (SPEC §7.2: "display percentages to 2 decimals")."""
    if value is None:
        return None
    return (value * HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def threshold_points(value: Decimal, max_points: Decimal, threshold: Decimal | None) -> Decimal:
    """Points for a rate: full points at or above the threshold, else ``rate × max ÷ threshold``
    (SPEC §7.2: 3.1 and 4.2 at 80%, 3.3 at 50%, 5.4 at 90%). Without a threshold: ``rate × max``."""
    value = max(Decimal(0), min(value, Decimal(1)))
    limit = threshold if threshold is not None else Decimal(1)
    if value >= limit:
        return max_points
    return value * max_points / limit


def satisfaction_rate(late_rate: Decimal, unhappy_rate: Decimal) -> Decimal:
    """QĐ 766 indicator 5.4: 100% − (late-dossier rate + rate of dossiers with feedback or a dislike)."""
    return max(Decimal(0), Decimal(1) - late_rate - unhappy_rate)


# --------------------------------------------------------------------------------------------------
# What each indicator counts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parts:
    """The records of an indicator's numerator and denominator (dossiers or procedures)."""

    numerator: QuerySet[Any]
    denominator: QuerySet[Any]
    counts: str = "dossiers"


def dossiers_of(scope: Scope) -> QuerySet[Dossier]:
    """Accepted citizen dossiers of the scope (a child sub-dossier never counts: SPEC scenario 20)."""
    return Dossier.objects.filter(dossier_filter(scope), received_at__isnull=False, parent__isnull=True)


def _received_in(base: QuerySet[Dossier], period: Period) -> QuerySet[Dossier]:
    return base.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)


def _in_play(base: QuerySet[Dossier], period: Period) -> QuerySet[Dossier]:
    """Received or processed in the period: accepted before its end and not finished before it."""
    return base.filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=period.start_at), received_at__lt=period.end_at
    )


def on_time_condition(period: Period, *, at: dt.datetime) -> Q:
    """QĐ 766 2.1 numerator among the dossiers in play. A finished dossier counts by its class
    (``Dossier.timeliness``, set by the clock replay: early, on time or late); an unfinished one ends
    at the end of the period (or now, for the running period); more than one supplement request ⇒
    late."""
    cut = min(period.end_at, at)
    finished = Q(finished_at__isnull=False, finished_at__lt=period.end_at)
    on_time = (finished & ~Q(timeliness=Timeliness.LATE)) | (
        ~finished & (Q(due_at__isnull=True) | Q(due_at__gte=cut))
    )
    return on_time & ~Q(supplement_requested_twice=True)


def on_time_parts(base: QuerySet[Dossier], period: Period, *, at: dt.datetime) -> Parts:
    denominator = _in_play(base, period)
    return Parts(denominator.filter(on_time_condition(period, at=at)), denominator)


_EVERY: Final = Q(pk__isnull=False)


def _with_fee() -> Q:
    return Q(Exists(FeeLine.objects.filter(dossier_id=OuterRef("pk"), amount__gt=0)))


def _with_result_file() -> Q:
    return Q(Exists(Result.objects.filter(dossier_id=OuterRef("pk")).exclude(file="")))


def dossier_conditions(indicator_id: str, *, period: Period, at: dt.datetime) -> tuple[str, Q, Q] | None:
    """(set of dossiers, denominator condition within it, numerator condition within the denominator)
    of the indicators counted on dossiers. The scorecard counts every indicator of one set in a
    single query; the drill-down filters the same set with the same conditions."""
    if indicator_id == "2.1":
        return "in_play", _EVERY, on_time_condition(period, at=at)
    if indicator_id == "3.3":
        # × sync rate: motcua has no national-portal sync yet, so the factor is 1 (SPEC §7.2 3.3).
        return "received", _EVERY, Q(channel="online")
    if indicator_id == "3.6":
        paid = Q(paid_online__in=[PaidOnline.NATIONAL_PLATFORM, PaidOnline.PROVINCIAL_GATEWAY])
        return "received", _with_fee(), paid
    if indicator_id == "4.1":
        return "finished", Q(procedure_version__requires_paper_result=True), _with_result_file()
    if indicator_id == "4.2":
        return "received", _EVERY, Q(has_digitized_components=True) & _with_result_file()
    if indicator_id == "4.3":
        return "received", _EVERY, Q(has_reused_components=True)
    if indicator_id == "4.5":
        return "received", _EVERY, Q(vneid_verified=True)
    return None


def dossier_set(name: str, base: QuerySet[Dossier], period: Period) -> QuerySet[Dossier]:
    if name == "received":
        return _received_in(base, period)
    if name == "in_play":
        return _in_play(base, period)
    return base.filter(finished_at__gte=period.start_at, finished_at__lt=period.end_at)


def _procedures(scope: Scope) -> QuerySet[Procedure]:
    """The published procedures of the scope's agencies (all of them for the whole installation)."""
    qs = Procedure.objects.filter(current_version__status=VersionStatus.PUBLISHED)
    agencies = agencies_in(scope)
    if scope.one_stop_unit_id is not None:
        from motcua.units.models import OneStopUnit

        from .scope import descendant_agencies

        owner = OneStopUnit.objects.filter(pk=scope.one_stop_unit_id).values_list("agency_id", flat=True)
        agencies = descendant_agencies(owner)
    if agencies is not None:
        named = VersionAgency.objects.filter(agency_id__in=agencies).values("version__procedure_id")
        qs = qs.filter(pk__in=named)
    if scope.field_id is not None:
        qs = qs.filter(field_id=scope.field_id)
    if scope.procedure_id is not None:
        qs = qs.filter(pk=scope.procedure_id)
    return qs


_ONLINE_LEVELS: Final = (OnlineLevel.PARTIAL, OnlineLevel.FULL)


def parts(indicator_id: str, *, scope: Scope, period: Period, at: dt.datetime | None = None) -> Parts:
    """The numerator and denominator records of one computable indicator."""
    when = at or clock.now()
    base = dossiers_of(scope)
    found = dossier_conditions(indicator_id, period=period, at=when)
    if found is not None:
        name, denominator_when, numerator_when = found
        denominator = dossier_set(name, base, period).filter(denominator_when)
        return Parts(denominator.filter(numerator_when), denominator)
    if indicator_id == "3.1":
        procedures = _procedures(scope)
        return Parts(procedures.filter(online_level__in=_ONLINE_LEVELS), procedures, "procedures")
    if indicator_id == "3.2":
        online = _procedures(scope).filter(online_level__in=_ONLINE_LEVELS)
        used = _received_in(base, period).filter(channel="online").values("procedure_version__procedure_id")
        return Parts(online.filter(pk__in=used), online, "procedures")
    if indicator_id == "5.4":
        on_time = on_time_parts(base, period, at=when)
        unhappy = unhappy_dossiers(on_time.denominator.values_list("pk", flat=True))
        if unhappy is not None:  # without ratings the indicator has no data (see ``_satisfaction``)
            return Parts(on_time.numerator.exclude(pk__in=unhappy), on_time.denominator)
    raise NotFound(
        f"Chỉ tiêu {indicator_id} chưa tính được từ dữ liệu của hệ thống.",
        f"Indicator {indicator_id} cannot be computed from motcua's data yet.",
        code="indicator_not_computable",
        field="indicator",
    )


# --------------------------------------------------------------------------------------------------
# The scorecard
# --------------------------------------------------------------------------------------------------

NO_DATA_REASONS: Final[dict[str, tuple[str, str]]] = {
    "none": (
        "cần dữ liệu hệ thống chưa có (công bố TTHC trên CSDLQG, đồng bộ Cổng DVCQG).",
        "needs data motcua does not hold yet (publication on the national database, portal sync).",
    ),
    "feedback": (
        "sẽ có khi phân hệ phản ánh, kiến nghị (PAKN) hoạt động.",
        "available once the feedback (PAKN) module is in place.",
    ),
    "ratings": (
        "sẽ có khi phân hệ đánh giá mức độ hài lòng hoạt động.",
        "available once the satisfaction ratings module is in place.",
    ),
    "empty": ("Không có hồ sơ, thủ tục trong mẫu số (N/A).", "Nothing in the denominator (N/A)."),
}


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    spec: IndicatorSpec
    status: str  # "ok", "empty" (denominator 0), "no_data"
    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | None = None  # fraction 0..1
    points: Decimal | None = None
    reason: str = ""  # key of NO_DATA_REASONS

    @property
    def percent(self) -> Decimal | None:
        return percent(self.value)

    @property
    def points_display(self) -> Decimal | None:
        return None if self.points is None else self.points.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def reason_vi(self) -> str:
        return self.reason_text("vi")

    @property
    def reason_en(self) -> str:
        return self.reason_text("en")

    def reason_text(self, language: str = "vi") -> str:
        if not self.reason:
            return ""
        vi, en = NO_DATA_REASONS[self.reason]
        return en if language.startswith("en") else vi


@dataclass(frozen=True, slots=True)
class GroupResult:
    spec: GroupSpec
    indicators: tuple[IndicatorResult, ...]

    @property
    def points(self) -> Decimal:
        return sum((r.points for r in self.indicators if r.points is not None), Decimal(0))

    @property
    def points_display(self) -> Decimal:
        return self.points.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def computed_max(self) -> Decimal:
        return sum((r.spec.points for r in self.indicators if r.status == "ok"), Decimal(0))

    @property
    def is_complete(self) -> bool:
        return all(r.status == "ok" for r in self.indicators)


@dataclass(frozen=True, slots=True)
class Scorecard:
    config: IndexConfig
    scope: Scope
    period: Period
    computed_at: dt.datetime
    groups: tuple[GroupResult, ...] = field(default_factory=tuple)
    # Set when counted from the projections: whether they include every committed act.
    freshness: Freshness | None = None

    @property
    def is_current(self) -> bool:
        return self.freshness is None or self.freshness.is_current

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [r for g in self.groups for r in g.indicators]

    @property
    def total(self) -> Decimal:
        return sum((g.points for g in self.groups), Decimal(0))

    @property
    def total_display(self) -> Decimal:
        return self.total.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def computed_max(self) -> Decimal:
        return sum((g.computed_max for g in self.groups), Decimal(0))

    @property
    def full_max(self) -> Decimal:
        return sum((g.spec.points for g in self.groups), Decimal(0))

    @property
    def is_complete(self) -> bool:
        """True only when every indicator of the index has data; a partial total says so."""
        return all(g.is_complete for g in self.groups)

    @property
    def computed_count(self) -> int:
        return sum(1 for r in self.indicators if r.status == "ok")


def _result(spec: IndicatorSpec, numerator: int, denominator: int) -> IndicatorResult:
    value = rate(numerator, denominator)
    if value is None:
        return IndicatorResult(spec, "empty", numerator, denominator, reason="empty")
    return IndicatorResult(
        spec, "ok", numerator, denominator, value, threshold_points(value, spec.points, spec.threshold)
    )


def _satisfaction(spec: IndicatorSpec, *, scope: Scope, period: Period, at: dt.datetime) -> IndicatorResult:
    on_time = on_time_parts(dossiers_of(scope), period, at=at)
    ids = list(on_time.denominator.values_list("pk", flat=True))
    unhappy = unhappy_dossiers(ids)
    if unhappy is None:
        return IndicatorResult(spec, "no_data", reason="ratings")
    denominator = len(ids)
    if denominator == 0:
        return IndicatorResult(spec, "empty", 0, 0, reason="empty")
    late = denominator - on_time.numerator.count()
    value = satisfaction_rate(Decimal(late) / denominator, Decimal(len(unhappy)) / denominator)
    numerator = max(0, denominator - late - len(unhappy))
    return IndicatorResult(
        spec, "ok", numerator, denominator, value, threshold_points(value, spec.points, spec.threshold)
    )


def indicator_result(
    spec: IndicatorSpec,
    *,
    scope: Scope,
    period: Period,
    at: dt.datetime | None = None,
    counted: dict[str, tuple[int, int]] | None = None,
) -> IndicatorResult:
    when = at or clock.now()
    if spec.source not in COMPUTABLE_SOURCES:
        return IndicatorResult(spec, "no_data", reason=spec.source)
    if spec.id == "5.4":
        return _satisfaction(spec, scope=scope, period=period, at=when)
    if counted is not None and spec.id in counted:
        return _result(spec, *counted[spec.id])
    found = parts(spec.id, scope=scope, period=period, at=when)
    return _result(spec, found.numerator.count(), found.denominator.count())


def count_dossier_indicators(
    ids: list[str], *, scope: Scope, period: Period, at: dt.datetime
) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of the dossier indicators, one query per set of dossiers."""
    by_set: dict[str, dict[str, tuple[Q, Q]]] = {}
    for indicator_id in ids:
        found = dossier_conditions(indicator_id, period=period, at=at)
        if found is not None:
            name, denominator_when, numerator_when = found
            by_set.setdefault(name, {})[indicator_id] = (denominator_when, numerator_when)
    base = dossiers_of(scope)
    counted: dict[str, tuple[int, int]] = {}
    for name, conditions in by_set.items():
        aggregates: dict[str, Any] = {}
        for n, (den, num) in enumerate(conditions.values()):
            aggregates[f"d{n}"] = Count("pk", filter=den)
            aggregates[f"n{n}"] = Count("pk", filter=den & num)
        row = dossier_set(name, base, period).aggregate(**aggregates)
        for n, indicator_id in enumerate(conditions):
            counted[indicator_id] = (int(row[f"n{n}"]), int(row[f"d{n}"]))
    return counted


# --------------------------------------------------------------------------------------------------
# The same counts from the report projections (ADR 0033)
# --------------------------------------------------------------------------------------------------


def _stock(m: dict[str, int], into: str, out: str) -> int:
    return m.get(into, 0) - m.get(out, 0)


def _finished(m: dict[str, int]) -> int:
    return m.get("finished_early", 0) + m.get("finished_on_time", 0) + m.get("finished_late", 0)


def _projected_sums(scope: Scope, period: Period) -> tuple[dict[str, int], dict[str, int], int]:
    """Every measure summed before the period and in it (two queries over ``Summary``), and the
    online dossiers received in it."""
    from . import selectors
    from .dashboards import figures_scope

    fs = figures_scope(scope)
    before = selectors.measures(scope=fs, start=selectors.EPOCH, end=period.start - dt.timedelta(days=1))
    by_channel = selectors.measures(scope=fs, start=period.start, end=period.end, group_by=("channel",))
    d: dict[str, int] = {}
    for values in by_channel.values():
        for name, value in values.items():
            d[name] = d.get(name, 0) + value
    return before.get((), {}), d, by_channel.get(("online",), {}).get("received", 0)


def _on_time_in_play(b: dict[str, int], d: dict[str, int]) -> tuple[int, int]:
    """2.1's (numerator, denominator) from the sums before (``b``) and in (``d``) the period, the
    unfinished judged at the end of the period's last day."""
    end = {name: b.get(name, 0) + d.get(name, 0) for name in set(b) | set(d)}
    in_play = b.get("received", 0) - _finished(b) + d.get("received", 0)
    in_progress = end.get("received", 0) - _finished(end)
    within = in_progress - _stock(end, "overdue_in", "overdue_out")
    twice_within = _stock(end, "twice_in", "twice_out") - _stock(end, "twice_overdue_in", "twice_overdue_out")
    return d.get("finished_not_late", 0) + within - twice_within, in_play


_ACTIVE_STATES: Final = sorted(s.value for s in ACTIVE)


def _due_later_today(scope: Scope, period: Period, at: dt.datetime) -> int:
    """For the running period: the unfinished dossiers in play due later today (from ``at`` to the
    end of the day). The projections hold them as overdue at the end of today, ``on_time_condition``
    as on time now. A range on the partial index of the active dossiers by ``due_at``
    (``dossier_active_due``: unfinished and received is exactly the active states), not a scan of
    the period, nor of the finished dossiers that were due today."""
    return (
        dossiers_of(scope)
        .filter(
            state__in=_ACTIVE_STATES,
            finished_at__isnull=True,
            received_at__lt=period.end_at,
            due_at__gte=at,
            due_at__lt=period.end_at,
            supplement_requested_twice=False,
        )
        .count()
    )


def satisfaction_from_projections(
    *, scope: Scope, period: Period, at: dt.datetime | None = None, config: IndexConfig | None = None
) -> IndicatorResult:
    """Indicator 5.4 for a place and period from the report projections, the period ended or
    running, equal to ``indicator_result`` (which reads the dossier table): the late count from the
    ``Summary`` sums (for the running period, up to today, less the dossiers due later today, see
    ``_so_far``), the unhappy among the report facts in play. The portal's public statistics read it
    (a province-wide year in a few queries)."""
    when = at or clock.now()
    spec = (config or config_for(period.end)).indicator("5.4")
    if spec.source not in COMPUTABLE_SOURCES:
        return IndicatorResult(spec, "no_data", reason=spec.source)
    counted, later = _so_far(period, when)
    b, d, _online = _projected_sums(scope, counted)
    on_time, in_play = _on_time_in_play(b, d)
    if later:
        on_time += _due_later_today(scope, counted, when)
    return _projected_satisfaction(spec, scope=scope, period=counted, late=in_play - on_time, in_play=in_play)


def _so_far(period: Period, at: dt.datetime) -> tuple[Period, bool]:
    """The part of ``period`` the projections count at ``at``, and whether it is running.

    A period that has ended is counted whole. A running one is counted up to today: the projections
    hold an unfinished dossier as overdue from the end of its due day, so at the end of today the
    dossiers due later today count as overdue though they are on time now, and the caller moves
    them back (``_due_later_today``, then a range of a few hours on ``due_at``; summing to the
    period's last day instead would need that range to run to the period's end)."""
    if at >= period.end_at:
        return period, False
    return Period(period.start, clock.to_local(at).date(), period.kind), True


def projected_counts(*, scope: Scope, period: Period) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of the dossier indicators and of 3.2, and the 5.4 parts
    (``"5.4"``: (late, in play)), from the projections for a period that has ended: two sums over
    ``Summary`` (before the period, and in it by channel) and one over ``Figures`` (procedures with
    an online dossier). Equal to ``count_dossier_indicators`` (tested on generated data:
    ``demo/tests/test_reports_from_projections``):

    * in play = in progress at the end of the day before + received in the period;
    * 2.1 numerator = finished in the period not late and without a second supplement request +
      in progress at the end of the period within the deadline and without a second request
      (``twice_*`` stocks); 5.4 late = in play − that numerator;
    * 3.3, 3.6, 4.2, 4.3, 4.5 count the received, 4.1 the finished (``models.MEASURES``).
    """
    from . import selectors
    from .dashboards import figures_scope
    from .models import Figures

    fs = figures_scope(scope)
    b, d, online = _projected_sums(scope, period)
    received = d.get("received", 0)
    on_time, in_play = _on_time_in_play(b, d)
    used = Figures.objects.filter(
        selectors.spans(period.start, period.end) & fs.q(), channel="online", received__gt=0
    ).values("procedure_id")
    services = (
        _procedures(scope)
        .filter(online_level__in=_ONLINE_LEVELS)
        .aggregate(online=Count("pk"), used=Count("pk", filter=Q(pk__in=used)))
    )
    return {
        "2.1": (on_time, in_play),
        "3.2": (services["used"], services["online"]),
        "3.3": (online, received),
        "3.6": (d.get("paid_with_fee", 0), d.get("with_fee", 0)),
        "4.1": (d.get("paper_file", 0), d.get("paper_result", 0)),
        "4.2": (d.get("digitized_file", 0), received),
        "4.3": (d.get("reused", 0), received),
        "4.5": (d.get("vneid", 0), received),
        "5.4": (in_play - on_time, in_play),
    }


def _projected_satisfaction(
    spec: IndicatorSpec, *, scope: Scope, period: Period, late: int, in_play: int
) -> IndicatorResult:
    """5.4 from the projections: the late count as 2.1's, the unhappy among the facts in play."""
    from .dashboards import reported_dossiers

    facts = reported_dossiers(scope).filter(
        Q(finished_on__isnull=True) | Q(finished_on__gte=period.start), received_on__lte=period.end
    )
    unhappy = unhappy_among(facts, finished_since=period.start_at)
    if unhappy is None:
        return IndicatorResult(spec, "no_data", reason="ratings")
    if in_play == 0:
        return IndicatorResult(spec, "empty", 0, 0, reason="empty")
    value = satisfaction_rate(Decimal(late) / in_play, Decimal(unhappy) / in_play)
    numerator = max(0, in_play - late - unhappy)
    return IndicatorResult(
        spec, "ok", numerator, in_play, value, threshold_points(value, spec.points, spec.threshold)
    )


def scorecard(
    *, scope: Scope, period: Period, at: dt.datetime | None = None, config: IndexConfig | None = None
) -> Scorecard:
    """Every indicator of the 766 index for ``scope`` over ``period``, with group totals.

    A period that has begun is counted from the report projections (``projected_counts``: a few
    small sums, whatever the number of dossiers; ``freshness`` says whether they include every
    act). The running one is counted up to today, its unfinished dossiers judged against "now":
    those due later today are on time (one range on the ``due_at`` index, ``_due_later_today``).
    A period yet to come is counted from the dossier table (``count_dossier_indicators``). No
    permission check here (the caller asks ``scope.require_scope`` first); pure read."""
    from .projections import freshness

    when = at or clock.now()
    cfg = config or config_for(period.end)
    computable = [s.id for s in cfg.indicators if s.source in COMPUTABLE_SOURCES]
    projected = period.start_at <= when
    state = None
    counted_period = period
    if projected:
        state = freshness()
        counted_period, running = _so_far(period, when)
        counted = projected_counts(scope=scope, period=counted_period)
        if running:
            later = _due_later_today(scope, counted_period, when)
            on_time, in_play = counted["2.1"]
            counted["2.1"] = (on_time + later, in_play)
            counted["5.4"] = (in_play - on_time - later, in_play)
    else:  # a period yet to come
        counted = count_dossier_indicators(computable, scope=scope, period=period, at=when)

    def result(spec: IndicatorSpec) -> IndicatorResult:
        if projected and spec.id == "5.4" and spec.source in COMPUTABLE_SOURCES:
            late, in_play = counted["5.4"]
            return _projected_satisfaction(
                spec, scope=scope, period=counted_period, late=late, in_play=in_play
            )
        return indicator_result(spec, scope=scope, period=period, at=when, counted=counted)

    groups = tuple(
        GroupResult(group, tuple(result(spec) for spec in cfg.indicators if spec.group == group.code))
        for group in cfg.groups
    )
    return Scorecard(cfg, scope, period, when, groups, state)


def indicator_records(
    indicator_id: str, part: str, *, scope: Scope, period: Period, at: dt.datetime | None = None
) -> tuple[IndicatorSpec, Parts, QuerySet[Any]]:
    """The drill-down: the records counted in ``part`` ("numerator" or "denominator")."""
    from motcua.core.errors import ValidationFailed

    spec = config_for(period.end).indicator(indicator_id)
    if part not in ("numerator", "denominator"):
        raise ValidationFailed(
            "Chọn tử số hoặc mẫu số.",
            "Choose the numerator or the denominator.",
            code="indicator_part_invalid",
            field="part",
        )
    if spec.source not in COMPUTABLE_SOURCES:
        vi, en = NO_DATA_REASONS[spec.source]
        raise NotFound(vi, en, code="indicator_no_data", field="indicator")
    found = parts(indicator_id, scope=scope, period=period, at=at)
    records = found.numerator if part == "numerator" else found.denominator
    return spec, found, records
