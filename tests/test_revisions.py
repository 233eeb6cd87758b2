"""The reference revision (decision 0043): every write to the watched tables, by any route,
replaces the token, and what a process keeps under the old token is not used again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.accounts import gate
from motcua.accounts.models import Membership, Role
from motcua.core import revisions
from motcua.core.models import Revision
from motcua.units.models import Agency, OfficeHours, OneStopUnit

pytestmark = pytest.mark.django_db


def _token() -> str | None:
    return revisions.token(revisions.REFERENCE)


def test_the_watched_tables_are_the_ones_with_triggers():
    assert revisions.WATCHED[revisions.REFERENCE] == (
        "accounts_membership",
        "units_adminunit",
        "units_agency",
        "units_onestopunit",
        "units_officehours",
        "units_counter",
    )
    assert revisions.WATCHED[revisions.CATALOG] == (
        "catalog_field",
        "catalog_procedure",
        "catalog_procedureversion",
        "catalog_internalprocess",
        "catalog_processstep",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE %s",
                ["%_revision"],
            )
        else:
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", ["%_revision_%"]
            )
        tables = {row[0] for row in cursor.fetchall()}
    assert tables == {*revisions.WATCHED[revisions.REFERENCE], *revisions.WATCHED[revisions.CATALOG]}


def test_every_kind_of_write_replaces_the_token(committee, centre, make_user):
    seen = [_token()]

    def changed() -> bool:
        now = _token()
        fresh = now is not None and now not in seen
        seen.append(now)
        return fresh

    user = make_user("canbo")
    assert changed() is False  # users are not reference data
    membership = Membership.objects.create(user=user, role=Role.HANDLER, agency=committee)
    assert changed()
    membership.is_standby = True
    membership.save()
    assert changed()
    Membership.objects.filter(pk=membership.pk).update(valid_to=dt.date(2020, 1, 1))  # bypasses save()
    assert changed()
    Agency.objects.filter(pk=committee.pk).update(short_name="UBND")
    assert changed()
    OfficeHours.objects.create(one_stop_unit=centre, weekday=0)
    assert changed()
    OneStopUnit.objects.filter(pk=centre.pk).update(name="Trung tâm mới")
    assert changed()
    Membership.objects.filter(pk=membership.pk).delete()
    assert changed()
    assert Revision.objects.filter(name=revisions.REFERENCE).count() == 1


def test_memberships_are_read_once_per_revision_and_again_after_any_write(committee, justice_dept, make_user):
    user = make_user("canbo2", role=Role.HANDLER, agency_id=justice_dept.pk)
    day = dt.date(2026, 3, 3)
    first = gate.memberships_on(user, at=day)
    assert [(m.role, m.agency_id) for m in first] == [("handler", justice_dept.pk)]
    with CaptureQueriesContext(connection) as same:
        again = gate.memberships_on(user, at=day)
    assert [(m.role, m.agency_id) for m in again] == [("handler", justice_dept.pk)]
    assert len(same.captured_queries) == 1  # the token only
    assert gate.allows(user, "dossier.appraise", agency_id=justice_dept.pk, at=day) is True
    # Revoked behind the services' back (a bulk update): refused at the very next check.
    Membership.objects.filter(user=user).update(valid_to=dt.date(2026, 3, 1))
    assert gate.memberships_on(user, at=day) == []
    assert gate.allows(user, "dossier.appraise", agency_id=justice_dept.pk, at=day) is False


def test_without_the_revision_row_nothing_is_kept(justice_dept, make_user):
    user = make_user("canbo3", role=Role.HANDLER, agency_id=justice_dept.pk)
    Revision.objects.filter(name=revisions.REFERENCE).delete()
    day = dt.date(2026, 3, 3)
    assert len(gate.memberships_on(user, at=day)) == 1
    with CaptureQueriesContext(connection) as twice:
        gate.memberships_on(user, at=day)
    assert len(twice.captured_queries) == 2  # the (missing) token, then the memberships again
