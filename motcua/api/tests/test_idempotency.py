"""Idempotency-Key on every create and act: once per key, the stored answer replayed, reuse refused."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.models import IdempotencyRecord
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import vn

from .test_dossiers_api import _intake_body

pytestmark = pytest.mark.django_db


def test_the_same_create_twice_opens_one_dossier(world, frozen, as_user):
    client = as_user(world.reception)
    headers = {"Idempotency-Key": "counter-1-0001"}
    first = client.post("/api/v1/dossiers", _intake_body(world), format="json", headers=headers)
    again = client.post("/api/v1/dossiers", _intake_body(world), format="json", headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert (first.get("Idempotent-Replayed"), again["Idempotent-Replayed"]) == (None, "true")
    assert Dossier.objects.count() == 1


def test_the_same_key_with_another_body_is_422_and_changes_nothing(world, frozen, as_user):
    client = as_user(world.reception)
    headers = {"Idempotency-Key": "k-1"}
    client.post("/api/v1/dossiers", _intake_body(world), format="json", headers=headers)
    other = _intake_body(world, summary="khác")
    reused = client.post("/api/v1/dossiers", other, format="json", headers=headers)
    assert reused.status_code == 422
    assert reused["Content-Type"] == "application/problem+json"
    assert reused.json()["code"] == "idempotency_key_reused"
    assert (
        reused.json()["detail_en"] == "This Idempotency-Key was used for a different request; use a new key."
    )
    assert Dossier.objects.count() == 1


def test_an_act_retried_with_its_key_is_done_once(world, factory, as_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    client = as_user(world.reception)
    url = f"/api/v1/dossiers/{dossier.pk}/acts/forward"
    body = {"version": dossier.version}
    first = client.post(url, body, format="json", headers={"Idempotency-Key": "fwd-1"})
    again = client.post(url, body, format="json", headers={"Idempotency-Key": "fwd-1"})
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["version"] == first.json()["version"] == dossier.version + 1
    assert DossierEvent.objects.filter(dossier=dossier, act="forward").count() == 1
    without_key = client.post(url, body, format="json")
    assert (without_key.status_code, without_key.json()["code"]) == (409, "stale_dossier")


def test_a_failed_request_keeps_nothing_and_may_be_retried_with_its_key(world, factory, as_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    client = as_user(world.reception)
    url = f"/api/v1/dossiers/{dossier.pk}/acts/forward"
    stale = client.post(url, {"version": 1}, format="json", headers={"Idempotency-Key": "f"})
    assert stale.status_code == 409
    assert IdempotencyRecord.objects.count() == 0
    fixed = client.post(url, {"version": dossier.version}, format="json", headers={"Idempotency-Key": "f"})
    assert fixed.status_code == 200


def test_keys_belong_to_their_client_and_expire(world, frozen, as_user, settings):
    headers = {"Idempotency-Key": "shared"}
    as_user(world.reception).post("/api/v1/dossiers", _intake_body(world), format="json", headers=headers)
    record = IdempotencyRecord.objects.get()
    assert record.owner == f"user:{world.reception.pk}"
    assert record.expires_at - record.created_at == dt.timedelta(hours=settings.MOTCUA_IDEMPOTENCY_TTL_HOURS)
    frozen.shift(dt.timedelta(hours=settings.MOTCUA_IDEMPOTENCY_TTL_HOURS, seconds=1))
    # Expired: the key starts afresh (a new dossier), and with another body it is no longer refused.
    again = as_user(world.reception).post(
        "/api/v1/dossiers", _intake_body(world, summary="mới"), format="json", headers=headers
    )
    assert again.status_code == 201
    assert again.get("Idempotent-Replayed") is None
    assert Dossier.objects.count() == 2


def test_a_malformed_key_is_400(world, frozen, as_user):
    response = as_user(world.reception).post(
        "/api/v1/dossiers", _intake_body(world), format="json", headers={"Idempotency-Key": "x" * 256}
    )
    assert (response.status_code, response.json()["code"]) == (400, "invalid_idempotency_key")
    assert Dossier.objects.count() == 0
