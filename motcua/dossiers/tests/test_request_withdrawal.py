"""Withdrawal and stop (T23a/b, T15; SPEC scenario 23)."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.workflow import ActNotAllowed

from .factories import vn

pytestmark = pytest.mark.django_db


def test_scenario_23_online_withdrawal_then_stop_form_05(world):
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    asked = services.request_withdrawal(
        dossier_id=submitted.pk, actor=world.citizen, reason="Không còn nhu cầu", at=vn(2026, 3, 3, 9)
    )
    assert (asked.state, asked.national_status) == ("withdrawal_requested", 7)
    assert asked.events.get(name="withdrawal_requested").actor_role == "citizen"
    stopped = services.stop_processing(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 3, 10))
    assert (stopped.state, stopped.national_status) == ("stopped", 8)
    assert stopped.finished_at == vn(2026, 3, 3, 10)
    assert stopped.events.get(name="stopped").form == "form05"
    assert stopped.timeliness is None


def test_scenario_23_withdrawal_refused_once_result_ready(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready")
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    count = DossierEvent.objects.filter(dossier=dossier).count()
    with pytest.raises(ActNotAllowed):
        services.request_withdrawal(
            dossier_id=dossier.pk, actor=world.reception, reason="Rút", at=vn(2026, 3, 5, 9)
        )
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    assert DossierEvent.objects.filter(dossier=dossier).count() == count


def test_another_citizen_cannot_withdraw_someone_elses_dossier(world, make_user):
    from motcua.accounts.models import Role
    from motcua.accounts.services import grant_membership
    from motcua.workflow import RoleNotAllowed

    stranger = make_user("nguoila")
    grant_membership(user=stranger, role=Role.CITIZEN)
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 9))
    with pytest.raises(RoleNotAllowed):
        services.request_withdrawal(dossier_id=submitted.pk, actor=stranger, reason="x", at=vn(2026, 3, 3, 9))


def test_t15_no_supplement_in_time_stops_with_a_reason(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.request_supplement(
        dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="A", at=vn(2026, 3, 3, 9)
    )
    # T15: the handler (or the one-stop unit) stops a dossier whose supplement never came.
    with pytest.raises(ValidationFailed) as no_reason:
        services.stop_processing(dossier_id=dossier.pk, actor=world.handler, at=vn(2026, 4, 3, 9))
    assert no_reason.value.field == "reason"
    stopped = services.stop_processing(
        dossier_id=dossier.pk, actor=world.handler, reason="Quá hạn bổ sung", at=vn(2026, 4, 3, 9)
    )
    assert stopped.state == "stopped" and stopped.events.last().reason == "Quá hạn bổ sung"
