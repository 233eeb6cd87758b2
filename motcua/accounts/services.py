"""Acts on accounts: memberships and sessions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q

from motcua.core.errors import ValidationFailed
from motcua.core.models import overlapping

from .models import ONE_STOP_ROLES, UNSCOPED_ROLES, Membership, Role, User


def logout_everywhere(*, user: User) -> None:
    """End every session of ``user``: the session auth hash includes the epoch."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


@transaction.atomic
def grant_membership(
    *,
    user: User,
    role: Role,
    agency_id: int | None = None,
    one_stop_unit_id: int | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    is_standby: bool = False,
) -> Membership:
    """Give ``user`` a role at an agency or one-stop unit for a period; refuse overlaps."""
    role = Role(role)
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationFailed(
            "Ngày hết hiệu lực phải sau ngày bắt đầu.",
            "The end date must not be before the start date.",
            code="invalid_period",
            field="valid_to",
        )
    if agency_id is not None and one_stop_unit_id is not None:
        raise ValidationFailed(
            "Vai trò chỉ gắn với một cơ quan hoặc một bộ phận một cửa.",
            "A role belongs to one agency or one one-stop unit, not both.",
            code="two_scopes",
        )
    if role in ONE_STOP_ROLES and one_stop_unit_id is None:
        raise ValidationFailed(
            "Vai trò này phải gắn với một bộ phận một cửa.",
            "This role must be held at a one-stop unit.",
            code="one_stop_unit_required",
            field="one_stop_unit",
        )
    if role not in ONE_STOP_ROLES and role not in UNSCOPED_ROLES and agency_id is None:
        raise ValidationFailed(
            "Vai trò này phải gắn với một cơ quan.",
            "This role must be held at an agency.",
            code="agency_required",
            field="agency",
        )
    User.objects.select_for_update().filter(pk=user.pk).first()
    clash = Membership.objects.filter(
        overlapping(valid_from, valid_to),
        Q(agency_id=agency_id) if agency_id is not None else Q(agency__isnull=True),
        Q(one_stop_unit_id=one_stop_unit_id)
        if one_stop_unit_id is not None
        else Q(one_stop_unit__isnull=True),
        user=user,
        role=role,
    )
    if clash.exists():
        raise ValidationFailed(
            "Người dùng đã có vai trò này tại đây trong một khoảng thời gian trùng lặp.",
            "The user already holds this role here over an overlapping period.",
            code="overlapping_membership",
        )
    return Membership.objects.create(
        user=user,
        role=role,
        agency_id=agency_id,
        one_stop_unit_id=one_stop_unit_id,
        valid_from=valid_from,
        valid_to=valid_to,
        is_standby=is_standby,
    )
