"""Recipients: validate and normalise e-mail addresses and Vietnamese mobile numbers; mask them for logs.

Phone numbers: Vietnamese mobile numbers only (SMS goes to mobiles), written ``0xxxxxxxxx``,
``+84xxxxxxxxx`` or ``84xxxxxxxxx``, with optional spaces, dots, dashes or parentheses. Since the
2018 prefix conversion every mobile number is 0 + 9 digits starting 03, 05, 07, 08 or 09; landlines
(02x…, 11 digits) cannot receive SMS and are refused. Stored in E.164 form: ``+84912345678``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from motcua.core.errors import ValidationFailed

from .models import Channel

_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"(?:\+84|84|0)([35789]\d{8})")


def invalid_phone() -> ValidationFailed:
    return ValidationFailed(
        "Số điện thoại không hợp lệ: cần số di động Việt Nam dạng 0xxxxxxxxx hoặc +84xxxxxxxxx.",
        "Invalid phone number: a Vietnamese mobile number is required, as 0xxxxxxxxx or +84xxxxxxxxx.",
        code="invalid_recipient",
        field="recipient",
    )


def invalid_email() -> ValidationFailed:
    return ValidationFailed(
        "Địa chỉ e-mail không hợp lệ.",
        "Invalid e-mail address.",
        code="invalid_recipient",
        field="recipient",
    )


def normalise_phone(raw: str) -> str:
    """``"0912 345 678"`` → ``"+84912345678"``; raises ValidationFailed(code="invalid_recipient")."""
    match = _MOBILE.fullmatch(_SEPARATORS.sub("", raw or ""))
    if match is None:
        raise invalid_phone()
    return f"+84{match.group(1)}"


def normalise_email(raw: str) -> str:
    """Trimmed, with the domain in lower case (the local part is kept: it may be case-sensitive)."""
    address = (raw or "").strip()
    if len(address) > 254 or "@" not in address:
        raise invalid_email()
    local, _, domain = address.rpartition("@")
    address = f"{local}@{domain.lower()}"
    try:
        validate_email(address)
    except ValidationError as exc:
        raise invalid_email() from exc
    return address


def normalise_recipient(channel: str, raw: str) -> str:
    if channel == Channel.SMS:
        return normalise_phone(raw)
    return normalise_email(raw)


def mask_phone(phone: str) -> str:
    """``"+84912345678"`` → ``"+84******678"``: enough to tell messages apart, not to call anyone."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return "***"
    prefix = "+84" if phone.startswith("+84") else digits[:1]
    return f"{prefix}{'*' * 6}{digits[-3:]}"


def mask_email(address: str) -> str:
    """``"nguyen.van.a@example.vn"`` → ``"n***@example.vn"``."""
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_recipient(channel: str, recipient: str) -> str:
    return mask_phone(recipient) if channel == Channel.SMS else mask_email(recipient)
