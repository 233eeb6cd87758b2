"""The one permission gate: roles of SPEC §4.1, scoped to agencies and one-stop units, over time."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.gate import PERMISSIONS, agencies_of, allows, require, roles_of
from motcua.accounts.models import Role
from motcua.core.errors import PermissionRefused

pytestmark = pytest.mark.django_db


def test_handler_may_appraise_only_at_own_agency(make_user, justice_dept, finance_dept):
    handler = make_user("chuyenvien", role=Role.HANDLER, agency_id=justice_dept.pk)
    assert allows(handler, "dossier.appraise", agency_id=justice_dept.pk) is True
    assert allows(handler, "dossier.appraise", agency_id=finance_dept.pk) is False
    assert allows(handler, "dossier.accept", agency_id=justice_dept.pk) is False


def test_role_at_parent_agency_covers_its_departments(make_user, committee, justice_dept):
    leader = make_user("lanhdao", role=Role.DEPT_LEADER, agency_id=committee.pk)
    assert allows(leader, "dossier.assign", agency_id=justice_dept.pk) is True
    department_leader = make_user("lanhdaoso", role=Role.DEPT_LEADER, agency_id=justice_dept.pk)
    assert allows(department_leader, "dossier.assign", agency_id=committee.pk) is False


def test_reception_officer_acts_at_own_centre_and_for_its_owner(make_user, centre, committee, finance_dept):
    officer = make_user("tiepnhan", role=Role.RECEPTION_OFFICER, one_stop_unit_id=centre.pk)
    assert allows(officer, "dossier.accept", one_stop_unit_id=centre.pk) is True
    assert allows(officer, "dossier.accept", agency_id=committee.pk) is True
    assert allows(officer, "dossier.assign", one_stop_unit_id=centre.pk) is False


def test_expired_membership_grants_nothing(make_user, justice_dept):
    user = make_user("cu")
    from motcua.accounts.services import grant_membership

    grant_membership(
        user=user,
        role=Role.HANDLER,
        agency_id=justice_dept.pk,
        valid_from=dt.date(2024, 1, 1),
        valid_to=dt.date(2024, 12, 31),
    )
    assert allows(user, "dossier.appraise", agency_id=justice_dept.pk, at=dt.date(2024, 6, 1)) is True
    assert allows(user, "dossier.appraise", agency_id=justice_dept.pk, at=dt.date(2025, 1, 1)) is False
    assert roles_of(user, at=dt.date(2025, 1, 1)) == set()


def test_inactive_or_anonymous_users_are_refused(make_user, justice_dept):
    from django.contrib.auth.models import AnonymousUser

    user = make_user("nghi", role=Role.HANDLER, agency_id=justice_dept.pk)
    user.is_active = False
    user.save()
    assert allows(user, "dossier.appraise", agency_id=justice_dept.pk) is False
    assert allows(AnonymousUser(), "dossier.view") is False  # type: ignore[arg-type]


def test_require_raises_bilingual_403(make_user, justice_dept):
    citizen = make_user("dan", role=Role.CITIZEN)
    with pytest.raises(PermissionRefused) as refused:
        require(citizen, "dossier.accept", agency_id=justice_dept.pk)
    assert refused.value.status == 403
    assert refused.value.message_vi == "Bạn không có quyền thực hiện thao tác này tại cơ quan, đơn vị này."
    assert refused.value.message_en == "You are not allowed to do this at this agency or unit."


def test_unknown_permission_is_a_programming_error(make_user):
    with pytest.raises(KeyError):
        allows(make_user("x"), "dossier.teleport")


def test_django_has_perm_uses_the_same_gate(make_user, justice_dept, finance_dept):
    handler = make_user("chuyenvien", role=Role.HANDLER, agency_id=justice_dept.pk)
    assert handler.has_perm("motcua.dossier.appraise", justice_dept) is True
    assert handler.has_perm("motcua.dossier.appraise", finance_dept) is False


def test_citizen_roles_never_enter_the_back_office():
    staff_roles = PERMISSIONS["backoffice.enter"]
    assert Role.CITIZEN not in staff_roles
    assert Role.ORGANISATION not in staff_roles
    assert Role.AUTHORISED_REP not in staff_roles
    assert Role.RECEPTION_OFFICER in staff_roles


def test_agencies_of_lists_home_agencies(make_user, justice_dept, centre, committee):
    user = make_user("kiemnhiem", role=Role.HANDLER, agency_id=justice_dept.pk)
    from motcua.accounts.services import grant_membership

    grant_membership(user=user, role=Role.RECEPTION_OFFICER, one_stop_unit_id=centre.pk)
    assert agencies_of(user) == sorted([justice_dept.pk, committee.pk])
