"""Biểu II.06a through the API (/api/v1/reports/ii06a, .xlsx, .pdf): the same service as the page.

Query parameters: the place as for the other reports (``agency``, ``unit``, ``commune``,
``province``, ``field``, ``procedure``; default the widest place the caller may see), ``mode=statutory|
calendar`` (the 15th-to-14th cut-off, or calendar periods), ``period=month|quarter|half|nine_months|
year`` with ``year`` and ``number``, or ``period=custom`` with ``start`` and ``end``. Errors are
problem details in Vietnamese and English (400 impossible period, 403 a place the caller may not see,
404 unknown place). ``is_current`` is false while the projections are behind or being rebuilt.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import PermissionRefused
from motcua.reports import ii06a, ii06a_export
from motcua.reports.scope import SCOPE_PARAMS

from .forms import PdfRenderer

_PARAMS = [
    OpenApiParameter(name, OpenApiTypes.INT, required=False, description="place or filter id")
    for name in SCOPE_PARAMS
] + [
    OpenApiParameter("mode", OpenApiTypes.STR, enum=list(ii06a.MODES)),
    OpenApiParameter("period", OpenApiTypes.STR, enum=[*ii06a.KINDS, "custom"]),
    OpenApiParameter("year", OpenApiTypes.INT, required=False),
    OpenApiParameter("number", OpenApiTypes.INT, required=False),
    OpenApiParameter("start", OpenApiTypes.DATE, required=False),
    OpenApiParameter("end", OpenApiTypes.DATE, required=False),
]


def _report(request: Request) -> ii06a.Report:
    user = request.user
    if not isinstance(user, User):
        raise PermissionRefused("Cần đăng nhập.", "Authentication required.", code="not_authenticated")
    params = {k: str(v) for k, v in request.query_params.items()}
    return ii06a.for_user(user, params, today=clock.today())


def _row(row: ii06a.Row) -> dict[str, Any]:
    return {
        "number": row.number,
        "label": row.label,
        "level": row.level,
        "field_id": row.field_id,
        "is_heading": row.is_heading,
        "columns": {str(k): v for k, v in row.cols.items()},
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer(PdfRenderer):
    """Lets clients ask for the workbook's media type; errors still go out as problem JSON."""

    media_type = XLSX
    format = "xlsx"


class II06a(APIView):
    """The period report II.06a as JSON."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=_PARAMS, responses={200: OpenApiTypes.OBJECT}, tags=["reports"])
    def get(self, request: Request) -> Response:
        report = _report(request)
        return Response(
            {
                "form": ii06a_export.FORM_NUMBER,
                "place": report.place,
                "mode": report.mode,
                "period": {"start": report.period.start.isoformat(), "end": report.period.end.isoformat()},
                "is_current": report.is_current,
                "pending_events": report.freshness.pending_events,
                "rebuilding": report.freshness.rebuilding,
                "rows": [_row(r) for r in report.rows],
                "total": _row(report.total),
            }
        )


def _file(data: bytes, content_type: str, report: ii06a.Report, ext: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    name = f"II06a_{report.period.start:%Y%m%d}_{report.period.end:%Y%m%d}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class II06aExcel(APIView):
    """II.06a as an Excel workbook in the official layout."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        parameters=_PARAMS,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="the workbook")},
        tags=["reports"],
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report(request)
        return _file(ii06a_export.to_xlsx(report), XLSX, report, "xlsx")


class II06aPdf(APIView):
    """II.06a as PDF (A4 landscape)."""

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        parameters=_PARAMS,
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="the report")},
        tags=["reports"],
    )
    def get(self, request: Request) -> HttpResponse:
        report = _report(request)
        return _file(ii06a_export.to_pdf(report), "application/pdf", report, "pdf")
