"""Public deadline endpoints: when is a dossier due (and why), and a year of the working calendar."""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any, Final

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.deadlines.arithmetic import DEFAULT_CUTOFF, MAX_AMOUNT, TimeUnit, to_local_checked
from motcua.deadlines.calendars import resolve_province
from motcua.deadlines.models import FIRST_YEAR, LAST_YEAR
from motcua.deadlines.selectors import effective_calendar_days, explained_due, year_status

# A "+" in a query string is decoded as a space unless it is sent as %2B, so
# "2026-02-13T14:00:00+07:00" often arrives as "2026-02-13T14:00:00 07:00": restore the sign.
_LOST_PLUS: Final = re.compile(r"^(.*\d) (\d{2}(?::?\d{2})?)$")
_CUTOFF: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_UNITS: Final = ", ".join(unit.value for unit in TimeUnit)


def _missing(field: str) -> ValidationFailed:
    return ValidationFailed(
        f"Thiếu tham số “{field}”.", f"The parameter “{field}” is missing.", code="required", field=field
    )


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    return value.strip() if value is not None else ""


def parse_received_at(raw: str) -> datetime:
    if not raw:
        raise _missing("received_at")
    text = _LOST_PLUS.sub(r"\1+\2", raw)
    try:
        instant = datetime.fromisoformat(text)
        if instant.utcoffset() is not None:
            instant.astimezone(VN_TZ)  # overflows near year 1 or 9999
    except (ValueError, OverflowError):
        raise ValidationFailed(
            f"“{raw[:40]}” không phải thời điểm ISO 8601, ví dụ 2026-02-13T14:00:00+07:00.",
            f"“{raw[:40]}” is not an ISO 8601 instant, e.g. 2026-02-13T14:00:00+07:00.",
            code="invalid_datetime",
            field="received_at",
        ) from None
    return to_local_checked(instant, "received_at")  # a naive instant: code naive_datetime


def parse_unit(raw: str) -> TimeUnit:
    if not raw:
        raise _missing("unit")
    try:
        return TimeUnit(raw)
    except ValueError:
        raise ValidationFailed(
            f"Đơn vị thời hạn “{raw[:40]}” không được hỗ trợ; dùng một trong: {_UNITS}.",
            f"Unsupported time unit “{raw[:40]}”; use one of: {_UNITS}.",
            code="unknown_unit",
            field="unit",
        ) from None


def parse_amount(raw: str, unit: TimeUnit) -> int:
    if not raw:
        raise _missing("amount")
    if not raw.isascii() or not raw.isdigit():
        raise ValidationFailed(
            f"Thời hạn “{raw[:40]}” phải là số nguyên không âm.",
            f"The time limit “{raw[:40]}” must be a whole number, not negative.",
            code="invalid_amount",
            field="amount",
        )
    if len(raw) > 9:  # the arithmetic refuses anything above its limit; never parse a huge number
        limit = MAX_AMOUNT[unit]
        raise ValidationFailed(
            f"Thời hạn {raw[:12]}… quá dài (tối đa {limit} {unit.value}, tương đương 10 năm).",
            f"The time limit {raw[:12]}… is too long (at most {limit} {unit.value}, about 10 years).",
            code="amount_too_large",
            field="amount",
        )
    return int(raw)


def parse_cutoff(raw: str) -> time:
    if not raw:
        return DEFAULT_CUTOFF
    match = _CUTOFF.match(raw)
    if match is None:
        raise ValidationFailed(
            f"Giờ chốt “{raw[:20]}” phải có dạng HH:MM, ví dụ 15:00.",
            f"The cut-off “{raw[:20]}” must look like HH:MM, e.g. 15:00.",
            code="invalid_cutoff",
            field="cutoff",
        )
    return time(int(match.group(1)), int(match.group(2)))


def parse_year(raw: str) -> int:
    if not raw:
        return clock.today().year
    if not raw.isascii() or not raw.isdigit() or not FIRST_YEAR <= int(raw[:5]) <= LAST_YEAR:
        raise ValidationFailed(
            f"Năm “{raw[:20]}” không hợp lệ (từ {FIRST_YEAR} đến {LAST_YEAR}).",
            f"The year “{raw[:20]}” is invalid (from {FIRST_YEAR} to {LAST_YEAR}).",
            code="invalid_year",
            field="year",
        )
    return int(raw)


class DueDateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    due_at = serializers.DateTimeField(help_text="When the result is due, ISO 8601 with +07:00.")
    explanation_vi = serializers.CharField(help_text="How it was computed, in Vietnamese.")
    explanation_en = serializers.CharField(help_text="How it was computed, in English.")
    skipped_days_off = serializers.ListField(
        child=serializers.DateField(),
        help_text="Every non-working day the count skipped, weekends included, in order (YYYY-MM-DD).",
    )
    provisional = serializers.BooleanField(
        help_text="True when a year from receipt to the due day has only a provisional calendar."
    )


class CalendarEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    day = serializers.DateField()
    kind = serializers.ChoiceField(choices=["day_off", "makeup_workday"])
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    legal_basis = serializers.CharField()
    scope = serializers.ChoiceField(choices=["national", "province"])


class CalendarSerializer(serializers.Serializer):  # type: ignore[type-arg]
    province = serializers.CharField(allow_null=True)
    year = serializers.IntegerField()
    provisional = serializers.BooleanField()
    note = serializers.CharField()
    entries = CalendarEntrySerializer(many=True)


PROBLEM_400 = OpenApiResponse(
    description=(
        "Problem details (RFC 9457, application/problem+json) naming the parameter in `field`, with "
        "`detail_vi` and `detail_en`. Codes: required, invalid_datetime, naive_datetime, "
        "invalid_amount, amount_too_large, unknown_unit, unknown_province, invalid_cutoff, "
        "date_out_of_calendar_range, calendar_not_declared."
    )
)

DUE_DESCRIPTION = """
When a dossier accepted at `received_at` with a time limit of `amount` `unit` is due, over the
working calendar of the competent agency's province (national entries overlaid by the province's).

* Day units are due at the end of office hours (17:00) of the last day; the day of receipt is not
  counted (BLDS Art 147). `calendar_day` and `month` move a last day that is a day off to the next
  working day (Art 148(5)). `same_day`: received before `cutoff` (default 15:00) on a working day →
  that day, else the next working day (`amount` 0 or 1).
* `skipped_days_off` lists **every** non-working day the count passed over, **weekends included**:
  for `working_day`, the non-working days after the day of receipt up to the due day; for
  `calendar_day` and `month`, only the days off that pushed the last day forward.
* `provisional` is true when any year from receipt to the due day has a provisional calendar (not
  yet announced by the government): the due date may change.
* A `+` in a query string is read as a space by form decoding: send `%2B`, or the server restores
  `2026-02-13T14:00:00 07:00` to `2026-02-13T14:00:00+07:00`.
* Omit `province` for the national calendar. The amount is capped at about 10 years per unit.
"""


class DueDate(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        operation_id="deadlines_due",
        summary="Due date of a dossier, explained",
        description=DUE_DESCRIPTION,
        tags=["deadlines"],
        parameters=[
            OpenApiParameter(
                "received_at",
                OpenApiTypes.DATETIME,
                required=True,
                description="Acceptance instant, ISO 8601 with an offset, e.g. 2026-02-13T14:00:00+07:00.",
            ),
            OpenApiParameter(
                "amount", OpenApiTypes.INT, required=True, description="The time limit, a whole number ≥ 0."
            ),
            OpenApiParameter("unit", OpenApiTypes.STR, required=True, enum=[u.value for u in TimeUnit]),
            OpenApiParameter(
                "province",
                OpenApiTypes.STR,
                description="Official code of the competent agency's province (e.g. 42); omit for national.",
            ),
            OpenApiParameter(
                "cutoff", OpenApiTypes.STR, description="HH:MM cut-off for same_day (default 15:00)."
            ),
        ],
        responses={
            200: DueDateSerializer,
            400: PROBLEM_400,
            429: OpenApiResponse(description="Too many requests (problem details)."),
        },
        examples=[
            OpenApiExample(
                "Tết carry-over (SPEC §11 scenario 1)",
                response_only=True,
                value={
                    "due_at": "2026-03-06T17:00:00+07:00",
                    "explanation_vi": "10 ngày làm việc kể từ 14:00 13/02/2026; …",
                    "explanation_en": "10 working days from 14:00 13/02/2026, …",
                    "skipped_days_off": ["2026-02-14", "2026-02-15", "2026-02-16", "…"],
                    "provisional": False,
                },
            )
        ],
    )
    def get(self, request: Request) -> Response:
        received_at = parse_received_at(_param(request, "received_at"))
        unit = parse_unit(_param(request, "unit"))
        amount = parse_amount(_param(request, "amount"), unit)
        cutoff = parse_cutoff(_param(request, "cutoff"))
        answer = explained_due(
            received_at=received_at,
            amount=amount,
            unit=unit,
            province_code=_param(request, "province") or None,
            cutoff=cutoff,
        )
        body: dict[str, Any] = {
            "due_at": answer.due.due_at.astimezone(VN_TZ).isoformat(),
            "explanation_vi": answer.explanation_vi,
            "explanation_en": answer.explanation_en,
            "skipped_days_off": [day.isoformat() for day in answer.skipped_days_off],
            "provisional": answer.provisional,
        }
        return Response(body)


class WorkingCalendarYear(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"

    @extend_schema(
        operation_id="deadlines_calendar",
        summary="One year of the working calendar",
        description=(
            "The days off and make-up working days of `year` (default: this year) in the national "
            "calendar, or a province's (national entries overlaid by its own; `scope` says which), "
            "each with its legal basis, and whether the year is provisional."
        ),
        tags=["deadlines"],
        parameters=[
            OpenApiParameter(
                "province", OpenApiTypes.STR, description="Official province code; omit for national."
            ),
            OpenApiParameter(
                "year", OpenApiTypes.INT, description=f"{FIRST_YEAR}–{LAST_YEAR}; default this year."
            ),
        ],
        responses={
            200: CalendarSerializer,
            400: PROBLEM_400,
            404: OpenApiResponse(
                description="The year is not declared (problem details, code year_not_declared)."
            ),
        },
    )
    def get(self, request: Request) -> Response:
        province_code = _param(request, "province") or None
        province = resolve_province(province_code)
        year = parse_year(_param(request, "year"))
        status = year_status(province=province, year=year)
        if not status.is_declared:
            raise NotFound(
                f"Năm {year} chưa có trong lịch làm việc.",
                f"The year {year} is not in the working calendar.",
                code="year_not_declared",
                field="year",
            )
        entries = [
            {
                "day": row.day.isoformat(),
                "kind": row.kind,
                "name_vi": row.name_vi,
                "name_en": row.name_en or row.name_vi,
                "legal_basis": row.legal_basis,
                "scope": "national" if row.province_id is None else "province",
            }
            for row in effective_calendar_days(province=province, year=year)
        ]
        body = {
            "province": province.code if province is not None else None,
            "year": year,
            "provisional": status.is_provisional,
            "note": status.note,
            "entries": entries,
        }
        return Response(body)
