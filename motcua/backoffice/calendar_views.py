"""Staff page of the working calendar: view a year, and (calendar.edit) change its entries and status.

/can-bo/lich-lam-viec/?province=<code>&year=<yyyy>. ``province`` absent: the installation's province
(settings.MOTCUA_PROVINCE_CODE) when it exists, else the national calendar; ``province=`` (empty):
the national calendar. Forms post back to the same address and work without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from motcua.accounts.gate import allows
from motcua.core import clock
from motcua.core.errors import MotcuaError
from motcua.deadlines import services
from motcua.deadlines.calendars import resolve_province, working_calendar
from motcua.deadlines.models import FIRST_YEAR, LAST_YEAR, CalendarDay, CalendarDayKind
from motcua.deadlines.selectors import (
    declared_years,
    effective_calendar_days,
    month_grids,
    year_status,
)
from motcua.units.models import AdminUnit
from motcua.units.selectors import current_provinces

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
WEEKDAYS = [
    (gettext_lazy("T2"), gettext_lazy("Thứ Hai")),
    (gettext_lazy("T3"), gettext_lazy("Thứ Ba")),
    (gettext_lazy("T4"), gettext_lazy("Thứ Tư")),
    (gettext_lazy("T5"), gettext_lazy("Thứ Năm")),
    (gettext_lazy("T6"), gettext_lazy("Thứ Sáu")),
    (gettext_lazy("T7"), gettext_lazy("Thứ Bảy")),
    (gettext_lazy("CN"), gettext_lazy("Chủ nhật")),
]


class DayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Ngày"), input_formats=DATE_FORMATS)
    kind = forms.ChoiceField(label=gettext_lazy("Loại ngày"), choices=CalendarDayKind.choices)
    name_vi = forms.CharField(label=gettext_lazy("Tên ngày (tiếng Việt)"), max_length=200, required=False)
    name_en = forms.CharField(label=gettext_lazy("Tên tiếng Anh"), max_length=200, required=False)
    legal_basis = forms.CharField(label=gettext_lazy("Căn cứ pháp lý"), max_length=300, required=False)


class RemoveForm(forms.Form):
    day = forms.DateField(input_formats=DATE_FORMATS)


class YearForm(forms.Form):
    is_provisional = forms.TypedChoiceField(
        label=gettext_lazy("Trạng thái"),
        choices=[("1", gettext_lazy("Dự kiến")), ("0", gettext_lazy("Đã công bố"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=300, required=False)


@dataclass(frozen=True)
class Scope:
    province: AdminUnit | None
    code: str  # "" for the national calendar

    @property
    def query(self) -> str:
        return self.code


def _scope(request: HttpRequest) -> Scope:
    if "province" in request.GET:
        code = request.GET["province"].strip()
        return Scope(resolve_province(code or None), code)
    installation = current_provinces().filter(code=settings.MOTCUA_PROVINCE_CODE).first()
    return Scope(installation, installation.code if installation is not None else "")


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "").strip()
    if raw.isascii() and raw.isdigit() and FIRST_YEAR <= int(raw[:5]) <= LAST_YEAR:
        return int(raw)
    return clock.today().year


def _page_url(scope: Scope, year: int) -> str:
    return f"{reverse('backoffice:calendar')}?{urlencode({'province': scope.code, 'year': year})}"


def _form_error(form: forms.Form, error: MotcuaError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message(get_language()))


def _context(
    request: HttpRequest,
    scope: Scope,
    year: int,
    *,
    day_form: DayForm,
    year_form: YearForm,
    remove_error: str = "",
) -> dict[str, Any]:
    status = year_status(province=scope.province, year=year)
    grids: list[Any] = []
    calendar_error = ""
    if status.is_declared:
        try:
            grids = month_grids(calendar=working_calendar(scope.code or None), year=year)
        except MotcuaError as error:
            calendar_error = error.message(get_language())
    entries = effective_calendar_days(province=scope.province, year=year)
    years = declared_years(province=scope.province)
    return {
        "scope": scope,
        "scope_id": scope.province.pk if scope.province is not None else None,
        "scope_label": scope.province.full_name if scope.province is not None else _("toàn quốc"),
        "year": year,
        "status": status,
        "grids": grids,
        "calendar_error": calendar_error,
        "entries": entries,
        "years": years,
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "provinces": current_provinces(),
        "can_edit": allows(request.user, "calendar.edit"),  # type: ignore[arg-type]
        "day_form": day_form,
        "year_form": year_form,
        "remove_error": remove_error,
        "is_en": (get_language() or "vi").startswith("en"),
        "weekdays": WEEKDAYS,
    }


def _initial_day_form(request: HttpRequest, scope: Scope, year: int) -> DayForm:
    """An empty form, or one filled from the entry named by ?day= (the "Sửa" link of the table)."""
    raw = request.GET.get("day", "")
    try:
        chosen = date.fromisoformat(raw) if raw else None
    except ValueError:
        chosen = None
    row = None
    if chosen is not None:
        row = CalendarDay.objects.filter(province=scope.province, day=chosen).first()
    if row is None:
        return DayForm(initial={"kind": CalendarDayKind.DAY_OFF, "day": chosen})
    return DayForm(
        initial={
            "day": row.day,
            "kind": row.kind,
            "name_vi": row.name_vi,
            "name_en": row.name_en,
            "legal_basis": row.legal_basis,
        }
    )


def _year_form(scope: Scope, year: int) -> YearForm:
    status = year_status(province=scope.province, year=year)
    return YearForm(initial={"is_provisional": "1" if status.is_provisional else "0", "note": status.note})


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allows(user, "backoffice.enter"):  # type: ignore[arg-type]
        return render(request, "backoffice/not_staff.html", status=403)
    try:
        scope = _scope(request)
    except MotcuaError as error:
        messages.error(request, error.message(get_language()))
        return HttpResponseRedirect(f"{reverse('backoffice:calendar')}?province=")
    year = _year(request)
    if request.method == "POST":
        if not allows(user, "calendar.edit"):  # type: ignore[arg-type]
            return render(request, "backoffice/calendar_forbidden.html", status=403)
        return _post(request, scope, year)
    context = _context(
        request,
        scope,
        year,
        day_form=_initial_day_form(request, scope, year),
        year_form=_year_form(scope, year),
    )
    return render(request, "backoffice/calendar.html", context)


def _post(request: HttpRequest, scope: Scope, year: int) -> HttpResponse:
    action = request.POST.get("action", "")
    day_form = DayForm(request.POST if action == "set" else None, initial={"kind": CalendarDayKind.DAY_OFF})
    year_form = YearForm(request.POST) if action == "year" else _year_form(scope, year)
    remove_error = ""
    try:
        if action == "set":
            if day_form.is_valid():
                data = day_form.cleaned_data
                row = services.set_calendar_day(
                    actor=request.user,  # type: ignore[arg-type]
                    province_code=scope.code or None,
                    day=data["day"],
                    kind=data["kind"],
                    name_vi=data["name_vi"],
                    name_en=data["name_en"],
                    legal_basis=data["legal_basis"],
                )
                messages.success(
                    request,
                    _("Đã lưu ngày %(day)s: %(name)s.") % {"day": f"{row.day:%d/%m/%Y}", "name": row.name_vi},
                )
                if row.kind == CalendarDayKind.DAY_OFF and row.is_weekend:
                    messages.info(
                        request,
                        _(
                            "Ngày này vốn là ngày nghỉ cuối tuần nên không làm thay đổi cách tính hạn; "
                            "nếu được nghỉ bù, hãy thêm ngày nghỉ bù (ngày làm việc kế tiếp)."
                        ),
                    )
                return HttpResponseRedirect(_page_url(scope, row.day.year))
        elif action == "remove":
            remove_form = RemoveForm(request.POST)
            if remove_form.is_valid():
                removed = remove_form.cleaned_data["day"]
                services.remove_calendar_day(
                    actor=request.user,  # type: ignore[arg-type]
                    province_code=scope.code or None,
                    day=removed,
                )
                messages.success(request, _("Đã xoá ngày %(day)s.") % {"day": f"{removed:%d/%m/%Y}"})
                return HttpResponseRedirect(_page_url(scope, year))
            remove_error = _("Ngày cần xoá không hợp lệ.")
        elif action == "year":
            if year_form.is_valid():
                services.set_year_status(
                    actor=request.user,  # type: ignore[arg-type]
                    province_code=scope.code or None,
                    year=year,
                    is_provisional=year_form.cleaned_data["is_provisional"],
                    note=year_form.cleaned_data["note"],
                )
                messages.success(request, _("Đã cập nhật trạng thái năm %(year)s.") % {"year": year})
                return HttpResponseRedirect(_page_url(scope, year))
        else:
            remove_error = _("Thao tác không hợp lệ.")
    except MotcuaError as error:
        if action == "set":
            _form_error(day_form, error)
        elif action == "year":
            _form_error(year_form, error)
        else:
            remove_error = error.message(get_language())
        if error.status == 403:
            return render(request, "backoffice/calendar_forbidden.html", status=403)
    context = _context(
        request, scope, year, day_form=day_form, year_form=year_form, remove_error=remove_error
    )
    return render(request, "backoffice/calendar.html", context, status=400)
