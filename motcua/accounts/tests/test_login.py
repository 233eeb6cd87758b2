"""Login through HTTP: one message for every failure, lockout after repeated failures, logout everywhere."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import Role

pytestmark = pytest.mark.django_db

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_staff_login_lands_on_staff_home_with_agency_and_roles(client, make_user, justice_dept):
    make_user("chuyenvien", role=Role.HANDLER, agency_id=justice_dept.pk)
    response = login(client, "chuyenvien", "mat-khau-an-toan-9")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:home")
    page = client.get(reverse("backoffice:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sở Tư pháp" in html
    assert "000.00.12.H42" in html
    assert "Chuyên viên thụ lý" in html


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    make_user("canbo", role=None)
    wrong_password = login(client, "canbo", "sai-mat-khau-1")
    unknown_user = login(client, "khongco", "sai-mat-khau-1")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG in response.content.decode()


def test_lockout_after_five_failures_even_with_the_right_password(client, make_user):
    make_user("khoa", role=None)
    for _ in range(5):
        login(client, "khoa", "sai-mat-khau-1")
    locked = login(client, "khoa", "mat-khau-an-toan-9")
    assert locked.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_citizen_account_cannot_enter_staff_pages(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 403


def test_staff_home_requires_login(client):
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_logout_everywhere_ends_other_sessions_but_keeps_this_one(make_user, justice_dept):
    make_user("hai", role=Role.HANDLER, agency_id=justice_dept.pk)
    phone, desk = Client(), Client()
    assert login(phone, "hai", "mat-khau-an-toan-9").status_code == 302
    assert login(desk, "hai", "mat-khau-an-toan-9").status_code == 302
    response = desk.post(reverse("accounts:logout_everywhere"))
    assert response.status_code == 302
    assert desk.get(reverse("backoffice:home")).status_code == 200
    assert phone.get(reverse("backoffice:home")).status_code == 302


def test_password_rules_refuse_short_and_common_passwords(client, make_user, justice_dept):
    make_user("doimk", role=Role.HANDLER, agency_id=justice_dept.pk)
    login(client, "doimk", "mat-khau-an-toan-9")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "mat-khau-an-toan-9", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert len(errors) == 3  # too short, too common, entirely numeric
