"""Acts on agencies, one-stop units, counters and office hours (SPEC §4.1).

Every check lives here so that the CSV loaders, the Django admin and any later page refuse the same
things with the same codes and the same Vietnamese/English messages:

- ``invalid_identifier_code``: not ``V1V2V3.Z1Z2.Y1Y2.MX1X2`` (QCVN 102:2016, TT01/2018 Art 19);
- ``duplicate_identifier_code``: another agency already has this code from the same start date;
- ``overlapping_validity``: another agency has this code over an overlapping period (two agencies
  may share a code only over disjoint periods, e.g. a legacy district committee and its successor);
- ``unknown_admin_unit`` / ``unknown_parent``: raised by the loaders when a code names nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from motcua.core.errors import ValidationFailed
from motcua.core.models import overlapping
from motcua.core.text import fold, nfc

from .models import (
    IDENTIFIER_CODE_PATTERN,
    AdminUnit,
    Agency,
    AgencyKind,
    Counter,
    Level,
    OfficeHours,
    OneStopKind,
    OneStopUnit,
)

_IDENTIFIER_CODE = re.compile(IDENTIFIER_CODE_PATTERN)
_ONE_STOP_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")
_QUEUE_PREFIX = re.compile(r"^[A-Z]{1,3}$")
_FIELD_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")

# Which level of administrative unit an agency or a one-stop unit of each kind sits on.
AGENCY_KIND_LEVEL: dict[str, str] = {
    AgencyKind.PROVINCIAL_COMMITTEE: Level.PROVINCE,
    AgencyKind.COMMUNE_COMMITTEE: Level.COMMUNE,
    AgencyKind.DISTRICT_COMMITTEE: Level.DISTRICT,
}
ONE_STOP_KIND_LEVEL: dict[str, str] = {
    OneStopKind.PROVINCIAL_CENTRE: Level.PROVINCE,
    OneStopKind.COMMUNE_CENTRE: Level.COMMUNE,
    OneStopKind.DISTRICT_RECEPTION: Level.DISTRICT,
}
LEVEL_VI: dict[str, str] = {Level.PROVINCE: "cấp tỉnh", Level.DISTRICT: "cấp huyện", Level.COMMUNE: "cấp xã"}
LEVEL_EN: dict[str, str] = {Level.PROVINCE: "province", Level.DISTRICT: "district", Level.COMMUNE: "commune"}


# --- Small helpers for messages ---------------------------------------------------------------


def _day_vi(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def period_vi(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    start = f"từ {_day_vi(valid_from)}" if valid_from else "từ trước"
    end = f"đến {_day_vi(valid_to)}" if valid_to else "đến nay"
    return f"{start} {end}"


def period_en(valid_from: dt.date | None, valid_to: dt.date | None) -> str:
    start = f"from {valid_from.isoformat()}" if valid_from else "from the start"
    end = f"to {valid_to.isoformat()}" if valid_to else "open-ended"
    return f"{start} {end}"


def _periods_overlap(
    a_from: dt.date | None, a_to: dt.date | None, b_from: dt.date | None, b_to: dt.date | None
) -> bool:
    return (a_to is None or b_from is None or b_from <= a_to) and (
        a_from is None or b_to is None or a_from <= b_to
    )


def _check_period(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationFailed(
            f"Ngày hết hiệu lực ({_day_vi(valid_to)}) trước ngày bắt đầu hiệu lực ({_day_vi(valid_from)}).",
            f"valid_to ({valid_to.isoformat()}) is before valid_from ({valid_from.isoformat()}).",
            code="invalid_validity",
            field="valid_to",
        )


def _required_text(value: str, *, field: str, label_vi: str, max_length: int) -> str:
    text = nfc(value or "")
    if not text:
        raise ValidationFailed(f"Thiếu {label_vi}.", f"{field} is required.", code="required", field=field)
    if len(text) > max_length:
        raise ValidationFailed(
            f"{label_vi.capitalize()} dài quá {max_length} ký tự.",
            f"{field} is longer than {max_length} characters.",
            code="too_long",
            field=field,
        )
    return text


def _optional_text(value: str, *, field: str, max_length: int) -> str:
    text = nfc(value or "")
    if len(text) > max_length:
        raise ValidationFailed(
            f"Trường {field} dài quá {max_length} ký tự.",
            f"{field} is longer than {max_length} characters.",
            code="too_long",
            field=field,
        )
    return text


# --- Agencies ---------------------------------------------------------------------------------


def validate_identifier_code(identifier_code: str) -> str:
    """The code itself, if it has the QCVN 102:2016 layout; otherwise ``invalid_identifier_code``."""
    code = (identifier_code or "").strip()
    if not _IDENTIFIER_CODE.match(code):
        raise ValidationFailed(
            f"Mã định danh “{code}” không đúng dạng V1V2V3.Z1Z2.Y1Y2.MX1X2 (ví dụ 000.00.12.H38).",
            f"Identifier code “{code}” does not have the layout V1V2V3.Z1Z2.Y1Y2.MX1X2 (e.g. 000.00.12.H38).",
            code="invalid_identifier_code",
            field="identifier_code",
        )
    return code


def check_agency(
    *,
    identifier_code: str,
    name: str,
    kind: str,
    admin_unit: AdminUnit,
    parent: Agency | None = None,
    short_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
    exclude_pk: int | None = None,
) -> None:
    """Raise ``ValidationFailed`` if an agency with these values may not exist; change nothing."""
    code = validate_identifier_code(identifier_code)
    _required_text(name, field="name", label_vi="tên cơ quan", max_length=255)
    _optional_text(short_name, field="short_name", max_length=80)
    if kind not in AgencyKind.values:
        raise ValidationFailed(
            f"Loại cơ quan “{kind}” không hợp lệ (hợp lệ: {', '.join(AgencyKind.values)}).",
            f"Unknown agency kind “{kind}” (expected one of: {', '.join(AgencyKind.values)}).",
            code="invalid_kind",
            field="kind",
        )
    _check_period(valid_from, valid_to)

    same_code = Agency.objects.filter(identifier_code=code)
    if exclude_pk is not None:
        same_code = same_code.exclude(pk=exclude_pk)
    duplicate = same_code.filter(
        Q(valid_from__isnull=True) if valid_from is None else Q(valid_from=valid_from)
    ).first()
    if duplicate is not None:
        raise ValidationFailed(
            f"Mã định danh {code} đã được cấp cho “{duplicate.name}” "
            f"({period_vi(duplicate.valid_from, duplicate.valid_to)}).",
            f"Identifier code {code} is already used by “{duplicate.name}” "
            f"({period_en(duplicate.valid_from, duplicate.valid_to)}).",
            code="duplicate_identifier_code",
            field="identifier_code",
        )
    clash = same_code.filter(overlapping(valid_from, valid_to)).first()
    if clash is not None:
        raise ValidationFailed(
            f"Mã định danh {code} đang được dùng cho “{clash.name}” "
            f"({period_vi(clash.valid_from, clash.valid_to)}), "
            f"trùng thời gian với hiệu lực mới ({period_vi(valid_from, valid_to)}). "
            "Hai cơ quan chỉ được dùng chung mã trong các khoảng thời gian không giao nhau.",
            f"Identifier code {code} is used by “{clash.name}” "
            f"({period_en(clash.valid_from, clash.valid_to)}), "
            f"which overlaps the new period ({period_en(valid_from, valid_to)}). "
            "Two agencies may share a code only over disjoint periods.",
            code="overlapping_validity",
            field="valid_from",
        )

    expected_level = AGENCY_KIND_LEVEL.get(kind)
    if expected_level is not None and admin_unit.level != expected_level:
        raise ValidationFailed(
            f"Cơ quan loại “{AgencyKind(kind).label}” phải gắn với đơn vị hành chính "
            f"{LEVEL_VI[expected_level]}, "
            f"không phải “{admin_unit.full_name}”.",
            f"An agency of kind {kind} belongs to a {LEVEL_EN[expected_level]}, "
            f"not to {admin_unit.full_name} "
            f"({admin_unit.level}).",
            code="admin_unit_level_mismatch",
            field="admin_unit",
        )
    if not _periods_overlap(valid_from, valid_to, admin_unit.valid_from, admin_unit.valid_to):
        raise ValidationFailed(
            f"Đơn vị hành chính “{admin_unit.full_name}” "
            f"({period_vi(admin_unit.valid_from, admin_unit.valid_to)}) "
            f"không còn hiệu lực trong thời gian của cơ quan ({period_vi(valid_from, valid_to)}).",
            f"Administrative unit {admin_unit.full_name} "
            f"({period_en(admin_unit.valid_from, admin_unit.valid_to)}) "
            f"is not in force during the agency's period ({period_en(valid_from, valid_to)}).",
            code="admin_unit_not_in_force",
            field="admin_unit",
        )

    if parent is not None:
        ancestor: Agency | None = parent
        seen: set[int] = set()
        while ancestor is not None and ancestor.pk not in seen:
            if exclude_pk is not None and ancestor.pk == exclude_pk:
                raise ValidationFailed(
                    "Cơ quan cấp trên không được là chính cơ quan này hoặc đơn vị cấp dưới của nó.",
                    "The parent agency may not be the agency itself or one of its descendants.",
                    code="invalid_parent",
                    field="parent",
                )
            seen.add(ancestor.pk)
            ancestor = ancestor.parent
        if not _periods_overlap(valid_from, valid_to, parent.valid_from, parent.valid_to):
            raise ValidationFailed(
                f"Cơ quan cấp trên “{parent.name}” ({period_vi(parent.valid_from, parent.valid_to)}) "
                f"không có hiệu lực trong thời gian của cơ quan ({period_vi(valid_from, valid_to)}).",
                f"Parent agency {parent.name} ({period_en(parent.valid_from, parent.valid_to)}) "
                "is not in force "
                f"during the agency's period ({period_en(valid_from, valid_to)}).",
                code="invalid_parent",
                field="parent",
            )

    if successor is not None:
        _check_successor(
            pk=exclude_pk, name=name, valid_to=valid_to, successor=successor, identifier_code=code
        )


def _check_successor(
    *, pk: int | None, name: str, valid_to: dt.date | None, successor: Agency, identifier_code: str
) -> None:
    if pk is not None and successor.pk == pk:
        raise ValidationFailed(
            "Cơ quan kế thừa không được là chính cơ quan này.",
            "An agency cannot succeed itself.",
            code="invalid_successor",
            field="successor",
        )
    if valid_to is None:
        raise ValidationFailed(
            f"“{name}” còn hiệu lực (chưa có ngày hết hiệu lực) nên chưa thể có cơ quan kế thừa.",
            f"{name} is still in force (no valid_to), so it cannot have a successor yet.",
            code="invalid_successor",
            field="successor",
        )
    takeover = valid_to + dt.timedelta(days=1)
    if not successor.is_valid_on(takeover):
        raise ValidationFailed(
            f"Cơ quan kế thừa “{successor.name}” ({period_vi(successor.valid_from, successor.valid_to)}) "
            f"phải có hiệu lực từ ngày {_day_vi(takeover)}, ngày sau khi {identifier_code} hết hiệu lực.",
            f"Successor {successor.name} ({period_en(successor.valid_from, successor.valid_to)}) "
            "must be in force "
            f"on {takeover.isoformat()}, the day after {identifier_code} ends.",
            code="invalid_successor",
            field="successor",
        )


@transaction.atomic
def create_agency(
    *,
    identifier_code: str,
    name: str,
    kind: str,
    admin_unit: AdminUnit,
    parent: Agency | None = None,
    short_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
) -> Agency:
    """Register an agency with its national identifier code, refusing invalid or clashing codes."""
    check_agency(
        identifier_code=identifier_code,
        name=name,
        kind=kind,
        admin_unit=admin_unit,
        parent=parent,
        short_name=short_name,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
    )
    return _save_agency(
        Agency(),
        identifier_code=identifier_code,
        name=name,
        kind=kind,
        admin_unit=admin_unit,
        parent=parent,
        short_name=short_name,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
    )


def _save_agency(
    agency: Agency,
    *,
    identifier_code: str,
    name: str,
    kind: str,
    admin_unit: AdminUnit,
    parent: Agency | None,
    short_name: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    successor: Agency | None,
) -> Agency:
    """Store checked agency data in its normal form (NFC names, folded name for search)."""
    agency.identifier_code = identifier_code.strip()
    agency.name = nfc(name)
    agency.short_name = nfc(short_name or "")
    agency.kind = kind
    agency.admin_unit = admin_unit
    agency.parent = parent
    agency.successor = successor
    agency.valid_from = valid_from
    agency.valid_to = valid_to
    agency.name_folded = fold(agency.name)
    agency.save()
    return agency


@transaction.atomic
def update_agency(
    *,
    agency: Agency,
    identifier_code: str,
    name: str,
    kind: str,
    admin_unit: AdminUnit,
    parent: Agency | None = None,
    short_name: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
) -> Agency:
    """Replace an agency's reference data after the same checks as ``create_agency``."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    check_agency(
        identifier_code=identifier_code,
        name=name,
        kind=kind,
        admin_unit=admin_unit,
        parent=parent,
        short_name=short_name,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
        exclude_pk=agency.pk,
    )
    return _save_agency(
        agency,
        identifier_code=identifier_code,
        name=name,
        kind=kind,
        admin_unit=admin_unit,
        parent=parent,
        short_name=short_name,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
    )


@transaction.atomic
def set_agency_successor(*, agency: Agency, successor: Agency | None) -> Agency:
    """Record which agency took over when ``agency`` ceased (e.g. a district committee on 01/07/2025)."""
    if successor is not None:
        _check_successor(
            pk=agency.pk,
            name=agency.name,
            valid_to=agency.valid_to,
            successor=successor,
            identifier_code=agency.identifier_code,
        )
    agency.successor = successor
    agency.save(update_fields=["successor", "updated_at"])
    return agency


# --- One-stop units ---------------------------------------------------------------------------


def check_one_stop_unit(
    *,
    code: str,
    name: str,
    kind: str,
    agency: Agency,
    admin_unit: AdminUnit,
    parent_centre: OneStopUnit | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    exclude_pk: int | None = None,
) -> None:
    """Raise ``ValidationFailed`` if a one-stop unit with these values may not exist; change nothing."""
    if not _ONE_STOP_CODE.match(code or ""):
        raise ValidationFailed(
            f"Mã bộ phận một cửa “{code}” chỉ được gồm chữ không dấu, số, gạch ngang, gạch dưới "
            "(tối đa 40 ký tự).",
            f"One-stop unit code “{code}” may only contain ASCII letters, digits, '-' and '_' (at most 40).",
            code="invalid_code",
            field="code",
        )
    others = OneStopUnit.objects.filter(code=code)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationFailed(
            f"Mã bộ phận một cửa “{code}” đã tồn tại.",
            f"One-stop unit code “{code}” already exists.",
            code="duplicate_code",
            field="code",
        )
    _required_text(name, field="name", label_vi="tên bộ phận một cửa", max_length=255)
    _optional_text(address, field="address", max_length=255)
    _optional_text(phone, field="phone", max_length=30)
    if kind not in OneStopKind.values:
        raise ValidationFailed(
            f"Loại bộ phận một cửa “{kind}” không hợp lệ (hợp lệ: {', '.join(OneStopKind.values)}).",
            f"Unknown one-stop unit kind “{kind}” (expected one of: {', '.join(OneStopKind.values)}).",
            code="invalid_kind",
            field="kind",
        )
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(
                f"Địa chỉ thư điện tử “{email}” không hợp lệ.",
                f"“{email}” is not a valid e-mail address.",
                code="invalid_email",
                field="email",
            ) from None
    _check_period(valid_from, valid_to)

    expected_level = ONE_STOP_KIND_LEVEL.get(kind)
    if expected_level is not None and admin_unit.level != expected_level:
        raise ValidationFailed(
            f"“{OneStopKind(kind).label}” phải đặt tại đơn vị hành chính {LEVEL_VI[expected_level]}, "
            f"không phải “{admin_unit.full_name}”.",
            f"A one-stop unit of kind {kind} sits in a {LEVEL_EN[expected_level]}, "
            f"not in {admin_unit.full_name}.",
            code="admin_unit_level_mismatch",
            field="admin_unit",
        )
    if not _periods_overlap(valid_from, valid_to, admin_unit.valid_from, admin_unit.valid_to):
        raise ValidationFailed(
            f"Đơn vị hành chính “{admin_unit.full_name}” không có hiệu lực trong thời gian "
            "của bộ phận một cửa "
            f"({period_vi(valid_from, valid_to)}).",
            f"Administrative unit {admin_unit.full_name} is not in force during the one-stop unit's period "
            f"({period_en(valid_from, valid_to)}).",
            code="admin_unit_not_in_force",
            field="admin_unit",
        )
    if not _periods_overlap(valid_from, valid_to, agency.valid_from, agency.valid_to):
        raise ValidationFailed(
            f"Cơ quan quản lý “{agency.name}” ({period_vi(agency.valid_from, agency.valid_to)}) "
            "không có hiệu lực "
            f"trong thời gian của bộ phận một cửa ({period_vi(valid_from, valid_to)}).",
            f"Owning agency {agency.name} ({period_en(agency.valid_from, agency.valid_to)}) is not in force "
            f"during the one-stop unit's period ({period_en(valid_from, valid_to)}).",
            code="agency_not_in_force",
            field="agency",
        )

    if kind == OneStopKind.BRANCH and parent_centre is None:
        raise ValidationFailed(
            "Chi nhánh, điểm tiếp nhận phải thuộc một trung tâm (parent_centre).",
            "A branch must belong to a centre (parent_centre).",
            code="parent_centre_required",
            field="parent_centre",
        )
    if parent_centre is not None:
        if kind != OneStopKind.BRANCH:
            raise ValidationFailed(
                "Chỉ chi nhánh, điểm tiếp nhận mới có trung tâm cấp trên.",
                "Only a branch has a parent centre.",
                code="invalid_parent_centre",
                field="parent_centre",
            )
        if parent_centre.kind == OneStopKind.BRANCH or (
            exclude_pk is not None and parent_centre.pk == exclude_pk
        ):
            raise ValidationFailed(
                f"“{parent_centre.name}” không thể là trung tâm cấp trên của một chi nhánh.",
                f"{parent_centre.name} cannot be the parent centre of a branch.",
                code="invalid_parent_centre",
                field="parent_centre",
            )


@transaction.atomic
def create_one_stop_unit(
    *,
    code: str,
    name: str,
    kind: str,
    agency: Agency,
    admin_unit: AdminUnit,
    parent_centre: OneStopUnit | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    accepts_boundary_independent: bool = True,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> OneStopUnit:
    """Register a one-stop unit (*Bộ phận Một cửa*, provincial or commune centre, branch)."""
    check_one_stop_unit(
        code=code,
        name=name,
        kind=kind,
        agency=agency,
        admin_unit=admin_unit,
        parent_centre=parent_centre,
        address=address,
        phone=phone,
        email=email,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    return _save_one_stop_unit(
        OneStopUnit(),
        code=code,
        name=name,
        kind=kind,
        agency=agency,
        admin_unit=admin_unit,
        parent_centre=parent_centre,
        address=address,
        phone=phone,
        email=email,
        accepts_boundary_independent=accepts_boundary_independent,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@transaction.atomic
def update_one_stop_unit(
    *,
    one_stop_unit: OneStopUnit,
    code: str,
    name: str,
    kind: str,
    agency: Agency,
    admin_unit: AdminUnit,
    parent_centre: OneStopUnit | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    accepts_boundary_independent: bool = True,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> OneStopUnit:
    """Replace a one-stop unit's reference data after the same checks as ``create_one_stop_unit``."""
    OneStopUnit.objects.select_for_update().filter(pk=one_stop_unit.pk).first()
    check_one_stop_unit(
        code=code,
        name=name,
        kind=kind,
        agency=agency,
        admin_unit=admin_unit,
        parent_centre=parent_centre,
        address=address,
        phone=phone,
        email=email,
        valid_from=valid_from,
        valid_to=valid_to,
        exclude_pk=one_stop_unit.pk,
    )
    return _save_one_stop_unit(
        one_stop_unit,
        code=code,
        name=name,
        kind=kind,
        agency=agency,
        admin_unit=admin_unit,
        parent_centre=parent_centre,
        address=address,
        phone=phone,
        email=email,
        accepts_boundary_independent=accepts_boundary_independent,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _save_one_stop_unit(
    unit: OneStopUnit,
    *,
    code: str,
    name: str,
    kind: str,
    agency: Agency,
    admin_unit: AdminUnit,
    parent_centre: OneStopUnit | None,
    address: str,
    phone: str,
    email: str,
    accepts_boundary_independent: bool,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
) -> OneStopUnit:
    """Store checked one-stop unit data in its normal form."""
    unit.code = code
    unit.name = nfc(name)
    unit.kind = kind
    unit.agency = agency
    unit.admin_unit = admin_unit
    unit.parent_centre = parent_centre
    unit.address = nfc(address or "")
    unit.phone = (phone or "").strip()
    unit.email = (email or "").strip()
    unit.accepts_boundary_independent = accepts_boundary_independent
    unit.valid_from = valid_from
    unit.valid_to = valid_to
    unit.save()
    return unit


# --- Counters ---------------------------------------------------------------------------------


def check_counter(
    *,
    one_stop_unit: OneStopUnit,
    number: int,
    name: str,
    field_codes: Sequence[str] = (),
    queue_prefix: str = "",
) -> None:
    """Raise ``ValidationFailed`` if this counter may not be set on ``one_stop_unit``."""
    if not 1 <= number <= 999:
        raise ValidationFailed(
            f"Số quầy phải từ 1 đến 999, không phải {number}.",
            f"Counter number must be between 1 and 999, not {number}.",
            code="invalid_counter_number",
            field="number",
        )
    _required_text(name, field="name", label_vi="tên quầy", max_length=160)
    for field_code in field_codes:
        if not _FIELD_CODE.match(field_code):
            raise ValidationFailed(
                f"Mã lĩnh vực “{field_code}” không hợp lệ (chữ không dấu, số, '.', '-', '_').",
                f"Field code “{field_code}” is not valid (ASCII letters, digits, '.', '-', '_').",
                code="invalid_field_code",
                field="field_codes",
            )
    if queue_prefix:
        if not _QUEUE_PREFIX.match(queue_prefix):
            raise ValidationFailed(
                f"Tiền tố số thứ tự “{queue_prefix}” phải gồm 1–3 chữ cái in hoa không dấu.",
                f"Queue prefix “{queue_prefix}” must be 1 to 3 upper-case ASCII letters.",
                code="invalid_queue_prefix",
                field="queue_prefix",
            )
        other = (
            Counter.objects.filter(one_stop_unit=one_stop_unit, queue_prefix=queue_prefix)
            .exclude(number=number)
            .first()
        )
        if other is not None:
            raise ValidationFailed(
                f"Tiền tố {queue_prefix} đã dùng cho quầy số {other.number} ({other.name}) "
                f"của {one_stop_unit.name}.",
                f"Queue prefix {queue_prefix} is already used by counter {other.number} ({other.name}) "
                f"of {one_stop_unit.name}.",
                code="duplicate_queue_prefix",
                field="queue_prefix",
            )


@transaction.atomic
def set_counter(
    *,
    one_stop_unit: OneStopUnit,
    number: int,
    name: str,
    field_codes: Sequence[str] = (),
    queue_prefix: str = "",
    is_active: bool = True,
) -> Counter:
    """Create or replace counter ``number`` of a one-stop unit (one per field or group of fields,
    ND61 Art 13(2)(b))."""
    codes = [code.strip() for code in field_codes if code.strip()]
    check_counter(
        one_stop_unit=one_stop_unit, number=number, name=name, field_codes=codes, queue_prefix=queue_prefix
    )
    counter, _ = Counter.objects.update_or_create(
        one_stop_unit=one_stop_unit,
        number=number,
        defaults={
            "name": nfc(name),
            "field_codes": codes,
            "queue_prefix": queue_prefix,
            "is_active": is_active,
        },
    )
    return counter


# --- Office hours -----------------------------------------------------------------------------


def check_office_hours(
    *,
    weekday: int,
    morning_start: dt.time | None = None,
    morning_end: dt.time | None = None,
    afternoon_start: dt.time | None = None,
    afternoon_end: dt.time | None = None,
) -> None:
    """Raise ``ValidationFailed`` unless the windows of one weekday are complete and ordered."""
    if not 0 <= weekday <= 6:
        raise ValidationFailed(
            f"Thứ trong tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật), không phải {weekday}.",
            f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}.",
            code="invalid_weekday",
            field="weekday",
        )
    windows: list[tuple[dt.time, dt.time]] = []
    for label_vi, label_en, start, end in (
        ("buổi sáng", "morning", morning_start, morning_end),
        ("buổi chiều", "afternoon", afternoon_start, afternoon_end),
    ):
        if (start is None) != (end is None):
            raise ValidationFailed(
                f"Giờ làm việc {label_vi} phải có cả giờ mở và giờ đóng.",
                f"The {label_en} window needs both a start and an end.",
                code="incomplete_window",
                field=f"{label_en}_start",
            )
        if start is not None and end is not None:
            if end <= start:
                raise ValidationFailed(
                    f"Giờ đóng {label_vi} ({end:%H:%M}) phải sau giờ mở ({start:%H:%M}).",
                    f"The {label_en} window ends ({end:%H:%M}) before it starts ({start:%H:%M}).",
                    code="invalid_window",
                    field=f"{label_en}_end",
                )
            windows.append((start, end))
    if not windows:
        raise ValidationFailed(
            "Ngày làm việc phải có ít nhất một buổi; ngày nghỉ thì không ghi dòng giờ làm việc.",
            "A day needs at least one window; leave closed days out.",
            code="empty_office_hours",
            field="weekday",
        )
    if len(windows) == 2 and windows[1][0] < windows[0][1]:
        raise ValidationFailed(
            "Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc.",
            "The afternoon window must start after the morning window ends.",
            code="overlapping_windows",
            field="afternoon_start",
        )


@transaction.atomic
def set_office_hours(
    *,
    one_stop_unit: OneStopUnit,
    weekday: int,
    morning_start: dt.time | None = None,
    morning_end: dt.time | None = None,
    afternoon_start: dt.time | None = None,
    afternoon_end: dt.time | None = None,
) -> OfficeHours:
    """Create or replace the opening windows of a one-stop unit on one weekday (0 = Monday).

    Opening on Saturday does not make Saturday a working day for deadlines (SPEC §6.3 W11)."""
    check_office_hours(
        weekday=weekday,
        morning_start=morning_start,
        morning_end=morning_end,
        afternoon_start=afternoon_start,
        afternoon_end=afternoon_end,
    )
    hours, _ = OfficeHours.objects.update_or_create(
        one_stop_unit=one_stop_unit,
        weekday=weekday,
        defaults={
            "morning_start": morning_start,
            "morning_end": morning_end,
            "afternoon_start": afternoon_start,
            "afternoon_end": afternoon_end,
        },
    )
    return hours


def clear_office_hours(*, one_stop_unit: OneStopUnit, weekdays: Sequence[int]) -> int:
    """Close a one-stop unit on the given weekdays; returns how many rows were removed."""
    deleted, _ = OfficeHours.objects.filter(one_stop_unit=one_stop_unit, weekday__in=list(weekdays)).delete()
    return deleted


# --- Queue tickets (số thứ tự): taken at the kiosk, called at the counter -----------------------

from django.db.models import Max  # noqa: E402

from motcua.core import clock  # noqa: E402
from motcua.core.errors import Conflict, NotFound  # noqa: E402

from .models import QueueTicket, TicketStatus  # noqa: E402


def _locked_counter(counter_id: int) -> Counter:
    counter = Counter.objects.select_for_update().filter(pk=counter_id, is_active=True).first()
    if counter is None:
        raise NotFound(
            "Không tìm thấy quầy.", "Counter not found.", code="counter_not_found", field="counter"
        )
    return counter


def take_ticket(*, counter_id: int, at: dt.datetime | None = None, idempotency_key: str = "") -> QueueTicket:
    """A new queue number for ``counter_id``: 1, 2, 3 … per counter and local day, without gaps.

    The counter row is locked while the number is chosen, so two kiosks never print the same number.
    A retried request with the same ``idempotency_key`` gets the ticket it already has.
    """
    key = idempotency_key.strip()[:80] or None
    when = clock.now() if at is None else at
    with transaction.atomic():
        counter = _locked_counter(counter_id)
        if key is not None:
            existing = QueueTicket.objects.select_related("counter").filter(idempotency_key=key).first()
            if existing is not None:
                if existing.counter_id != counter.pk:
                    raise Conflict(
                        "Khóa chống trùng này đã dùng cho một quầy khác.",
                        "This idempotency key was already used for another counter.",
                        code="idempotency_key_reused",
                        field="idempotency_key",
                    )
                return existing
        day = clock.to_local(when).date()
        last = QueueTicket.objects.filter(counter=counter, day=day).aggregate(last=Max("number"))["last"]
        ticket = QueueTicket(
            counter=counter,
            day=day,
            number=(last or 0) + 1,
            taken_at=when,
            idempotency_key=key,
        )
        ticket.save()
    return ticket


def call_next_ticket(*, counter_id: int, actor_id: int, at: dt.datetime | None = None) -> QueueTicket | None:
    """Call the lowest waiting number of today at ``counter_id``; None when nobody is waiting.

    The officer's permission for the counter's one-stop unit is asked by the caller (the gate lives
    above this app); the counter row is locked so two officers never call the same number.
    """
    when = clock.now() if at is None else at
    with transaction.atomic():
        counter = _locked_counter(counter_id)
        ticket = (
            QueueTicket.objects.select_related("counter")
            .filter(counter=counter, day=clock.to_local(when).date(), status=TicketStatus.WAITING)
            .order_by("number")
            .first()
        )
        if ticket is None:
            return None
        ticket.status = TicketStatus.CALLED
        ticket.called_at = when
        ticket.called_by_id = actor_id
        ticket.save(update_fields=["status", "called_at", "called_by"])
    return ticket
