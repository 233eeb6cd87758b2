"""Incomplete intake (T3 at the counter, T5 online): Form 02 listing everything, no code, no clock
(SPEC scenarios 3 and 5)."""

from __future__ import annotations

import pytest
from django.core import mail

from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import ClockEvent, CodeCounter, Dossier, DossierEvent
from motcua.notifications.models import Message

from .factories import vn

pytestmark = pytest.mark.django_db


def _templates(world):
    return list(world.version.cases.get().components.order_by("position"))


def test_scenario_3_counter_guidance_lists_all_missing_without_code_or_clock(world):
    first, second = _templates(world)
    dossier = services.request_completion(
        intake=world.intake(components=()),
        actor=world.reception,
        reason="Thiếu giấy tờ bắt buộc",
        missing_component_ids=[first.pk, second.pk],
        at=vn(2026, 3, 2, 9),
    )
    assert (dossier.state, dossier.code, dossier.received_at, dossier.due_at) == (
        "intake_supplement_requested",
        None,
        None,
        None,
    )
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.name, event.form, event.state_before) == ("completion_requested", "form02", "new")
    assert [m["name"] for m in event.data["missing"]] == ["Thành phần 1", "Thành phần 2"]
    assert not ClockEvent.objects.exists() and not CodeCounter.objects.exists()
    assert Dossier.objects.exclude(received_at=None).count() == 0


def test_reason_and_missing_list_are_required(world):
    with pytest.raises(ValidationFailed) as no_reason:
        services.request_completion(
            intake=world.intake(components=()), actor=world.reception, reason=" ", at=vn(2026, 3, 2, 9)
        )
    assert no_reason.value.field == "reason"
    with pytest.raises(ValidationFailed) as no_list:
        services.request_completion(
            intake=world.intake(components=()), actor=world.reception, reason="Thiếu", at=vn(2026, 3, 2, 9)
        )
    assert no_list.value.field == "missing_component_ids"
    assert not Dossier.objects.exists()


def test_scenario_5_online_incomplete_notifies_and_keeps_no_received_at(
    world, django_capture_on_commit_callbacks
):
    first, _ = _templates(world)
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    with django_capture_on_commit_callbacks(execute=True):
        dossier = services.request_completion(
            dossier_id=submitted.pk,
            actor=world.reception,
            reason="Bản sao chưa chứng thực",
            missing_component_ids=[first.pk],
            guidance="Nộp bản sao có chứng thực",
            at=vn(2026, 3, 2, 10),
        )
    assert dossier.state == "intake_supplement_requested" and dossier.national_status == 1
    assert dossier.received_at is None and dossier.code is None
    messages = Message.objects.filter(template_key="dossier.completion_requested")
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]
    assert any("Bản sao chưa chứng thực" in m.body for m in mail.outbox)
    # T6 then T7: the completed dossier comes back and is accepted.
    services.resubmit_dossier(dossier_id=dossier.pk, actor=world.citizen, at=vn(2026, 3, 3, 8))
    accepted = services.accept_dossier(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 3, 9))
    assert accepted.code == "000.00.12.H38-260303-0001"


def test_scenario_4_refusal_at_intake_form_03_terminal(world):
    refused = services.refuse_at_intake(
        intake=world.intake(), actor=world.reception, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 2, 9)
    )
    assert (refused.state, refused.national_status, refused.code) == ("intake_refused", 3, None)
    event = refused.events.get()
    assert (event.form, event.reason) == ("form03", "Không thuộc thẩm quyền")
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    online = services.refuse_at_intake(
        dossier_id=submitted.pk, actor=world.reception, reason="Sai thẩm quyền", at=vn(2026, 3, 2, 10)
    )
    assert online.national_status == 3
    with pytest.raises(ValidationFailed):
        services.accept_dossier(dossier_id=online.pk, actor=world.reception, at=vn(2026, 3, 2, 11))
