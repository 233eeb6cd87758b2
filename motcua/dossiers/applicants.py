"""The applicant and the authorised representative: a value stored as columns on the dossier.

SPEC §4.3 ``applicant``/``authorized_rep``: kind, name, identifier type and number, date of birth,
address (text, plus the commune as an administrative unit, legacy or current), phone and e-mail.
A dossier has exactly one applicant and at most one representative, and they are read with the
dossier every time, so columns are simpler than a table (decision 0008).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed


class ApplicantKind(models.TextChoices):
    """``LoaiDoiTuong`` in the national sync: 1 citizen, 2 enterprise (organisation)."""

    PERSON = "person", _("Cá nhân")
    ORGANISATION = "organisation", _("Tổ chức, doanh nghiệp")


class IdentifierType(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Căn cước / CCCD")
    ENTERPRISE_CODE = "enterprise_code", _("Mã số doanh nghiệp")
    PASSPORT = "passport", _("Hộ chiếu")


# Căn cước (Luật Căn cước 2023): 12 digits. Mã số doanh nghiệp (NĐ 01/2021 Art 8): 10 digits, a
# branch or dependent unit adds "-NNN" (also seen written as 13 digits without the dash).
_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    IdentifierType.CITIZEN_ID: re.compile(r"\d{12}"),
    IdentifierType.ENTERPRISE_CODE: re.compile(r"\d{10}(-?\d{3})?"),
    IdentifierType.PASSPORT: re.compile(r"[A-Z0-9]{6,9}"),
}
_IDENTIFIER_VI: Final = {
    IdentifierType.CITIZEN_ID: "Số căn cước phải gồm đúng 12 chữ số.",
    IdentifierType.ENTERPRISE_CODE: "Mã số doanh nghiệp gồm 10 chữ số, có thể kèm “-NNN” cho chi nhánh.",
    IdentifierType.PASSPORT: "Số hộ chiếu gồm 6–9 chữ cái in hoa hoặc chữ số.",
}
_IDENTIFIER_EN: Final = {
    IdentifierType.CITIZEN_ID: "A citizen ID number has exactly 12 digits.",
    IdentifierType.ENTERPRISE_CODE: "An enterprise code has 10 digits, optionally followed by “-NNN”.",
    IdentifierType.PASSPORT: "A passport number has 6–9 capital letters or digits.",
}
# Vietnamese mobiles (03x, 05x, 07x, 08x, 09x + 8 digits) and landlines (02xx + 7-8 digits),
# written with 0, 84 or +84 and any spaces, dots or dashes.
_PHONE: Final = re.compile(r"(?:\+?84|0)([35789]\d{8}|2\d{8,9})")
_SEPARATORS: Final = re.compile(r"[\s.\-()]")


@dataclass(frozen=True, slots=True)
class Person:
    """An applicant or a representative as the services take it (and store it as columns)."""

    full_name: str
    identifier_type: str
    identifier_number: str
    kind: str = ApplicantKind.PERSON
    date_of_birth: dt.date | None = None
    address: str = ""
    commune_id: int | None = None
    phone: str = ""
    email: str = ""


def normalise_phone(raw: str, *, field: str) -> str:
    """``"+84 912.345.678"`` → ``"0912345678"``; ValidationFailed ``invalid_phone`` otherwise."""
    match = _PHONE.fullmatch(_SEPARATORS.sub("", raw))
    if match is None:
        raise ValidationFailed(
            "Số điện thoại không đúng định dạng Việt Nam (ví dụ 0912 345 678).",
            "The phone number is not a Vietnamese number (e.g. 0912 345 678).",
            code="invalid_phone",
            field=field,
        )
    return f"0{match.group(1)}"


_KINDS = frozenset(ApplicantKind.values)  # once: ``Choices.values`` builds a new list each time
_IDENTIFIER_TYPES = frozenset(IdentifierType.values)


def one_of(value: object, allowed: frozenset[str]) -> bool:
    """Whether ``value`` is one of the ``allowed`` choice values (anything but text is not)."""
    return isinstance(value, str) and value in allowed


def clean_person(person: Person, *, field: str) -> Person:
    """The person with normalised values, or ValidationFailed naming ``field.<attribute>``."""
    name = " ".join(person.full_name.split())
    if not name:
        raise ValidationFailed(
            "Cần ghi họ và tên (hoặc tên tổ chức).",
            "The full name (or the organisation's name) is required.",
            code="required",
            field=f"{field}.full_name",
        )
    if not one_of(person.kind, _KINDS):
        raise ValidationFailed(
            "Loại đối tượng không hợp lệ.", "Unknown applicant kind.", code="invalid", field=f"{field}.kind"
        )
    if not one_of(person.identifier_type, _IDENTIFIER_TYPES):
        raise ValidationFailed(
            "Loại giấy tờ định danh không hợp lệ.",
            "Unknown identifier type.",
            code="invalid_identifier_type",
            field=f"{field}.identifier_type",
        )
    kind = IdentifierType(person.identifier_type)
    number = re.sub(r"\s", "", person.identifier_number).upper()
    if not _PATTERNS[kind].fullmatch(number):
        raise ValidationFailed(
            _IDENTIFIER_VI[kind], _IDENTIFIER_EN[kind], code="invalid_identifier", field=f"{field}.number"
        )
    phone = normalise_phone(person.phone, field=f"{field}.phone") if person.phone.strip() else ""
    email = person.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationFailed(
                "Địa chỉ thư điện tử không hợp lệ.",
                "The e-mail address is not valid.",
                code="invalid_email",
                field=f"{field}.email",
            ) from None
    if person.date_of_birth is not None and person.date_of_birth > dt.date.today():
        raise ValidationFailed(
            "Ngày sinh không thể ở tương lai.",
            "The date of birth cannot be in the future.",
            code="invalid_date_of_birth",
            field=f"{field}.date_of_birth",
        )
    return Person(
        full_name=name,
        identifier_type=kind.value,
        identifier_number=number,
        kind=person.kind,
        date_of_birth=person.date_of_birth,
        address=" ".join(person.address.split()),
        commune_id=person.commune_id,
        phone=phone,
        email=email,
    )
