"""The dossier world of ``motcua.dossiers.tests`` (places, staff, a published procedure), a counter
with a queue prefix, and a frozen clock on a working Monday morning."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import vn
from motcua.units.models import Counter

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
def counter(world) -> Counter:  # noqa: F811
    return Counter.objects.create(
        one_stop_unit=world.centre, number=1, name="Quầy 1 — Tư pháp", queue_prefix="A"
    )


def login(client, user) -> None:
    client.force_login(user)


def at(day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return vn(2026, 3, day, hour, minute)
