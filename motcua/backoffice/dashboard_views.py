"""Report pages for managers (/can-bo/bao-cao/...): the live dashboard, the Decision 766 scorecard,
the one-stop evaluation, and the drill-down lists behind every number; each also as CSV
(``?format=csv``).

Interface only: parse the place and period (``reports.scope``), ask the one gate
(``require_scope``: permission ``reports.view`` over the whole place), call one read function,
render. Bad input (an impossible period, an unknown place or indicator, a place the user may not
see) renders a page with the Vietnamese (or English) message and a 4xx status; never a partial
report shown as complete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext

from motcua.accounts.gate import PERMISSIONS, allows
from motcua.accounts.models import User
from motcua.catalog.models import Field as ProcedureField
from motcua.catalog.models import Procedure
from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.dossiers import access_log
from motcua.dossiers.queues import places_of
from motcua.reports import csv_export, dashboards, evaluation, index766
from motcua.reports.scope import (
    SCOPE_PARAMS,
    Period,
    Scope,
    default_scope,
    parse_id,
    query_string,
    require_scope,
)
from motcua.units.models import AdminUnit, Agency, Level, OneStopUnit
from motcua.workflow import STEP_LABELS, Step

RECORDS_SHOWN: Final = 500


def _language() -> str:
    return get_language() or "vi"


def _error(request: HttpRequest, error: MotcuaError) -> HttpResponse:
    return render(
        request,
        "backoffice/reports/error.html",
        {"message": error.message(_language()), "code": error.code},
        status=error.status,
    )


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _scope_and_period(
    request: HttpRequest, user: User, *, default_kind: str = "month"
) -> tuple[Scope, Period]:
    params = request.GET.dict()
    params.setdefault("period", default_kind)
    period = Period.parse(params, today=clock.today())
    scope = Scope.parse(params)
    if not any(params.get(p) for p in SCOPE_PARAMS[:4]):
        scope = default_scope(user).with_filter(field_id=scope.field_id, procedure_id=scope.procedure_id)
    require_scope(user, scope)
    return scope, period


def _choices(user: User) -> dict[str, Any]:
    """The agencies and one-stop units offered in the place selector: those the user may see."""
    places = places_of(user, PERMISSIONS["reports.view"])
    agencies = Agency.objects.order_by("name")
    units = OneStopUnit.objects.order_by("name")
    if not places.everywhere:
        agencies = agencies.filter(pk__in=places.agencies)
        units = units.filter(pk__in=places.units)
    communes = (
        AdminUnit.objects.filter(level=Level.COMMUNE, agencies__in=agencies).distinct().order_by("name")
    )
    return {
        "agency_choices": list(agencies[:500]),
        "unit_choices": list(units[:500]),
        "commune_choices": list(communes[:500]),
        "field_choices": list(ProcedureField.objects.all()[:500]),
    }


def _place_label(scope: Scope) -> str:
    en = _language().startswith("en")
    if scope.agency_id is not None:
        return Agency.objects.filter(pk=scope.agency_id).values_list("name", flat=True).first() or ""
    if scope.one_stop_unit_id is not None:
        return dashboards.unit_name(scope.one_stop_unit_id)
    if scope.commune_id is not None or scope.province_id is not None:
        pk = scope.commune_id if scope.commune_id is not None else scope.province_id
        assert pk is not None
        return AdminUnit.objects.filter(pk=pk).values_list("full_name", flat=True).first() or ""
    return "Whole province" if en else "Toàn tỉnh"


def _page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login, staff with ``reports.view`` somewhere, and bad input as a 4xx page."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not allows(user, "reports.view"):
            return render(request, "backoffice/not_staff.html", status=403)
        try:
            return view(request, user, *args, **kwargs)
        except MotcuaError as error:
            return _error(request, error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _note_list(request: HttpRequest, user: User, results: Callable[[], int]) -> None:
    """A list of dossiers shown to an inspector (page or CSV): one row of the access log with the
    query and how many dossiers it showed (decision 0061); ``results`` is only counted for them."""
    if access_log.is_logged(user):
        access_log.note_read(
            user,
            kind=access_log.AccessKind.SEARCH,
            address=request.META.get("REMOTE_ADDR"),
            detail=request.get_full_path(),
            results=results(),
        )


def _period_kinds() -> list[tuple[str, str]]:
    return [
        ("month", gettext("Tháng")),
        ("quarter", gettext("Quý")),
        ("half", gettext("6 tháng")),
        ("year", gettext("Năm")),
        ("custom", gettext("Từ ngày đến ngày")),
    ]


def _period_number(period: Period) -> int:
    month = period.start.month
    return {"month": month, "quarter": (month + 2) // 3, "half": (month + 5) // 6}.get(period.kind, 1)


def _common(request: HttpRequest, user: User, scope: Scope, period: Period) -> dict[str, Any]:
    today = clock.today()
    return {
        "language": _language(),
        "period_kinds": _period_kinds(),
        "period_number": _period_number(period),
        "today_qs": query_string(scope, Period(today, today)),
        "scope": scope,
        "period": period,
        "period_label": period.label(_language()),
        "place_label": _place_label(scope),
        "qs": query_string(scope, period),
        "get": request.GET,
        **_choices(user),
    }


@_page
def dashboard_page(request: HttpRequest, user: User) -> HttpResponse:
    scope, period = _scope_and_period(request, user)
    language = _language()
    board = dashboards.dashboard(scope=scope, period=period, language=language)
    if request.GET.get("format") == "csv":
        return _csv(csv_export.dashboard_csv(board, language), "bang-dieu-khien")

    def step_label(value: str) -> str:
        if not value:
            return "—"
        label = STEP_LABELS[Step(value)]
        return label.en if language.startswith("en") else label.vi

    charts = {
        "trend": dashboards.trend_counts(board.trend),
        "agency": dashboards.bars(board.by_agency),
        "field": dashboards.bars(board.by_field, "received"),
    }
    context = {
        **_common(request, user, scope, period),
        "board": board,
        "charts": charts,
        "overdue_rows": [
            (pk, name, step, step_label(step), n) for pk, name, step, n in board.overdue_by_place
        ],
    }
    return render(request, "backoffice/reports/dashboard.html", context)


@_page
def scorecard_page(request: HttpRequest, user: User) -> HttpResponse:
    scope, period = _scope_and_period(request, user)
    card = index766.scorecard(scope=scope, period=period)
    language = _language()
    if request.GET.get("format") == "csv":
        return _csv(csv_export.scorecard_csv(card, language), "chi-so-766")
    return render(
        request,
        "backoffice/reports/scorecard.html",
        {**_common(request, user, scope, period), "card": card, "language": language},
    )


@_page
def indicator_records_page(request: HttpRequest, user: User, indicator: str, part: str) -> HttpResponse:
    scope, period = _scope_and_period(request, user)
    language = _language()
    spec, _, records = index766.indicator_records(indicator, part, scope=scope, period=period)
    is_procedures = records.model is Procedure
    if request.GET.get("format") == "csv":
        text = (
            csv_export.procedures_csv(records, language)
            if is_procedures
            else csv_export.dossiers_csv(records.select_related("procedure_version"), language)
        )
        if not is_procedures:
            _note_list(request, user, records.count)
        return _csv(text, f"chi-so-766-{indicator}-{part}")
    total = records.count()
    shown = (
        list(records.select_related("procedure_version")[:RECORDS_SHOWN])
        if not is_procedures
        else list(records[:RECORDS_SHOWN])
    )
    if not is_procedures:
        _note_list(request, user, lambda: len(shown))
    return render(
        request,
        "backoffice/reports/records.html",
        {
            **_common(request, user, scope, period),
            "title": f"{spec.id} {spec.name(language)}",
            "subtitle": spec.formula(language),
            "part": part,
            "total": total,
            "rows": shown,
            "is_procedures": is_procedures,
            "limit": RECORDS_SHOWN,
            "back": "backoffice:report_766",
        },
    )


@_page
def records_page(request: HttpRequest, user: User) -> HttpResponse:
    scope, period = _scope_and_period(request, user)
    language = _language()
    metric = request.GET.get("metric", "")

    records = dashboards.records(
        metric,
        scope=scope,
        period=period,
        channel=request.GET.get("channel") or None,
        agency_id=parse_id(request.GET.get("by_agency"), "by_agency"),
        field_id=parse_id(request.GET.get("by_field"), "by_field"),
        step=request.GET.get("step"),
    )
    if request.GET.get("format") == "csv":
        _note_list(request, user, records.count)
        return _csv(
            csv_export.dossiers_csv(records.select_related("procedure_version"), language), f"ho-so-{metric}"
        )
    total = records.count()
    rows = list(records.select_related("procedure_version")[:RECORDS_SHOWN])
    _note_list(request, user, lambda: len(rows))
    return render(
        request,
        "backoffice/reports/records.html",
        {
            **_common(request, user, scope, period),
            "title": METRIC_TITLES.get(metric, ("", ""))[1 if language.startswith("en") else 0],
            "subtitle": "",
            "part": "",
            "total": total,
            "rows": rows,
            "is_procedures": False,
            "limit": RECORDS_SHOWN,
            "back": "backoffice:report_dashboard",
        },
    )


METRIC_TITLES: Final = {
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "finished": ("Hồ sơ đã giải quyết", "Dossiers finished"),
    "on_time": ("Hồ sơ giải quyết trước hạn, đúng hạn", "Dossiers finished early or on time"),
    "late": ("Hồ sơ giải quyết quá hạn", "Dossiers finished late"),
    "in_progress": ("Hồ sơ đang giải quyết", "Dossiers in progress"),
    "within": ("Hồ sơ đang giải quyết trong hạn", "Dossiers in progress within the deadline"),
    "overdue": ("Hồ sơ đang giải quyết quá hạn", "Dossiers in progress over the deadline"),
    "due_next": (
        "Hồ sơ đến hạn trước hết ngày làm việc tiếp theo",
        "Dossiers due by the end of the next working day",
    ),
    "overdue_now": ("Hồ sơ quá hạn theo cơ quan và bước", "Overdue dossiers by agency and step"),
}


@_page
def evaluation_page(request: HttpRequest, user: User) -> HttpResponse:
    scope, period = _scope_and_period(request, user, default_kind="quarter")
    language = _language()
    agencies = evaluation.evaluate_agencies(scope, period)
    officers = evaluation.evaluate_officers(scope, period)
    dossiers = evaluation.evaluate_dossiers(scope, period)
    if request.GET.get("format") == "csv":
        text = csv_export.evaluation_csv([*agencies, *officers], language, dossiers=dossiers)
        return _csv(text, "danh-gia-mot-cua")
    names = [(i, n[1] if language.startswith("en") else n[0]) for i, n in evaluation.INDICATOR_NAMES.items()]
    return render(
        request,
        "backoffice/reports/evaluation.html",
        {
            **_common(request, user, scope, period),
            "agencies": agencies,
            "officers": officers,
            "dossier_scores": dossiers[:RECORDS_SHOWN],
            "dossier_total": len(dossiers),
            "limit": RECORDS_SHOWN,
            "dossier_indicators": evaluation.DOSSIER_INDICATORS,
            "indicator_names": names,
            "officer_indicators": evaluation.OFFICER_INDICATORS,
            "outside_window_note": csv_export.OUTSIDE_WINDOW[1 if language.startswith("en") else 0],
            "language": language,
        },
    )
