"""Public statistics on the portal (/thong-ke/): the province's on-time rate, online share and
satisfaction for a year, month by month, as the law asks the portal to publish (ND61 Art 30: the
internal evaluation is published; TT01/2018 Art 16). Counts and rates only, no personal data, no
login. Interface only: one read function (``reports.dashboards.public_statistics``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from motcua.core.errors import MotcuaError
from motcua.reports.dashboards import public_statistics, trend_counts
from motcua.reports.scope import parse_id


def statistics_page(request: HttpRequest) -> HttpResponse:
    language = get_language() or "vi"
    try:
        stats = public_statistics(year=parse_id(request.GET.get("year"), "year"))
    except MotcuaError as error:
        return render(
            request,
            "portal/stats/error.html",
            {"message": error.message(language), "code": error.code},
            status=error.status,
        )
    return render(request, "portal/stats/page.html", {"s": stats, "chart": trend_counts(stats.months)})
