"""Scenario 30: pending work of an abolished district agency goes to its successor (decision 0010)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_with_abolished_agency
from motcua.units.models import AdminUnit, Agency, AgencyKind, Level, OneStopKind, OneStopUnit

from .factories import applicant, staff, vn

pytestmark = pytest.mark.django_db

ABOLISHED = dt.date(2025, 6, 30)


@pytest.fixture
def legacy(world, make_user, province):
    """The Thạch Hà district (abolished 30/06/2025), its one-stop unit and staff, and its successor,
    the commune committee of the world (the commune centre returns results from 01/07/2025)."""
    old_province = AdminUnit.objects.create(
        code="42", level=Level.PROVINCE, name="Hà Tĩnh", full_name="Tỉnh Hà Tĩnh", valid_to=ABOLISHED
    )
    district = AdminUnit.objects.create(
        code="436",
        level=Level.DISTRICT,
        name="Thạch Hà",
        full_name="Huyện Thạch Hà",
        parent=old_province,
        valid_to=ABOLISHED,
    )
    successor = world.centre.agency
    agency = Agency.objects.create(
        identifier_code="000.00.36.H42",
        name="UBND huyện Thạch Hà",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=district,
        valid_to=ABOLISHED,
        successor=successor,
        name_folded="ubnd huyen thach ha",
    )
    unit = OneStopUnit.objects.create(
        code="bpmc-thach-ha",
        name="Bộ phận Một cửa huyện Thạch Hà",
        kind=OneStopKind.DISTRICT_RECEPTION,
        agency=agency,
        admin_unit=district,
        valid_to=ABOLISHED,
    )
    until = {"valid_to": ABOLISHED}
    return {
        "agency": agency,
        "unit": unit,
        "successor": successor,
        "reception": staff(
            make_user, Role.RECEPTION_OFFICER, "bpmc-huyen", one_stop_unit_id=unit.pk, **until
        ),
        "leader": staff(make_user, Role.DEPT_LEADER, "ld-huyen", agency_id=agency.pk, **until),
        "handler": staff(make_user, Role.HANDLER, "cv-huyen", agency_id=agency.pk, **until),
        "new_leader": staff(make_user, Role.DEPT_LEADER, "ld-xa", agency_id=successor.pk),
        "new_handler": staff(make_user, Role.HANDLER, "cv-xa", agency_id=successor.pk),
    }


def _pending_at_district(world, legacy):
    dossier = services.receive_at_counter(
        intake=world.intake(
            received_at_unit_id=legacy["unit"].pk,
            competent_agency_id=legacy["agency"].pk,
            applicant=applicant(),
        ),
        actor=legacy["reception"],
        at=vn(2025, 6, 20, 9),
    )
    services.forward_dossier(dossier_id=dossier.pk, actor=legacy["reception"], at=vn(2025, 6, 20, 10))
    services.assign_handler(
        dossier_id=dossier.pk, actor=legacy["leader"], handler_id=legacy["handler"].pk, at=vn(2025, 6, 20, 11)
    )
    return Dossier.objects.get(pk=dossier.pk)


def test_successor_handler_acts_while_the_district_stays_the_receiving_unit(world, legacy):
    dossier = _pending_at_district(world, legacy)
    assert dossier.code == "000.00.36.H42-250620-0001"
    in_2026 = vn(2026, 3, 2, 9)
    # Before the hand-over the successor's handler cannot touch it.
    with pytest.raises(PermissionRefused):
        services.appraise(dossier_id=dossier.pk, actor=legacy["new_handler"], opinion="Đủ", at=in_2026)
    assert list(dossiers_with_abolished_agency(at=in_2026)) == [dossier]
    assert list(dossiers_with_abolished_agency(at=vn(2025, 6, 30, 16))) == []

    moved = services.transfer_to_successor(dossier_id=dossier.pk, actor=legacy["new_leader"], at=in_2026)
    assert moved.competent_agency == legacy["successor"]
    assert (moved.state, moved.step) == ("in_processing", "assigned")
    assert (moved.received_at_unit, moved.receiving_agency, moved.code) == (
        legacy["unit"],
        legacy["agency"],
        "000.00.36.H42-250620-0001",
    )
    assert moved.return_unit == world.centre  # the district unit no longer returns results
    old_task, new_task = moved.tasks.order_by("position")
    assert (old_task.agency, old_task.outcome, old_task.completed_at) == (
        legacy["agency"],
        "transferred",
        in_2026,
    )
    assert old_task.timeliness == "late"
    assert (new_task.agency, new_task.from_agency, new_task.is_lead, new_task.assignee) == (
        legacy["successor"],
        legacy["agency"],
        True,
        None,
    )
    assert (new_task.started_at, new_task.budget_amount) == (in_2026, old_task.budget_amount)
    # The old agency still received the dossier; the successor now decides it: neither is a third.
    assert (old_task.third_agency, new_task.third_agency) == (False, False)
    event = moved.events.order_by("-seq").first()
    assert (event.act, event.name, event.actor_role) == ("forward", "transferred_to_successor", "dept_leader")
    assert event.data["competent_agency"] == {"from": legacy["agency"].pk, "to": legacy["successor"].pk}
    assert list(dossiers_with_abolished_agency(at=in_2026)) == []

    services.assign_handler(
        dossier_id=dossier.pk,
        actor=legacy["new_leader"],
        handler_id=legacy["new_handler"].pk,
        at=vn(2026, 3, 2, 10),
    )
    done = services.appraise(
        dossier_id=dossier.pk, actor=legacy["new_handler"], opinion="Đủ điều kiện", at=vn(2026, 3, 2, 11)
    )
    assert done.step == "appraising"
    assert done.received_at_unit.name == "Bộ phận Một cửa huyện Thạch Hà"
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("name", flat=True)) == [
        "accepted",
        "forwarded",
        "assigned",
        "transferred_to_successor",
        "assigned",
        "appraised",
    ]
    assert verify_history(dossier.pk) == []


def test_the_system_hands_over_and_refusals_change_nothing(world, legacy, factory):
    dossier = _pending_at_district(world, legacy)
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(PermissionRefused):  # a handler does not take over; the leader or the system does
        services.transfer_to_successor(dossier_id=dossier.pk, actor=legacy["new_handler"], at=vn(2026, 3, 2))
    with pytest.raises(ValidationFailed) as early:  # still in force on 30/06/2025: nothing moves
        services.transfer_to_successor(dossier_id=dossier.pk, actor=legacy["new_leader"], at=vn(2025, 6, 30))
    assert early.value.code == "nothing_to_transfer"
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    moved = services.transfer_to_successor(dossier_id=dossier.pk, actor=None, at=vn(2025, 7, 1, 7))
    assert moved.competent_agency == legacy["successor"]
    assert moved.events.order_by("-seq").first().actor_role == "system"
    current = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    with pytest.raises(ValidationFailed) as nothing:
        services.transfer_to_successor(dossier_id=current.pk, actor=None, at=vn(2026, 3, 2, 10))
    assert nothing.value.code == "nothing_to_transfer"
