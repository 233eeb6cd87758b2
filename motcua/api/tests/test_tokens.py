"""API tokens: issued by an administrator (command or admin), hashed, scoped, revocable, locked out."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from motcua.accounts.models import ApiToken
from motcua.accounts.tokens import issue_token, revoke_token
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_only_the_hash_is_stored_and_the_token_works_until_revoked(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    token, raw = issue_token(
        user=world.reception, name="Cổng DVC tỉnh", permissions=["dossier.view", "dossier.forward"]
    )
    assert raw.startswith(f"mc_{token.prefix}_")
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    client = _bearer(raw)
    assert client.get(f"/api/v1/dossiers/{dossier.pk}").status_code == 200
    revoke_token(token_id=token.pk)
    refused = client.get(f"/api/v1/dossiers/{dossier.pk}")
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_token")
    assert refused["WWW-Authenticate"] == 'Bearer realm="motcua"'


def test_an_expired_token_is_refused(world, factory, time_machine):
    time_machine.move_to(vn(2026, 3, 2, 8), tick=False)
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    _token, raw = issue_token(
        user=world.reception, name="x", permissions=["dossier.view"], expires_at=vn(2026, 3, 3, 8)
    )
    assert _bearer(raw).get(f"/api/v1/dossiers/{dossier.pk}").status_code == 200
    time_machine.move_to(vn(2026, 3, 3, 8, 1), tick=False)
    assert _bearer(raw).get(f"/api/v1/dossiers/{dossier.pk}").json()["code"] == "invalid_token"


def test_a_token_may_only_do_what_it_was_issued_for(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    _token, read_only = issue_token(user=world.reception, name="đọc", permissions=["dossier.view"])
    refused = _bearer(read_only).post(
        f"/api/v1/dossiers/{dossier.pk}/acts/forward", {"version": dossier.version}, format="json"
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    dossier.refresh_from_db()
    assert dossier.state == "received"
    _token, full = issue_token(
        user=world.reception, name="đủ", permissions=["dossier.view", "dossier.forward"]
    )
    done = _bearer(full).post(
        f"/api/v1/dossiers/{dossier.pk}/acts/forward", {"version": dossier.version}, format="json"
    )
    assert (done.status_code, done.json()["state"]) == (200, "in_processing")


def test_a_token_scoped_to_another_agency_sees_and_does_nothing_here(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    _token, raw = issue_token(
        user=world.leader,
        name="phòng khác",
        permissions=["dossier.view", "dossier.assign"],
        agency_ids=[world.other_agency.pk],
    )
    client = _bearer(raw)
    assert client.get("/api/v1/dossiers").json()["results"] == []
    assert client.get(f"/api/v1/dossiers/{dossier.pk}").status_code == 404
    # Its forms and fees too (they read through the same narrowing as the detail).
    seq = dossier.events.get(form="form01").seq
    for url in (f"/api/v1/dossiers/{dossier.pk}/forms/{seq}", f"/api/v1/dossiers/{dossier.pk}/fees"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "dossier_not_found"), url
    _token, here = issue_token(
        user=world.leader,
        name="đúng cơ quan",
        permissions=["dossier.view", "dossier.assign"],
        agency_ids=[world.agency.pk],
    )
    assert [d["id"] for d in _bearer(here).get("/api/v1/dossiers").json()["results"]] == [dossier.pk]
    assert _bearer(here).get(f"/api/v1/dossiers/{dossier.pk}/forms/{seq}").status_code == 200
    assert _bearer(here).get(f"/api/v1/dossiers/{dossier.pk}/fees").status_code == 200


def test_repeated_token_failures_lock_the_address_out(world, settings):
    settings.MOTCUA_API_TOKEN_FAILURE_LIMIT = 3
    _token, raw = issue_token(user=world.reception, name="x", permissions=["dossier.view"])
    wrong = _bearer("mc_deadbeef_wrong")
    codes = [wrong.get("/api/v1/dossiers").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    locked = _bearer(raw).get("/api/v1/dossiers")
    assert (locked.status_code, locked.json()["code"]) == (429, "token_locked_out")


def test_issuing_refuses_unknown_permissions_and_past_expiry(world):
    with pytest.raises(ValidationFailed) as unknown:
        issue_token(user=world.reception, name="x", permissions=["dossier.fly"])
    assert unknown.value.code == "unknown_permission"
    with pytest.raises(ValidationFailed) as past:
        issue_token(
            user=world.reception,
            name="x",
            permissions=["dossier.view"],
            expires_at=clock.now() - dt.timedelta(minutes=1),
        )
    assert past.value.code == "invalid_expiry"
    assert ApiToken.objects.count() == 0


def test_the_command_issues_lists_and_revokes(world):
    out = io.StringIO()
    call_command(
        "api_token",
        "issue",
        "--user",
        world.reception.username,
        "--name",
        "Cổng DVC",
        "--permission",
        "dossier.view",
        "--agency",
        world.agency.identifier_code,
        "--days",
        "30",
        stdout=out,
    )
    first, raw = out.getvalue().splitlines()
    token = ApiToken.objects.get()
    assert first.startswith(f"id={token.pk} ")
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert list(token.agencies.values_list("pk", flat=True)) == [world.agency.pk]
    listed = io.StringIO()
    call_command("api_token", "list", stdout=listed)
    assert listed.getvalue().split("\t")[:5] == [
        str(token.pk),
        token.prefix,
        "Cổng DVC",
        "tiepnhan",
        "active",
    ]
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_shows_the_token_once(world, admin_client):
    response = admin_client.post(
        "/quan-tri/accounts/apitoken/add/",
        {
            "name": "Hệ thống DVCQG",
            "user": world.reception.pk,
            "permissions_text": "dossier.view\ndossier.accept",
            "expires_at_0": "2030-01-01",
            "expires_at_1": "00:00:00",
            "agencies": [world.agency.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m.rsplit(": ", 1)[1] for m in shown if "mc_" in m)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.permissions == ["dossier.accept", "dossier.view"]
    assert list(token.agencies.values_list("pk", flat=True)) == [world.agency.pk]
