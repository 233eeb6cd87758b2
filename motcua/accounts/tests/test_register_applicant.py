"""Citizen and organisation accounts: registration, e-mail or phone verification, the applicant role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from motcua.accounts import services
from motcua.accounts.models import Membership, Role, User, UserKind, VerificationCode
from motcua.core.errors import ValidationFailed

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _code_from_mail() -> str:
    match = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def test_registration_then_the_e_mailed_code_verifies_and_grants_the_citizen_role(
    db, django_capture_on_commit_callbacks
):
    user = services.register_applicant(
        kind=UserKind.CITIZEN,
        full_name="  Lê  Văn Cường ",
        password="mot-mat-khau-dai-9",
        email="Cuong@Example.vn",
    )
    assert (user.username, user.email, user.full_name, user.is_verified) == (
        "cuong@example.vn",
        "cuong@example.vn",
        "Lê Văn Cường",
        False,
    )
    assert not Membership.objects.filter(user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_verification(user=user, channel="email", at=NOW)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cuong@example.vn"]
    services.confirm_verification(
        user=user, channel="email", code=_code_from_mail(), at=NOW + dt.timedelta(minutes=3)
    )
    user.refresh_from_db()
    assert user.email_verified_at == NOW + dt.timedelta(minutes=3)
    assert user.is_verified is True
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.CITIZEN]


def test_an_organisation_gets_the_organisation_role_by_phone(db):
    user = services.register_applicant(
        kind=UserKind.ORGANISATION,
        full_name="Công ty TNHH Hồng Lĩnh",
        password="mot-mat-khau-dai-9",
        phone="+84 912.345.678",
    )
    assert (user.username, user.phone) == ("0912345678", "0912345678")
    services.send_verification(user=user, channel="phone", at=NOW)
    pending = VerificationCode.objects.get(user=user)
    # The code is stored only as a keyed hash; find it by trying (the test knows the key).
    code = next(
        f"{n:06d}" for n in range(1_000_000) if services._code_hash(user.pk, f"{n:06d}") == pending.code_hash
    )
    services.confirm_verification(user=user, channel="phone", code=code, at=NOW)
    assert list(Membership.objects.filter(user=user).values_list("role", flat=True)) == [Role.ORGANISATION]


def test_wrong_codes_are_counted_and_the_sixth_try_fails_even_with_the_right_code(
    db, django_capture_on_commit_callbacks
):
    user = services.register_applicant(
        kind=UserKind.CITIZEN, full_name="Phạm Dũng", password="mot-mat-khau-dai-9", email="dung@example.vn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.send_verification(user=user, channel="email", at=NOW)
    right = _code_from_mail()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationFailed) as caught:
            services.confirm_verification(user=user, channel="email", code=wrong, at=NOW)
        assert (caught.value.code, caught.value.field) == ("invalid_code", "code")
    assert VerificationCode.objects.get(user=user).attempts == 5
    with pytest.raises(ValidationFailed):
        services.confirm_verification(user=user, channel="email", code=right, at=NOW)
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_an_expired_code_fails_and_a_new_code_is_not_sent_within_a_minute(db):
    user = services.register_applicant(
        kind=UserKind.CITIZEN, full_name="Võ Em", password="mot-mat-khau-dai-9", email="em@example.vn"
    )
    services.send_verification(user=user, channel="email", at=NOW)
    with pytest.raises(ValidationFailed) as caught:
        services.send_verification(user=user, channel="email", at=NOW + dt.timedelta(seconds=30))
    assert caught.value.code == "too_soon"
    with pytest.raises(ValidationFailed) as caught:
        services.confirm_verification(
            user=user, channel="email", code="123456", at=NOW + dt.timedelta(minutes=16)
        )
    assert caught.value.code == "invalid_code"


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"email": "khong-phai-thu"}, "invalid_email", "email"),
        ({"phone": "12345"}, "invalid_phone", "phone"),
        ({}, "required", "email"),
        ({"email": "a@example.vn", "full_name": "  "}, "required", "full_name"),
        ({"email": "a@example.vn", "password": "123"}, "weak_password", "password"),
    ],
)
def test_bad_registrations_name_the_field_and_create_nothing(db, values, code, field):
    arguments = {"kind": UserKind.CITIZEN, "full_name": "Ngô Gia", "password": "mot-mat-khau-dai-9", **values}
    with pytest.raises(ValidationFailed) as caught:
        services.register_applicant(**arguments)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.message_vi and caught.value.message_en
    assert User.objects.count() == 0


def test_the_same_e_mail_cannot_register_twice(db):
    services.register_applicant(
        kind=UserKind.CITIZEN, full_name="A", password="mot-mat-khau-dai-9", email="a@example.vn"
    )
    with pytest.raises(ValidationFailed) as caught:
        services.register_applicant(
            kind=UserKind.CITIZEN, full_name="B", password="mot-mat-khau-dai-9", email="A@example.vn"
        )
    assert caught.value.code == "account_exists"


def test_register_and_verify_through_the_pages(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/tai-khoan/dang-ky/",
            {
                "kind": "citizen",
                "full_name": "Đỗ Hạnh",
                "email": "hanh@example.vn",
                "phone": "",
                "identifier": "042090009999",
                "password": "mot-mat-khau-dai-9",
                "password2": "mot-mat-khau-dai-9",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/tai-khoan/xac-minh/?kenh=email"
    wrong = client.post("/tai-khoan/xac-minh/", {"kenh": "email", "code": "abcdef"})
    assert wrong.status_code == 400
    assert "Mã xác minh không đúng hoặc đã hết hạn." in wrong.content.decode()
    done = client.post("/tai-khoan/xac-minh/", {"kenh": "email", "code": _code_from_mail()})
    assert done.status_code == 302 and done["Location"] == "/ho-so-cua-toi/"
    user = User.objects.get(username="hanh@example.vn")
    assert user.identifier == "042090009999" and user.identity_verified is False
    assert user.is_verified


def test_a_bad_registration_page_shows_the_message_next_to_the_field(client, db):
    response = client.post(
        "/tai-khoan/dang-ky/",
        {
            "kind": "citizen",
            "full_name": "X",
            "email": "",
            "phone": "999",
            "password": "mot-mat-khau-dai-9",
            "password2": "mot-mat-khau-dai-9",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err_phone"' in html
    assert "Số điện thoại di động không đúng định dạng Việt Nam" in html
    assert User.objects.count() == 0
