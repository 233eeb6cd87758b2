"""The admin's membership forms obey ``grant_membership``'s rules (``check_membership``)."""

from __future__ import annotations

import re

import pytest

from motcua.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db

ADD = "/quan-tri/accounts/membership/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("quantri", "quantri@example.vn", "mat-khau-an-toan-9"))
    return client


def _errors(response) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", e).strip()
        for e in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    ]


def test_an_inspector_without_an_agency_is_refused_and_with_one_is_saved(admin_client, make_user, committee):
    user = make_user("thanhtra")
    before = list(Membership.objects.values_list("user_id", "role", "agency_id"))
    refused = admin_client.post(ADD, {"user": user.pk, "role": Role.INSPECTOR, "valid_from": "2026-03-01"})
    assert refused.status_code == 200  # the form again, with the error
    assert "Vai trò này phải gắn với một cơ quan." in _errors(refused)
    assert list(Membership.objects.values_list("user_id", "role", "agency_id")) == before
    bad_period = admin_client.post(
        ADD,
        {
            "user": user.pk,
            "role": Role.INSPECTOR,
            "agency": committee.pk,
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
        },
    )
    assert "Ngày hết hiệu lực phải sau ngày bắt đầu." in _errors(bad_period)
    saved = admin_client.post(
        ADD, {"user": user.pk, "role": Role.INSPECTOR, "agency": committee.pk, "valid_from": "2026-03-01"}
    )
    assert saved.status_code == 302
    assert Membership.objects.filter(user=user, role=Role.INSPECTOR, agency=committee).count() == 1
