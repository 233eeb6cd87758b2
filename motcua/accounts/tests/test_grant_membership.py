from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Membership, Role
from motcua.accounts.services import grant_membership
from motcua.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_overlapping_membership_is_refused_and_nothing_saved(make_user, justice_dept):
    user = make_user("a")
    grant_membership(
        user=user,
        role=Role.HANDLER,
        agency_id=justice_dept.pk,
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationFailed) as error:
        grant_membership(
            user=user,
            role=Role.HANDLER,
            agency_id=justice_dept.pk,
            valid_from=dt.date(2026, 6, 1),
            valid_to=None,
        )
    assert error.value.code == "overlapping_membership"
    assert "trùng" in error.value.message_vi
    assert Membership.objects.filter(user=user).count() == 1


def test_disjoint_periods_are_fine(make_user, justice_dept):
    user = make_user("b")
    grant_membership(
        user=user,
        role=Role.HANDLER,
        agency_id=justice_dept.pk,
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    grant_membership(user=user, role=Role.HANDLER, agency_id=justice_dept.pk, valid_from=dt.date(2026, 1, 1))
    assert Membership.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("role", "place", "code"),
    [
        (Role.RECEPTION_OFFICER, {}, "one_stop_unit_required"),
        (Role.HANDLER, {}, "agency_required"),
    ],
)
def test_scope_is_required(make_user, role, place, code):
    with pytest.raises(ValidationFailed) as error:
        grant_membership(user=make_user("c"), role=role, **place)
    assert error.value.code == code


def test_both_scopes_refused(make_user, justice_dept, centre):
    with pytest.raises(ValidationFailed) as error:
        grant_membership(
            user=make_user("d"), role=Role.HANDLER, agency_id=justice_dept.pk, one_stop_unit_id=centre.pk
        )
    assert error.value.code == "two_scopes"


def test_end_before_start_refused(make_user, justice_dept):
    with pytest.raises(ValidationFailed) as error:
        grant_membership(
            user=make_user("e"),
            role=Role.HANDLER,
            agency_id=justice_dept.pk,
            valid_from=dt.date(2026, 2, 1),
            valid_to=dt.date(2026, 1, 1),
        )
    assert error.value.code == "invalid_period"
