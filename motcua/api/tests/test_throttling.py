"""Rate limits (cache backed): anonymous callers per address, clients per user; 429 problem."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from motcua.accounts.tokens import issue_token
from motcua.api.throttling import AnonymousRate, ClientRate

pytestmark = pytest.mark.django_db


def test_anonymous_callers_are_limited_per_address(province, monkeypatch):
    monkeypatch.setattr(AnonymousRate, "rate", "3/minute", raising=False)
    client = APIClient()
    codes = [client.get("/api/v1/units/provinces").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/units/provinces")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    other_address = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other_address.get("/api/v1/units/provinces").status_code == 200


def test_clients_are_limited_per_user(world, monkeypatch):
    monkeypatch.setattr(ClientRate, "rate", "2/minute", raising=False)
    _token, raw = issue_token(user=world.reception, name="x", permissions=["dossier.view"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    codes = [client.get("/api/v1/dossiers").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
