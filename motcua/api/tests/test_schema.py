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


def test_schema_generation_has_no_warnings_and_unique_operation_ids():
    """What ``manage.py spectacular --validate --fail-on-warn`` checks, as a test: no warning or error
    (a duplicate operationId or two serializers under one component name make the schema wrong),
    the schema valid OpenAPI 3, and every operationId unique and stable."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    assert (dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)) == ({}, {})
    validate_schema(schema)
    operations = [
        (path, method, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    ids = [operation_id for _, _, operation_id in operations]
    assert len(ids) == len(set(ids))
    by_route = {(path, method): operation_id for path, method, operation_id in operations}
    assert by_route[("/api/v1/reports/index766", "get")] == "v1_reports_index766_retrieve"
    assert (
        by_route[("/api/v1/reports/index766/{indicator}/{part}", "get")]
        == "v1_reports_index766_records_retrieve"
    )
    completion = schema["paths"]["/api/v1/me/dossiers/{dossier_id}/completion"]["post"]
    act = schema["paths"]["/api/v1/dossiers/{dossier_id}/acts/request_completion"]["post"]
    ref = "requestBody", "content", "application/json", "schema", "$ref"

    def component(operation):
        for key in ref:
            operation = operation[key]
        return schema["components"]["schemas"][operation.rsplit("/", 1)[1]]

    assert sorted(component(completion)["properties"]) == ["components"]
    assert sorted(component(act)["properties"]) == ["guidance", "missing_component_ids", "reason", "version"]
