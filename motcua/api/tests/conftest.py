"""The dossier world of ``motcua.dossiers.tests``, API clients per role, and a frozen clock."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import vn

NOW = vn(2026, 3, 2, 9, 0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def as_user():
    """``as_user(user)``: an API client signed in as ``user`` (a session, as pages use)."""

    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make
