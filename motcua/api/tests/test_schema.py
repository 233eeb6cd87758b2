"""The API's own plumbing: the OpenAPI schema and problem details for errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "motcua API"
    assert "/api/v1/units/provinces" in schema["paths"]


def test_provinces_are_public(client, province):
    response = client.get("/api/v1/units/provinces")
    assert response.status_code == 200
    assert response.json() == [{"code": "42", "name": "Hà Tĩnh", "full_name": "Tỉnh Hà Tĩnh", "name_en": ""}]


def test_errors_are_problem_details_in_two_languages():
    from rest_framework.exceptions import NotAuthenticated

    from motcua.api.errors import problem_exception_handler
    from motcua.core.errors import Conflict

    conflict = problem_exception_handler(
        Conflict(
            "Hồ sơ đã được người khác xử lý.", "Someone else already acted on this dossier.", code="stale"
        ),
        {},
    )
    assert conflict is not None
    assert conflict.status_code == 409
    assert conflict.content_type == "application/problem+json"
    assert conflict.data == {
        "type": "https://motcua.example/problems/stale",
        "title": "Someone else already acted on this dossier.",
        "status": 409,
        "code": "stale",
        "detail": "Hồ sơ đã được người khác xử lý.",
        "detail_vi": "Hồ sơ đã được người khác xử lý.",
        "detail_en": "Someone else already acted on this dossier.",
    }
    anonymous = problem_exception_handler(NotAuthenticated(), {})
    assert anonymous is not None
    assert anonymous.data["code"] == "not_authenticated"
    assert anonymous.data["detail_en"] == "Authentication required."
