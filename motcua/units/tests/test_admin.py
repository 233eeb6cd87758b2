"""The Django admin of the reference data, through HTTP: folded search, service checks on save."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.units.models import Agency

pytestmark = pytest.mark.django_db


def test_admin_search_folds_accents(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:units_adminunit_changelist"), {"q": "phuong thanh sen"})
    assert response.status_code == 200
    assert "Phường Thành Sen" in response.content.decode()
    response = admin_client.get(reverse("admin:units_adminunit_changelist"), {"q": "Phường Thành Sen"})
    assert "Phường Thành Sen" in response.content.decode()


def test_admin_refuses_an_overlapping_identifier_code(admin_client: Client, demo: dict[str, Any]) -> None:
    committee = Agency.objects.get(identifier_code="000.00.00.H42")
    response = admin_client.post(
        reverse("admin:units_agency_add"),
        {
            "identifier_code": "000.00.12.H42",
            "name": "Sở Tư pháp (bản sao)",
            "short_name": "",
            "kind": "department",
            "admin_unit": committee.admin_unit_id,
            "parent": committee.pk,
            "successor": "",
            "valid_from": "",
            "valid_to": "",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Identifier code 000.00.12.H42 is already used by" in page
    assert Agency.objects.filter(identifier_code="000.00.12.H42").count() == 1
    for model in ("agency", "onestopunit", "unitsuccession"):
        url = reverse(f"admin:units_{model}_changelist")
        assert admin_client.get(url, {"q": "ha tinh"}).status_code == 200
    centre = admin_client.get(reverse("admin:units_onestopunit_changelist"), {"q": "trung tam phuc vu"})
    assert "Trung tâm Phục vụ hành chính công tỉnh Hà Tĩnh" in centre.content.decode()
