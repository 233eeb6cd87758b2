"""GET /api/v1/procedures and /api/v1/procedures/<code>: public, shapes, search, 404, export."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_list_is_public_and_paginated_by_cursor(client, real_catalog):
    first = client.get("/api/v1/procedures?level=commune").json()
    assert len(first["results"]) == 20
    assert set(first["results"][0]) == {"code", "name", "levels", "field", "online_level"}
    assert (
        first["results"][0]["code"] == "1.000023" or first["results"][0]["code"] < first["results"][1]["code"]
    )
    second = client.get(first["next"]).json()
    assert second["results"][0]["code"] > first["results"][-1]["code"]
    assert client.get("/api/v1/procedures?level=district").json() == {"results": [], "next": None}


def test_search_ranks_by_relevance(client, real_catalog):
    body = client.get("/api/v1/procedures", {"search": "dang ki ket hon"}).json()
    assert body["results"][0]["code"] == "1.000894"
    assert body["results"][0]["name"] == "Thủ tục đăng ký kết hôn"
    filtered = client.get("/api/v1/procedures", {"search": "khai sinh", "field": "Hộ tịch"}).json()
    assert filtered["results"][0]["code"] == "1.001193"


def test_the_detail_has_channels_with_time_limit_and_fees(client, real_catalog):
    response = client.get("/api/v1/procedures/1.000894")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "1.000894"
    assert body["status"] == "published"
    assert body["levels"] == ["commune"]
    channels = {c["channel"]: c for c in body["channels"]}
    assert set(channels) <= {"in_person", "online", "postal"}
    for channel in body["channels"]:
        assert channel["time_limit"] is None or set(channel["time_limit"]) == {"amount", "unit"}
        assert all({"amount", "description"} <= set(fee) for fee in channel["fees"])
    assert body["cases"][0]["components"]
    assert body["legal_bases"][0]["number"]


def test_an_unknown_code_is_a_404_problem(client, db):
    response = client.get("/api/v1/procedures/0.000000")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "procedure_not_found"


def test_the_endpoints_are_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/procedures" in schema["paths"]
    assert "/api/v1/procedures/{code}" in schema["paths"]


def test_export_has_the_api_detail_shape(client, real_catalog, tmp_path):
    out = tmp_path / "export.json"
    call_command("export_procedures", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == 588
    exported = next(item for item in data if item["code"] == "1.000894")
    assert exported == client.get("/api/v1/procedures/1.000894").json()
