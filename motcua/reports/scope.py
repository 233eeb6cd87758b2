"""What a report covers: a period (month, quarter, six months, year or any start-end) and a place
(the whole installation, a province, an agency, a commune or a one-stop unit), optionally narrowed to
a field or a procedure. Shared by the Decision 766 index, the one-stop evaluation and the dashboards.

Every report asks ``require_scope(user, scope)`` first: a user sees only the places their
memberships allow (``accounts.gate``, permission ``reports.view``). Bad input (an end before the
start, more than 10 years, an unknown place) raises ``ValidationFailed``/``NotFound`` in Vietnamese
and English; nothing is computed for a scope that was refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from django.db.models import Q

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, PermissionRefused, ValidationFailed
from motcua.dossiers.models import HANDED_TO_SUCCESSOR, DossierEvent
from motcua.units.models import AdminUnit, Agency, OneStopUnit

MAX_YEARS: Final = 10
PERIOD_KINDS: Final = ("month", "quarter", "half", "year", "custom")
SCOPE_PARAMS: Final = ("province", "agency", "commune", "unit", "field", "procedure")


# --------------------------------------------------------------------------------------------------
# Period
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """Local calendar days ``start``..``end`` (both inclusive), Asia/Ho_Chi_Minh."""

    start: dt.date
    end: dt.date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationFailed(
                "Ngày kết thúc kỳ báo cáo phải sau hoặc bằng ngày bắt đầu.",
                "The end of the reporting period must not be before its start.",
                code="period_end_before_start",
                field="end",
            )
        if self.end > _add_years(self.start, MAX_YEARS):
            raise ValidationFailed(
                f"Kỳ báo cáo không được dài quá {MAX_YEARS} năm.",
                f"A reporting period cannot be longer than {MAX_YEARS} years.",
                code="period_too_long",
                field="end",
            )

    # The instants that bound the period, in UTC-aware datetimes.
    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=VN_TZ)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_number(month, 12, "month")
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(dt.date(year, month, 1), nxt - dt.timedelta(days=1), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_number(quarter, 4, "quarter")
        first = cls.month(year, 3 * quarter - 2)
        last = cls.month(year, 3 * quarter)
        return cls(first.start, last.end, "quarter")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        _check_number(half, 2, "half")
        return cls(cls.month(year, 6 * half - 5).start, cls.month(year, 6 * half).end, "half")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def parse(cls, params: Mapping[str, str], *, today: dt.date) -> Period:
        """From query parameters: ``period=month|quarter|half|year`` with ``year`` and ``number``, or
        ``period=custom`` with ``start`` and ``end`` (YYYY-MM-DD). Default: the current month."""
        kind = (params.get("period") or "month").strip()
        if kind not in PERIOD_KINDS:
            raise ValidationFailed(
                "Loại kỳ báo cáo không hợp lệ (tháng, quý, 6 tháng, năm hoặc tùy chọn).",
                "Unknown period kind (month, quarter, half, year or custom).",
                code="period_kind_unknown",
                field="period",
            )
        if kind == "custom":
            return cls(_date(params.get("start"), "start"), _date(params.get("end"), "end"), "custom")
        year = _int(params.get("year"), "year", default=today.year)
        if not 2000 <= year <= 2100:
            raise ValidationFailed(
                "Năm báo cáo phải từ 2000 đến 2100.",
                "The report year must be between 2000 and 2100.",
                code="period_year_invalid",
                field="year",
            )
        if kind == "year":
            return cls.year(year)
        default = {"month": today.month, "quarter": (today.month + 2) // 3, "half": (today.month + 5) // 6}
        number = _int(params.get("number"), "number", default=default[kind])
        return {"month": cls.month, "quarter": cls.quarter, "half": cls.half}[kind](year, number)

    def as_params(self) -> dict[str, str]:
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}

    def label(self, language: str = "vi") -> str:
        en = language.startswith("en")
        s, e = self.start, self.end
        if self.kind == "month":
            return f"{s:%m/%Y}" if en else f"Tháng {s.month:02d}/{s.year}"
        if self.kind == "quarter":
            q = (s.month + 2) // 3
            return f"Q{q} {s.year}" if en else f"Quý {q}/{s.year}"
        if self.kind == "half":
            h = (s.month + 5) // 6
            return f"H{h} {s.year}" if en else f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {s.year}"
        if self.kind == "year":
            return f"{s.year}" if en else f"Năm {s.year}"
        return f"{s:%d/%m/%Y} – {e:%d/%m/%Y}"

    def months(self) -> list[Period]:
        """The calendar months the period touches (for trends), each clipped to the period."""
        found: list[Period] = []
        y, m = self.start.year, self.start.month
        while dt.date(y, m, 1) <= self.end:
            month = Period.month(y, m)
            found.append(Period(max(month.start, self.start), min(month.end, self.end), "month"))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return found


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_number(value: int, top: int, what: str) -> None:
    if not 1 <= value <= top:
        raise ValidationFailed(
            f"Số thứ tự kỳ báo cáo phải từ 1 đến {top}.",
            f"The period number ({what}) must be between 1 and {top}.",
            code="period_number_invalid",
            field="number",
        )


def _date(raw: str | None, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ValidationFailed(
            "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
            "Invalid date (format YYYY-MM-DD).",
            code="period_date_invalid",
            field=field,
        ) from None


def parse_id(raw: str | None, field: str) -> int | None:
    """An optional id from a query parameter (empty → None; not a number → ValidationFailed)."""
    return None if raw in (None, "") else _int(raw, field, default=0)


def _int(raw: str | None, field: str, *, default: int) -> int:
    if raw in (None, ""):
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValidationFailed(
            "Giá trị phải là một số nguyên.",
            "The value must be a whole number.",
            code="number_invalid",
            field=field,
        ) from None


# --------------------------------------------------------------------------------------------------
# Scope (place, field, procedure)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """At most one place (province, agency, commune or one-stop unit); field and procedure narrow it.
    No place = every dossier of the installation (the province dashboard)."""

    province_id: int | None = None
    agency_id: int | None = None
    commune_id: int | None = None
    one_stop_unit_id: int | None = None
    field_id: int | None = None
    procedure_id: int | None = None

    def __post_init__(self) -> None:
        places = [self.province_id, self.agency_id, self.commune_id, self.one_stop_unit_id]
        if sum(p is not None for p in places) > 1:
            raise ValidationFailed(
                "Chỉ chọn một nơi: tỉnh, cơ quan, xã hoặc bộ phận một cửa.",
                "Choose one place only: province, agency, commune or one-stop unit.",
                code="scope_one_place",
                field="agency",
            )

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Scope:
        values: dict[str, int | None] = {}
        names = dict(
            zip(
                SCOPE_PARAMS,
                ("province_id", "agency_id", "commune_id", "one_stop_unit_id", "field_id", "procedure_id"),
                strict=True,
            )
        )
        for param, attr in names.items():
            raw = params.get(param)
            values[attr] = None if raw in (None, "") else _int(raw, param, default=0)
        return cls(**values)

    def as_params(self) -> dict[str, str]:
        pairs = zip(
            SCOPE_PARAMS,
            (
                self.province_id,
                self.agency_id,
                self.commune_id,
                self.one_stop_unit_id,
                self.field_id,
                self.procedure_id,
            ),
            strict=True,
        )
        return {k: str(v) for k, v in pairs if v is not None}

    @property
    def kind(self) -> str:
        if self.agency_id is not None:
            return "agency"
        if self.commune_id is not None:
            return "commune"
        if self.one_stop_unit_id is not None:
            return "unit"
        return "province"

    def with_filter(self, **changes: int | None) -> Scope:
        data = {
            "province_id": self.province_id,
            "agency_id": self.agency_id,
            "commune_id": self.commune_id,
            "one_stop_unit_id": self.one_stop_unit_id,
            "field_id": self.field_id,
            "procedure_id": self.procedure_id,
        }
        data.update(changes)
        return Scope(**data)


def _closure(model: Any, link: str, ids: Iterable[int]) -> set[int]:
    """``ids`` and every row reached from them through ``link`` (a column holding one of their ids),
    transitively."""
    found = set(ids)
    frontier = set(found)
    while frontier:
        reached = set(model.objects.filter(**{f"{link}__in": frontier}).values_list("pk", flat=True))
        frontier = reached - found
        found |= reached
    return found


def descendant_agencies(ids: Iterable[int]) -> set[int]:
    return _closure(Agency, "parent_id", ids)


def with_predecessors(ids: Iterable[int]) -> set[int]:
    """``ids`` and every agency they succeeded (``Agency.successor``, transitively: SPEC scenario
    30, decision 0062). Only the successor links: an agency under a predecessor that names no
    successor of its own is not taken (a district's offices may have gone to different communes)."""
    return _closure(Agency, "successor_id", ids)


def descendant_units(ids: Iterable[int]) -> set[int]:
    return _closure(OneStopUnit, "parent_centre_id", ids)


def _province_area(province_id: int) -> Q:
    """Agencies of the province, its communes and (before 1/7/2025) its districts' communes."""
    return (
        Q(admin_unit_id=province_id)
        | Q(admin_unit__parent_id=province_id)
        | Q(admin_unit__parent__parent_id=province_id)
    )


def agencies_in(scope: Scope, *, predecessors: bool = True) -> set[int] | None:
    """The competent agencies the place covers, with the agencies they succeeded (decision 0062:
    a successor's reports carry its predecessors' dossiers; ``predecessors=False``: the place's own
    agencies, which ``may_see`` checks); None = everywhere."""
    if scope.agency_id is not None:
        own = descendant_agencies([scope.agency_id])
        return with_predecessors(own) if predecessors else own
    if scope.commune_id is not None:
        # "A commune only its own dossiers" (SPEC §7.2): agencies seated in the commune.
        own = set(Agency.objects.filter(admin_unit_id=scope.commune_id).values_list("pk", flat=True))
    elif scope.province_id is not None:
        own = set(Agency.objects.filter(_province_area(scope.province_id)).values_list("pk", flat=True))
    else:
        return None
    return with_predecessors(own) if predecessors else own


def received_by(agencies: set[int]) -> Q:
    """The dossiers whose competent agency *when they were received* is one of ``agencies`` (a set
    closed under predecessors, as ``agencies_in`` returns it), as the projections count them
    (``projections.agencies_as_received``, decision 0062): those still at one of them, and those
    handed over (SPEC scenario 30) from one of them. A dossier handed from A to A's successor B
    is at B now and was received by A; B in the set means A is too (closed), so "at one of them
    now" never takes a dossier received elsewhere."""
    q = Q(competent_agency_id__in=agencies)
    left = list(Agency.objects.filter(pk__in=agencies, successor__isnull=False).values_list("pk", flat=True))
    if left:  # only an agency with a successor is ever left: few hand-over events (index on name)
        moved = DossierEvent.objects.filter(name=HANDED_TO_SUCCESSOR, data__competent_agency__from__in=left)
        q |= Q(pk__in=moved.values("dossier_id"))
    return q


def dossier_filter(scope: Scope) -> Q:
    """The dossiers of the scope: of its agencies as they were received (``received_by``), or received
    at its one-stop unit."""
    q = Q()
    if scope.one_stop_unit_id is not None:
        q &= Q(received_at_unit_id__in=descendant_units([scope.one_stop_unit_id]))
    else:
        agencies = agencies_in(scope)
        if agencies is not None:
            q &= received_by(agencies)
    if scope.field_id is not None:
        # The field of the version the dossier was received under, as the projections count it
        # (README "Which field a dossier counts under"), not the procedure's current field.
        q &= Q(procedure_version__field_id=scope.field_id)
    if scope.procedure_id is not None:
        q &= Q(procedure_version__procedure_id=scope.procedure_id)
    return q


def _unknown(what_vi: str, what_en: str, param: str) -> NotFound:
    return NotFound(
        f"Không tìm thấy {what_vi}.", f"{what_en} not found.", code="scope_not_found", field=param
    )


def check_exists(scope: Scope) -> None:
    from motcua.catalog.models import Field, Procedure

    if scope.agency_id is not None and not Agency.objects.filter(pk=scope.agency_id).exists():
        raise _unknown("cơ quan", "Agency", "agency")
    if (
        scope.one_stop_unit_id is not None
        and not OneStopUnit.objects.filter(pk=scope.one_stop_unit_id).exists()
    ):
        raise _unknown("bộ phận một cửa", "One-stop unit", "unit")
    for pk, level, vi, en, param in (
        (scope.province_id, "province", "tỉnh", "Province", "province"),
        (scope.commune_id, "commune", "xã", "Commune", "commune"),
    ):
        if pk is not None and not AdminUnit.objects.filter(pk=pk, level=level).exists():
            raise _unknown(vi, en, param)
    if scope.field_id is not None and not Field.objects.filter(pk=scope.field_id).exists():
        raise _unknown("lĩnh vực", "Field", "field")
    if scope.procedure_id is not None and not Procedure.objects.filter(pk=scope.procedure_id).exists():
        raise _unknown("thủ tục", "Procedure", "procedure")


def _refused() -> PermissionRefused:
    return PermissionRefused(
        "Bạn không có quyền xem báo cáo của nơi này.",
        "You are not allowed to see reports for this place.",
        code="report_scope_forbidden",
        permission="reports.view",
    )


def may_see(user: User, scope: Scope) -> bool:
    """True when the user's ``reports.view`` memberships cover the whole place of the scope."""
    if not gate.allows(user, "reports.view"):
        return False
    if scope.one_stop_unit_id is not None:
        return gate.allows(user, "reports.view", one_stop_unit_id=scope.one_stop_unit_id)
    if scope.agency_id is not None:
        return gate.allows(user, "reports.view", agency_id=scope.agency_id)
    # The place's own agencies: nobody holds a role at an abolished predecessor any more.
    agencies = agencies_in(scope, predecessors=False)
    if agencies is None:  # the whole installation: every top-level agency
        agencies = set(Agency.objects.filter(parent__isnull=True).values_list("pk", flat=True))
    with gate.memoised():
        return all(gate.allows(user, "reports.view", agency_id=pk) for pk in agencies)


def require_scope(user: User, scope: Scope) -> None:
    """Unknown place → 404, a place the user may not see → 403 (both in Vietnamese and English)."""
    check_exists(scope)
    if not may_see(user, scope):
        raise _refused()


def default_scope(user: User) -> Scope:
    """The widest place the user may see: the installation, else their first agency or unit."""
    if may_see(user, Scope()):
        return Scope()
    for m in gate.memberships_on(user):
        if m.role not in gate.PERMISSIONS["reports.view"]:
            continue
        if m.agency_id is not None:
            return Scope(agency_id=m.agency_id)
        if m.one_stop_unit_id is not None:
            return Scope(one_stop_unit_id=m.one_stop_unit_id)
    raise _refused()


def query_string(scope: Scope, period: Period, **extra: object) -> str:
    params: dict[str, object] = {**scope.as_params(), **period.as_params()}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)
