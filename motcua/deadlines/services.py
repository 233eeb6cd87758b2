"""Acts on the working calendar: the procedure-control office sets and removes days, marks years.

Each act checks ``calendar.edit`` through the one gate, validates everything before writing, runs
in one transaction, leaves a history row with the actor (django-simple-history) and gives the
calendar a new revision so every process sees the edit at once. A refused act changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from motcua.accounts.gate import require
from motcua.accounts.models import User
from motcua.core.errors import NotFound, ValidationFailed
from motcua.units.models import AdminUnit

from .arithmetic import DayKind, format_day
from .calendars import bump_revision, covered_years, resolve_province
from .models import (
    FIRST_YEAR,
    LAST_YEAR,
    MANUAL_REASON,
    MANUAL_REMOVAL_REASON,
    CalendarDay,
    CalendarYear,
    Source,
)

__all__ = ["remove_calendar_day", "set_calendar_day", "set_year_status"]

_WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _text(value: str, *, field: str, label_vi: str, label_en: str, max_length: int, required: bool) -> str:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValidationFailed(
            f"Cần nhập {label_vi}.",
            f"The {label_en} is required.",
            code=f"{field}_required",
            field=field,
        )
    if len(text) > max_length:
        raise ValidationFailed(
            f"{label_vi.capitalize()} dài quá {max_length} ký tự.",
            f"The {label_en} is longer than {max_length} characters.",
            code="too_long",
            field=field,
        )
    return text


def _kind(kind: DayKind | str) -> DayKind:
    try:
        return DayKind(kind)
    except ValueError:
        raise ValidationFailed(
            "Loại ngày phải là “ngày nghỉ” hoặc “ngày làm bù”.",
            "The kind must be “day off” or “make-up working day”.",
            code="unknown_kind",
            field="kind",
        ) from None


def _scope(province: AdminUnit | None) -> tuple[str, str]:
    if province is None:
        return "lịch toàn quốc", "the national calendar"
    name = province.full_name or province.name
    return f"lịch của {name[:1].lower()}{name[1:]}", f"the calendar of {province.name}"


def _require_declared_year(province: AdminUnit | None, day: date) -> None:
    if day.year not in covered_years(province):
        scope_vi, scope_en = _scope(province)
        raise ValidationFailed(
            f"Năm {day.year} chưa được khai báo trong {scope_vi}; khai báo năm lịch trước khi thêm ngày.",
            f"The year {day.year} is not declared in {scope_en}; declare the calendar year first.",
            code="year_not_declared",
            field="day",
        )


@transaction.atomic
def set_calendar_day(
    *,
    actor: User,
    province_code: str | None,
    day: date,
    kind: DayKind | str,
    name_vi: str,
    name_en: str,
    legal_basis: str,
) -> CalendarDay:
    """Add or change the entry of ``day`` in the national (``province_code`` None) or a province calendar.

    Refused: no legal basis; a MAKEUP_WORKDAY on Monday–Friday (it is a working day already; the
    swap's day off is a separate DAY_OFF entry); a day whose year is not declared. A DAY_OFF on a
    Saturday or Sunday is accepted: it names a holiday that falls on the weekly rest day and changes
    no count (decision 0004); the make-up day off (BLLĐ Art 111(3)) is its own entry.
    """
    require(actor, "calendar.edit")
    province = resolve_province(province_code)
    day_kind = _kind(kind)
    name_vi = _text(
        name_vi, field="name_vi", label_vi="tên ngày", label_en="name", max_length=200, required=True
    )
    name_en = _text(
        name_en,
        field="name_en",
        label_vi="tên tiếng Anh",
        label_en="English name",
        max_length=200,
        required=False,
    )
    legal_basis = _text(
        legal_basis,
        field="legal_basis",
        label_vi="căn cứ pháp lý (số văn bản)",
        label_en="legal basis (document number)",
        max_length=300,
        required=True,
    )
    if day_kind is DayKind.MAKEUP_WORKDAY and day.weekday() < 5:
        raise ValidationFailed(
            f"Ngày {format_day(day)} là {_WEEKDAYS_VI[day.weekday()]}, vốn là ngày làm việc: "
            "chỉ thứ Bảy hoặc Chủ nhật mới có thể là ngày làm bù.",
            f"{format_day(day)} is a {_WEEKDAYS_EN[day.weekday()]}, already a working day: "
            "only a Saturday or a Sunday can be a make-up working day.",
            code="makeup_on_weekday",
            field="day",
        )
    _require_declared_year(province, day)
    row = CalendarDay.objects.select_for_update().filter(province=province, day=day).first()
    if row is None:
        row = CalendarDay(province=province, day=day)
    row.kind = day_kind.value
    row.name_vi = name_vi
    row.name_en = name_en
    row.legal_basis = legal_basis
    row.source = Source.MANUAL
    row._history_user = actor  # type: ignore[attr-defined]
    row._change_reason = MANUAL_REASON  # type: ignore[attr-defined]
    row.save()
    bump_revision()
    return row


@transaction.atomic
def remove_calendar_day(*, actor: User, province_code: str | None, day: date) -> None:
    """Remove the entry of ``day``; the seed will not bring a removed national day back."""
    require(actor, "calendar.edit")
    province = resolve_province(province_code)
    row = CalendarDay.objects.select_for_update().filter(province=province, day=day).first()
    if row is None:
        scope_vi, scope_en = _scope(province)
        raise NotFound(
            f"Ngày {format_day(day)} không có trong {scope_vi}.",
            f"{format_day(day)} is not an entry of {scope_en}.",
            code="calendar_day_not_found",
            field="day",
        )
    row._history_user = actor  # type: ignore[attr-defined]
    row._change_reason = MANUAL_REMOVAL_REASON  # type: ignore[attr-defined]
    row.delete()
    bump_revision()


@transaction.atomic
def set_year_status(
    *,
    actor: User,
    province_code: str | None,
    year: int,
    is_provisional: bool,
    note: str = "",
) -> CalendarYear:
    """Declare ``year`` (or change it) as provisional (dự kiến) or announced (đã công bố)."""
    require(actor, "calendar.edit")
    province = resolve_province(province_code)
    if type(year) is not int or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationFailed(
            f"Năm phải từ {FIRST_YEAR} đến {LAST_YEAR}.",
            f"The year must be between {FIRST_YEAR} and {LAST_YEAR}.",
            code="year_out_of_range",
            field="year",
        )
    note = _text(note, field="note", label_vi="ghi chú", label_en="note", max_length=300, required=False)
    row = CalendarYear.objects.select_for_update().filter(province=province, year=year).first()
    if row is None:
        row = CalendarYear(province=province, year=year)
    row.is_provisional = bool(is_provisional)
    row.note = note
    row.source = Source.MANUAL
    row._history_user = actor  # type: ignore[attr-defined]
    row._change_reason = MANUAL_REASON  # type: ignore[attr-defined]
    row.save()
    bump_revision()
    return row
