"""Petitions and ratings are built on the dossiers' test world (places, staff, a published procedure)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.accounts.models import Role
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff
from motcua.feedback.services import PetitionInput


@pytest.fixture(autouse=True)
def _fresh_attempt_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def controller(make_user, committee):
    """The provincial procedure-control office: handles petitions anywhere in the province."""
    return staff(make_user, Role.PROCEDURE_CONTROLLER, "kiemsoat", agency_id=committee.pk)


def petition_input(**overrides) -> PetitionInput:
    values = {
        "kind": "reflection",
        "topic": 1,
        "title": "Chậm trả kết quả chứng thực",
        "content": "Hồ sơ của tôi đã quá hẹn ba ngày mà chưa có kết quả.",
        "name": "Trần Thị Bình",
        "identifier": "042190005678",
        "phone": "0987 654 321",
        "email": "binh@example.vn",
        "address": "Thôn 2, xã Thạch Hà, tỉnh Hà Tĩnh",
    }
    values.update(overrides)
    return PetitionInput(**values)
