"""The period report II.06a page (/can-bo/bao-cao/ii06a/), with Excel and PDF downloads.

Interface only: ``reports.ii06a.for_user`` parses the place and period, asks the one gate
(``reports.view`` over the whole place) and builds the report (invariants checked). Bad input renders
the report error page with a 4xx status; a report computed while the projections are behind says so.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext

from motcua.accounts.gate import allows
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.reports import ii06a, ii06a_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kinds() -> list[tuple[str, str]]:
    return [
        ("quarter", gettext("Quý")),
        ("half", gettext("6 tháng")),
        ("nine_months", gettext("9 tháng")),
        ("year", gettext("Năm")),
        ("month", gettext("Tháng")),
        ("custom", gettext("Từ ngày đến ngày")),
    ]


@login_required
def ii06a_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not allows(user, "reports.view"):
        return render(request, "backoffice/not_staff.html", status=403)
    params = request.GET.dict()
    try:
        report = ii06a.for_user(user, params, today=clock.today())
    except MotcuaError as error:
        language = get_language() or "vi"
        return render(
            request,
            "backoffice/reports/error.html",
            {"message": error.message(language), "code": error.code},
            status=error.status,
        )
    download = params.get("download")
    name = f"II06a_{report.period.start:%Y%m%d}_{report.period.end:%Y%m%d}"
    if download == "xlsx":
        response = HttpResponse(ii06a_export.to_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    if download == "pdf":
        response = HttpResponse(ii06a_export.to_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    query = request.GET.copy()
    query.pop("download", None)
    context = {
        "report": report,
        "title": ii06a_export.title(report),
        "period_text": ii06a_export.period_text(report),
        "stale_text": "" if report.is_current else ii06a_export.stale_text(report),
        "h": ii06a_export.header_labels(),
        "form_number": ii06a_export.FORM_NUMBER,
        "kinds": _kinds(),
        "params": params,
        "qs": query.urlencode(),
    }
    return render(request, "backoffice/reports/ii06a.html", context)
