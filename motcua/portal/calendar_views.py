"""Public working calendar: /lich-lam-viec/?year=<yyyy>[&days=<n>].

Read-only: the national calendar overlaid by the installation's province
(settings.MOTCUA_PROVINCE_CODE), with a "dự kiến" marker for provisional years, and a small GET form
"Nộp hôm nay, dự kiến có kết quả ngày …" that computes the due date on the server (no JavaScript).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy

from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.deadlines.arithmetic import TimeUnit
from motcua.deadlines.calendars import working_calendar
from motcua.deadlines.models import FIRST_YEAR, LAST_YEAR
from motcua.deadlines.selectors import effective_calendar_days, explained_due, month_grids, year_status
from motcua.units.selectors import current_provinces

WEEKDAYS = [
    (gettext_lazy("T2"), gettext_lazy("Thứ Hai")),
    (gettext_lazy("T3"), gettext_lazy("Thứ Ba")),
    (gettext_lazy("T4"), gettext_lazy("Thứ Tư")),
    (gettext_lazy("T5"), gettext_lazy("Thứ Năm")),
    (gettext_lazy("T6"), gettext_lazy("Thứ Sáu")),
    (gettext_lazy("T7"), gettext_lazy("Thứ Bảy")),
    (gettext_lazy("CN"), gettext_lazy("Chủ nhật")),
]


class EstimateForm(forms.Form):
    days = forms.IntegerField(
        label=gettext_lazy("Số ngày làm việc"),
        min_value=1,
        error_messages={
            "required": gettext_lazy("Nhập số ngày làm việc của thủ tục."),
            "invalid": gettext_lazy("Số ngày làm việc phải là số nguyên."),
            "min_value": gettext_lazy("Số ngày làm việc phải từ 1 trở lên."),
        },
    )


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw[:5]) <= LAST_YEAR:
        return int(raw)
    return clock.today().year


def calendar_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    language = get_language() or "vi"
    province = current_provinces().filter(code=settings.MOTCUA_PROVINCE_CODE).first()
    code = province.code if province is not None else None
    status = year_status(province=province, year=year)
    grids: list[Any] = []
    if status.is_declared:
        try:
            grids = month_grids(calendar=working_calendar(code), year=year)
        except MotcuaError:
            grids = []
    form = EstimateForm(request.GET if "days" in request.GET else None)
    estimate = None
    if form.is_bound and form.is_valid():
        try:
            estimate = explained_due(
                received_at=clock.now(),
                amount=form.cleaned_data["days"],
                unit=TimeUnit.WORKING_DAY,
                province_code=code,
            )
        except MotcuaError as error:
            form.add_error("days", error.message(language))
    context = {
        "year": year,
        "province": province,
        "status": status,
        "grids": grids,
        "entries": effective_calendar_days(province=province, year=year),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "form": form,
        "estimate": estimate,
        "today": clock.today(),
        "is_en": language.startswith("en"),
        "weekdays": WEEKDAYS,
    }
    return render(request, "portal/calendar.html", context)
