"""Supplement during processing (T13/T14; SPEC scenarios 13, 14, 15)."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import ClockEvent, Dossier, DossierEvent

from .factories import make_procedure, vn

pytestmark = pytest.mark.django_db


def _appraising(factory):
    return factory.create(
        at=vn(2026, 3, 2, 8), trait="appraising", step=__import__("datetime").timedelta(minutes=10)
    )


def _template_ids(world):
    return list(world.version.cases.get().components.values_list("pk", flat=True))


def test_scenario_13_restart_keeps_the_original_and_status_4_5_4(factory, world):
    dossier = _appraising(factory)
    assert dossier.due_at == vn(2026, 3, 16, 17, 0) and dossier.national_status == 4
    waiting = services.request_supplement(
        dossier_id=dossier.pk,
        actor=world.handler,
        reason="Thiếu trích lục",
        missing_component_ids=_template_ids(world)[:1],
        at=vn(2026, 3, 4, 9),
    )
    assert (waiting.state, waiting.national_status, waiting.step) == (
        "processing_supplement_requested",
        5,
        "appraising",
    )
    assert waiting.events.get(name="supplement_requested").form == "form02"
    back = services.receive_supplement(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 10, 10))
    assert (back.state, back.national_status, back.step) == ("in_processing", 4, "appraising")
    assert back.due_at == vn(2026, 3, 24, 17, 0)
    assert back.original_due_at == vn(2026, 3, 16, 17, 0)
    event = back.events.get(name="supplement_received")
    assert event.form == "form01" and event.data["due_at"].startswith("2026-03-24T17:00:00")
    assert list(ClockEvent.objects.filter(dossier=dossier).values_list("kind", flat=True)) == [
        "start",
        "supplement_requested",
        "supplement_received",
    ]


def test_pause_policy_keeps_the_time_used(world, factory):
    paused = make_procedure("1.000099.H42", policy="pause")
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", version=paused)
    services.request_supplement(
        dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="Bổ sung", at=vn(2026, 3, 4, 9)
    )
    back = services.receive_supplement(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 10, 10))
    assert back.due_at == vn(2026, 3, 20, 17, 0)  # SPEC W7, PAUSE variant


def test_scenario_14_window_passed_needs_a_legal_basis_and_is_flagged(factory, world):
    dossier = _appraising(factory)
    before = Dossier.objects.filter(pk=dossier.pk).values().get()
    with pytest.raises(ValidationFailed) as refused:
        services.request_supplement(
            dossier_id=dossier.pk,
            actor=world.handler,
            reason="Thiếu",
            guidance="Bổ sung",
            at=vn(2026, 3, 6, 9),
        )
    assert (
        refused.value.code == "supplement_window_passed" and refused.value.extra["window_end"] == "2026-03-05"
    )
    assert Dossier.objects.filter(pk=dossier.pk).values().get() == before
    done = services.request_supplement(
        dossier_id=dossier.pk,
        actor=world.handler,
        reason="Thiếu",
        guidance="Bổ sung",
        override_basis="Luật Đất đai 2024 Điều 12",
        at=vn(2026, 3, 6, 9),
    )
    assert done.supplement_outside_window is True
    data = done.events.get(name="supplement_requested").data
    assert data["outside_window"] is True and data["override_basis"] == "Luật Đất đai 2024 Điều 12"


def test_scenario_15_second_request_warns_then_flags(factory, world):
    dossier = _appraising(factory)
    services.request_supplement(
        dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="A", at=vn(2026, 3, 3, 9)
    )
    services.receive_supplement(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 4, 9))
    count = DossierEvent.objects.filter(dossier=dossier).count()
    with pytest.raises(ValidationFailed) as warned:
        services.request_supplement(
            dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="B", at=vn(2026, 3, 5, 9)
        )
    assert warned.value.code == "second_supplement_request" and "một lần" in warned.value.message_vi
    assert DossierEvent.objects.filter(dossier=dossier).count() == count
    again = services.request_supplement(
        dossier_id=dossier.pk,
        actor=world.handler,
        reason="Thiếu",
        guidance="B",
        confirm_repeat=True,
        at=vn(2026, 3, 5, 9),
    )
    assert again.supplement_requested_twice is True
    assert again.events.get(name="supplement_requested", seq=count + 1).data["repeat"] is True


def test_only_the_assigned_handler_may_request(factory, world, make_user):
    from motcua.accounts.models import Role
    from motcua.core.errors import PermissionRefused

    from .factories import staff

    other = staff(make_user, Role.HANDLER, "thuly2", agency_id=world.agency.pk)
    dossier = _appraising(factory)
    with pytest.raises(PermissionRefused):
        services.request_supplement(
            dossier_id=dossier.pk, actor=other, reason="Thiếu", guidance="A", at=vn(2026, 3, 3, 9)
        )
