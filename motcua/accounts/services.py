"""Acts on accounts: memberships and sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q

from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.core.models import overlapping
from motcua.notifications.sms import get_sms_backend

from .models import (
    ONE_STOP_ROLES,
    UNSCOPED_ROLES,
    Membership,
    Role,
    User,
    UserKind,
    VerificationChannel,
    VerificationCode,
)


def logout_everywhere(*, user: User) -> None:
    """End every session of ``user``: the session auth hash includes the epoch."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def check_membership(
    *,
    role: Role | str,
    agency_id: int | None,
    one_stop_unit_id: int | None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> None:
    """Raise ``ValidationFailed`` if a membership of ``role`` may not be held there (``grant_membership``
    and the admin's membership forms ask the same)."""
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
    check_membership(
        role=role,
        agency_id=agency_id,
        one_stop_unit_id=one_stop_unit_id,
        valid_from=valid_from,
        valid_to=valid_to,
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


# --------------------------------------------------------------------------------------------------
# Citizen and organisation accounts (issue #7 part 1)
# --------------------------------------------------------------------------------------------------

VERIFICATION_TTL = dt.timedelta(minutes=15)
VERIFICATION_MAX_ATTEMPTS = 5
VERIFICATION_RESEND_AFTER = dt.timedelta(seconds=60)
_PHONE_RE = re.compile(r"(?:\+?84|0)([35789]\d{8})")


def _code_hash(user_id: int, code: str) -> str:
    key = f"{settings.SECRET_KEY}:motcua.verification:{user_id}".encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _contact(email: str, phone: str) -> tuple[str, str]:
    email = email.strip().lower()
    phone = re.sub(r"[\s.\-()]", "", phone)
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            raise ValidationFailed(
                "Địa chỉ thư điện tử không hợp lệ.",
                "The e-mail address is not valid.",
                code="invalid_email",
                field="email",
            ) from None
    if phone:
        match = _PHONE_RE.fullmatch(phone)
        if match is None:
            raise ValidationFailed(
                "Số điện thoại di động không đúng định dạng Việt Nam (ví dụ 0912 345 678).",
                "The mobile number is not a Vietnamese mobile number (e.g. 0912 345 678).",
                code="invalid_phone",
                field="phone",
            )
        phone = f"0{match.group(1)}"
    if not email and not phone:
        raise ValidationFailed(
            "Cần ghi thư điện tử hoặc số điện thoại di động để xác minh tài khoản.",
            "An e-mail address or a mobile number is required to verify the account.",
            code="required",
            field="email",
        )
    return email, phone


@transaction.atomic
def register_applicant(
    *,
    kind: str,
    full_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    identifier_type: str = "",
    identifier: str = "",
) -> User:
    """A citizen or organisation account, signed in by e-mail or phone; unverified until a code is
    confirmed (``confirm_verification``), and only then may it submit (the applicant role)."""
    if kind not in (UserKind.CITIZEN, UserKind.ORGANISATION):
        raise ValidationFailed(
            "Loại tài khoản không hợp lệ.", "Unknown account kind.", code="invalid", field="kind"
        )
    name = " ".join(full_name.split())
    if not name:
        raise ValidationFailed(
            "Cần ghi họ và tên (hoặc tên tổ chức).",
            "The full name (or the organisation's name) is required.",
            code="required",
            field="full_name",
        )
    email, phone = _contact(email, phone)
    username = email or phone
    if User.objects.filter(username__iexact=username).exists() or (
        email and User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationFailed(
            "Đã có tài khoản với thư điện tử hoặc số điện thoại này; hãy đăng nhập.",
            "An account with this e-mail or phone already exists; sign in instead.",
            code="account_exists",
            field="email" if email else "phone",
        )
    user = User(username=username, email=email, phone=phone, kind=kind, full_name=name)
    user.identifier_type = identifier_type.strip()
    user.identifier = re.sub(r"\s", "", identifier).upper()[:20]
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Mật khẩu chưa đủ an toàn: " + " ".join(str(m) for m in exc.messages),
            "The password is not safe enough: " + " ".join(str(m) for m in exc.messages),
            code="weak_password",
            field="password",
        ) from None
    user.set_password(password)
    user.save()
    return user


def send_verification(*, user: User, channel: str, at: dt.datetime | None = None) -> str:
    """Send a 6-digit code to the account's e-mail or phone; returns the code's target (masked
    for display). At most one code a minute; a new code replaces the previous ones."""
    when = at or clock.now()
    if channel == VerificationChannel.EMAIL:
        target = user.email
    elif channel == VerificationChannel.PHONE:
        target = user.phone
    else:
        raise ValidationFailed("Kênh xác minh không hợp lệ.", "Unknown channel.", field="channel")
    if not target:
        raise ValidationFailed(
            "Tài khoản chưa có địa chỉ này.",
            "The account has no such address.",
            code="no_target",
            field="channel",
        )
    recent = VerificationCode.objects.filter(
        user=user, channel=channel, created_at__gt=when - VERIFICATION_RESEND_AFTER
    ).exists()
    if recent:
        raise ValidationFailed(
            "Mã xác minh vừa được gửi; hãy chờ một phút rồi gửi lại.",
            "A code was just sent; wait a minute before asking again.",
            code="too_soon",
            field="channel",
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        VerificationCode.objects.filter(user=user, channel=channel, used_at__isnull=True).update(used_at=when)
        VerificationCode.objects.create(
            user=user,
            channel=channel,
            target=target,
            code_hash=_code_hash(user.pk, code),
            created_at=when,
            expires_at=when + VERIFICATION_TTL,
        )
        text = f"motcua: ma xac minh tai khoan cua ban la {code} (hieu luc 15 phut)."
        if channel == VerificationChannel.EMAIL:
            transaction.on_commit(
                lambda: send_mail("motcua — mã xác minh / verification code", text, None, [target]),
                robust=True,
            )
        else:
            transaction.on_commit(lambda: get_sms_backend().send("+84" + target[1:], text), robust=True)
    return target


def confirm_verification(*, user: User, channel: str, code: str, at: dt.datetime | None = None) -> User:
    """The code matches the latest one sent, in time, within 5 tries: the channel is verified and the
    account gets its applicant role (citizen or organisation)."""
    when = at or clock.now()
    with transaction.atomic():
        pending = (
            VerificationCode.objects.select_for_update()
            .filter(user=user, channel=channel, used_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        wrong = ValidationFailed(
            "Mã xác minh không đúng hoặc đã hết hạn.",
            "The verification code is wrong or has expired.",
            code="invalid_code",
            field="code",
        )
        if pending is None or pending.expires_at < when or pending.attempts >= VERIFICATION_MAX_ATTEMPTS:
            raise wrong
        if not hmac.compare_digest(pending.code_hash, _code_hash(user.pk, code.strip())):
            VerificationCode.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
            failed = wrong  # raised after the block commits, so the failed try is counted
        else:
            failed = None
            VerificationCode.objects.filter(pk=pending.pk).update(used_at=when)
            field = "email_verified_at" if channel == VerificationChannel.EMAIL else "phone_verified_at"
            setattr(user, field, when)
            user.save(update_fields=[field])
            _grant_applicant_role(user)
    if failed is not None:
        raise failed
    return user


def _grant_applicant_role(user: User) -> None:
    role = Role.ORGANISATION if user.kind == UserKind.ORGANISATION else Role.CITIZEN
    if not Membership.objects.filter(user=user, role=role).exists():
        grant_membership(user=user, role=role)
