"""Acceptance (T2 at the counter, T7 online): code, Form 01, the clock (SPEC scenarios 1, 2, 29)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import ClockEvent, CodeCounter, Dossier, DossierEvent
from motcua.workflow import RoleNotAllowed

from .factories import make_procedure, vn

pytestmark = pytest.mark.django_db


def test_scenario_1_tet_carry_over(world):
    with time_machine.travel(vn(2026, 2, 13, 14, 0), tick=False):
        dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception)
    assert dossier.code == "000.00.12.H38-260213-0001"
    assert dossier.state == "received" and dossier.national_status == 2
    assert dossier.received_at == vn(2026, 2, 13, 14, 0)
    assert dossier.due_at == vn(2026, 3, 6, 17, 0)
    assert dossier.original_due_at == vn(2026, 3, 6, 17, 0)
    assert dossier.receiving_agency.identifier_code == "000.00.12.H38"
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.seq, event.act, event.name, event.form) == (1, "accept", "accepted", "form01")
    assert (event.state_before, event.state_after, event.actor_role) == (
        "new",
        "received",
        "reception_officer",
    )
    assert ClockEvent.objects.filter(dossier=dossier).values_list("kind", flat=True).get() == "start"
    assert verify_history(dossier.pk) == []


def test_scenario_2_sequence_per_agency_and_day_resets_daily(world):
    codes = [
        services.receive_at_counter(
            intake=world.intake(), actor=world.reception, at=vn(2026, 2, 13, 8, i)
        ).code
        for i in range(7)
    ]
    assert codes[6] == "000.00.12.H38-260213-0007"
    assert codes == [f"000.00.12.H38-260213-{n:04d}" for n in range(1, 8)]
    first = services.receive_at_counter(
        intake=world.intake(), actor=world.reception, at=vn(2026, 2, 23, 7, 30)
    )
    assert first.code == "000.00.12.H38-260223-0001"


def test_code_day_is_the_vietnam_date_not_utc(world):
    # 06:30 on 23/02 in Hà Nội is 23:30 on 22/02 in UTC.
    dossier = services.receive_at_counter(
        intake=world.intake(), actor=world.reception, at=vn(2026, 2, 23, 6, 30)
    )
    assert dossier.code == "000.00.12.H38-260223-0001"


def test_online_submission_gets_a_temporary_reference_then_a_code(world):
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    assert submitted.code is None and submitted.received_at is None and submitted.due_at is None
    assert submitted.temporary_reference.startswith("TMP-")
    assert (submitted.state, submitted.national_status, submitted.submitted_by) == (
        "submitted",
        1,
        world.citizen,
    )
    accepted = services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    assert accepted.code == "000.00.12.H38-260302-0001"
    assert accepted.received_at == vn(2026, 3, 2, 10) and accepted.submitted_at == vn(2026, 3, 2, 8)
    assert accepted.due_at == vn(2026, 3, 16, 17, 0)
    assert list(accepted.events.values_list("name", flat=True)) == ["submitted", "accepted"]


def test_a_refused_acceptance_changes_nothing_and_consumes_no_number(world):
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    before = Dossier.objects.filter(pk=submitted.pk).values().get()
    with pytest.raises(RoleNotAllowed):
        services.accept_dossier(dossier_id=submitted.pk, actor=world.handler, at=vn(2026, 3, 2, 9))
    assert Dossier.objects.filter(pk=submitted.pk).values().get() == before
    assert DossierEvent.objects.filter(dossier=submitted).count() == 1
    assert not CodeCounter.objects.exists()
    accepted = services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    assert accepted.code.endswith("-0001")


def test_missing_required_component_refuses_acceptance(world):
    intake = world.intake(components=world.intake().components[:1])
    with pytest.raises(ValidationFailed) as refused:
        services.receive_at_counter(intake=intake, actor=world.reception, at=vn(2026, 3, 2, 9))
    assert refused.value.code == "missing_components"
    assert not Dossier.objects.exists() and not CodeCounter.objects.exists()


def test_reception_officer_of_another_unit_is_refused(world, make_user, centre):
    from motcua.accounts.models import Role
    from motcua.accounts.services import grant_membership

    elsewhere = make_user("noikhac")
    grant_membership(user=elsewhere, role=Role.RECEPTION_OFFICER, one_stop_unit_id=centre.pk)
    with pytest.raises(PermissionRefused):
        services.receive_at_counter(intake=world.intake(), actor=elsewhere, at=vn(2026, 3, 2, 9))
    assert not Dossier.objects.exists()


def test_scenario_29_version_frozen_at_acceptance(world):
    old = make_procedure("1.000029.H42", amount=15, effective_from=dt.date(2025, 1, 1))
    dossier = services.receive_at_counter(
        intake=world.intake(version=old), actor=world.reception, at=vn(2026, 3, 30, 9)
    )
    make_procedure(amount=10, effective_from=dt.date(2026, 4, 1), procedure=old.procedure)
    old.refresh_from_db()
    assert old.status == "superseded"
    # Processing in April: the dossier keeps the 15-working-day limit of its version.
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 4, 2, 9))
    dossier.refresh_from_db()
    assert dossier.procedure_version_id == old.pk
    assert (dossier.time_limit_amount, dossier.time_limit_unit) == (15, "working_day")
    # 15 working days from Mon 30/03/2026: day 1 = Tue 31/03 … day 15 = Mon 20/04 (10 days: Mon 13/04).
    assert dossier.due_at == vn(2026, 4, 20, 17, 0)
    # A new intake in April is opened under the new version, and the old one is refused.
    with pytest.raises(ValidationFailed) as refused:
        services.receive_at_counter(
            intake=world.intake(version=old), actor=world.reception, at=vn(2026, 4, 2, 10)
        )
    assert refused.value.code == "version_not_in_force"


def test_stale_expected_version_is_a_conflict_and_changes_nothing(factory, world):
    from motcua.core.errors import Conflict

    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(Conflict) as stale:
        services.approve(
            dossier_id=dossier.pk,
            actor=world.approver,
            at=vn(2026, 3, 3, 9),
            expected_version=dossier.version - 1,
        )
    assert stale.value.status == 409 and stale.value.code == "stale_dossier"
    assert stale.value.message_vi.startswith("Hồ sơ đã được cán bộ khác cập nhật")
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    done = services.approve(
        dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 3, 9), expected_version=dossier.version
    )
    assert done.version == dossier.version + 1 and done.step == "signing"
