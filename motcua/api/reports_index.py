"""Reports through the API, the same services as the pages (/api/v1/reports/...):

* ``index766`` — the Decision 766 scorecard of a place and period (groups, indicators, totals,
  ``is_complete``); ``index766/<indicator>/<numerator|denominator>`` — the records behind a number;
* ``dashboard`` — the dashboard figures; ``evaluation`` — the TT01/2018 evaluation;
* ``public-statistics`` — the portal's public figures (no login).

Query parameters as on the pages: ``agency``, ``unit``, ``commune``, ``province``, ``field``,
``procedure``; ``period=month|quarter|half|year`` with ``year`` and ``number``, or
``period=custom`` with ``start`` and ``end``. Errors are problem details in Vietnamese and English
(400 bad period, 403 a place the caller may not see, 404 unknown place or indicator).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.core import clock
from motcua.core.errors import PermissionRefused
from motcua.reports import dashboards, evaluation, index766
from motcua.reports.scope import SCOPE_PARAMS, Period, Scope, default_scope, parse_id, require_scope

RECORDS_LIMIT: Final = 1000

_PARAMS = [
    OpenApiParameter(name, OpenApiTypes.INT, required=False, description="place or filter id")
    for name in SCOPE_PARAMS
] + [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "half", "year", "custom"]),
    OpenApiParameter("year", OpenApiTypes.INT, required=False),
    OpenApiParameter(
        "number", OpenApiTypes.INT, required=False, description="month 1-12, quarter 1-4, half 1-2"
    ),
    OpenApiParameter("start", OpenApiTypes.DATE, required=False),
    OpenApiParameter("end", OpenApiTypes.DATE, required=False),
]


def _num(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _resolve(request: Request, *, default_kind: str = "month") -> tuple[Scope, Period]:
    user = request.user
    if not isinstance(user, User):
        raise PermissionRefused("Cần đăng nhập.", "Authentication required.", code="not_authenticated")
    params = {k: str(v) for k, v in request.query_params.items()}
    params.setdefault("period", default_kind)
    period = Period.parse(params, today=clock.today())
    scope = Scope.parse(params)
    if not any(params.get(p) for p in SCOPE_PARAMS[:4]):
        scope = default_scope(user).with_filter(field_id=scope.field_id, procedure_id=scope.procedure_id)
    require_scope(user, scope)
    return scope, period


def _period(period: Period) -> dict[str, Any]:
    return {"kind": period.kind, "start": period.start.isoformat(), "end": period.end.isoformat()}


class Index766(APIView):
    """The Decision 766 scorecard for a place and period."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="v1_reports_index766_retrieve",
        parameters=_PARAMS,
        responses={200: OpenApiTypes.OBJECT},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        scope, period = _resolve(request)
        card = index766.scorecard(scope=scope, period=period)
        return Response(
            {
                "version": card.config.version,
                "scope": scope.as_params(),
                "period": _period(period),
                "total": _num(card.total_display),
                "max": _num(card.full_max),
                "computed_max": _num(card.computed_max),
                "is_complete": card.is_complete,
                "groups": [
                    {
                        "code": g.spec.code,
                        "name_vi": g.spec.name_vi,
                        "name_en": g.spec.name_en,
                        "points": _num(g.points_display),
                        "max": _num(g.spec.points),
                        "is_complete": g.is_complete,
                        "indicators": [
                            {
                                "id": r.spec.id,
                                "name_vi": r.spec.name_vi,
                                "name_en": r.spec.name_en,
                                "status": r.status,
                                "numerator": r.numerator,
                                "denominator": r.denominator,
                                "percent": _num(r.percent),
                                "points": _num(r.points_display),
                                "max": _num(r.spec.points),
                                "threshold": _num(r.spec.threshold),
                                "reason_vi": r.reason_vi,
                                "reason_en": r.reason_en,
                            }
                            for r in g.indicators
                        ],
                    }
                    for g in card.groups
                ],
            }
        )


class Index766Records(APIView):
    """The dossiers (or procedures) counted in an indicator's numerator or denominator."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        # Its own id: the generated one ("v1_reports_index766_retrieve") is the scorecard's.
        operation_id="v1_reports_index766_records_retrieve",
        parameters=_PARAMS,
        responses={200: OpenApiTypes.OBJECT},
        tags=["reports"],
    )
    def get(self, request: Request, indicator: str, part: str) -> Response:
        scope, period = _resolve(request)
        spec, _, records = index766.indicator_records(indicator, part, scope=scope, period=period)
        if records.model is Procedure:
            items = [{"id": p.pk, "code": p.code, "name": p.name} for p in records[:RECORDS_LIMIT]]
        else:
            items = [{"id": d.pk, "code": d.code} for d in records.only("pk", "code")[:RECORDS_LIMIT]]
        return Response(
            {
                "indicator": spec.id,
                "part": part,
                "count": records.count(),
                "limit": RECORDS_LIMIT,
                "items": items,
            }
        )


class Dashboard(APIView):
    """The dashboard figures of a place and period."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=_PARAMS, responses={200: OpenApiTypes.OBJECT}, tags=["reports"])
    def get(self, request: Request) -> Response:
        scope, period = _resolve(request)
        board = dashboards.dashboard(scope=scope, period=period)
        t = board.totals

        def rows(items: list[dashboards.Row]) -> list[dict[str, Any]]:
            return [
                {
                    "key": r.key,
                    "label": r.label,
                    "received": r.received,
                    "finished": r.finished,
                    "on_time": r.on_time,
                    "late": r.late,
                    "on_time_percent": _num(r.rate),
                    "overdue": r.overdue,
                }
                for r in items
            ]

        return Response(
            {
                "scope": scope.as_params(),
                "period": _period(period),
                "received": t.received,
                "received_by_channel": {k: n for k, _, n in board.by_channel},
                "finished": t.finished,
                "finished_early": t.finished_early,
                "finished_on_time": t.finished_on_time,
                "finished_late": t.finished_late,
                "on_time_percent": _num(board.rate),
                "stock_day": board.stock_day.isoformat(),
                "in_progress": t.in_progress,
                "within_deadline": t.within_deadline,
                "overdue": t.overdue,
                "due_next_working_day": board.due_next,
                "today": {"received": board.today_totals.received, "finished": board.today_totals.finished},
                "trend": rows(board.trend),
                "by_agency": rows(board.by_agency),
                "by_field": rows(board.by_field),
                "overdue_by_agency_and_step": [
                    {"agency": pk, "agency_name": name, "step": step, "count": n}
                    for pk, name, step, n in board.overdue_by_place
                ],
            }
        )


class Evaluation(APIView):
    """The TT01/2018 evaluation of agencies and officers (default: this quarter)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=_PARAMS, responses={200: OpenApiTypes.OBJECT}, tags=["reports"])
    def get(self, request: Request) -> Response:
        scope, period = _resolve(request, default_kind="quarter")

        def out(e: evaluation.Evaluation) -> dict[str, Any]:
            return {
                "kind": e.kind,
                "id": e.subject_id,
                "name": e.subject,
                "dossiers": e.dossiers,
                "scores": {str(k): _num(v) for k, v in e.scores.items()},
                "total": _num(e.total),
                "rating": e.rating.code,
                "rating_vi": e.rating.vi,
                "rating_en": e.rating.en,
            }

        return Response(
            {
                "period": _period(period),
                "agencies": [out(e) for e in evaluation.evaluate_agencies(scope, period)],
                "officers": [out(e) for e in evaluation.evaluate_officers(scope, period)],
                # Each finished dossier's own points, as the page lists them (scenario 14's flag too).
                "dossiers": [
                    {
                        "id": d.dossier_id,
                        "code": d.code,
                        "points": {str(k): v for k, v in d.points.items()},
                        "supplement_outside_window": d.supplement_outside_window,
                    }
                    for d in evaluation.evaluate_dossiers(scope, period)
                ],
            }
        )


class PublicStatistics(APIView):
    """The portal's public statistics for a year: on-time rate, online share, satisfaction."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, required=False)],
        responses={200: OpenApiTypes.OBJECT},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        stats = dashboards.public_statistics(year=parse_id(request.query_params.get("year"), "year"))
        return Response(
            {
                "period": _period(stats.period),
                "received": stats.received,
                "received_online": stats.received_online,
                "finished": stats.finished,
                "on_time": stats.on_time,
                "on_time_percent": _num(stats.on_time_rate),
                "online_percent": _num(stats.online_share),
                "satisfaction_percent": _num(stats.satisfaction),
                "months": [
                    {
                        "month": r.key,
                        "received": r.received,
                        "finished": r.finished,
                        "on_time_percent": _num(r.rate),
                    }
                    for r in stats.months
                ],
            }
        )
