"""`make demo`'s data: the whole demo loads, and a second run changes nothing."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Membership, Role, User
from motcua.catalog.models import ProcedureVersion
from motcua.demo.loader import DEMO_STAFF, load_demo

pytestmark = pytest.mark.django_db


def test_demo_loads_once_and_reloads_without_duplicates():
    first = load_demo()
    assert first["catalog"]["created"] == 588
    assert [username for username, _ in first["logins"]] == [s[0] for s in DEMO_STAFF] + ["congdan"]
    users, memberships = User.objects.count(), Membership.objects.count()
    versions = ProcedureVersion.objects.count()
    assert users == 11
    assert memberships == 11
    reception = User.objects.get(username="tiepnhan").memberships.get()
    assert reception.role == Role.RECEPTION_OFFICER
    assert reception.one_stop_unit is not None and reception.one_stop_unit.kind == "provincial_centre"

    second = load_demo()
    assert second["units"].get("units") is None  # already loaded
    assert second["calendars"]["days"]["created"] == 0
    assert second["catalog"]["created"] == 0 and second["catalog"]["unchanged"] == 588
    assert (User.objects.count(), Membership.objects.count(), ProcedureVersion.objects.count()) == (
        users,
        memberships,
        versions,
    )
