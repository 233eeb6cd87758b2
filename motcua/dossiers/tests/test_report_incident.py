"""A lost or damaged dossier (T24, ND61 Art 21(2)): recorded with the reason, state kept, apology sent."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import ClockEvent, Dossier, DossierEvent
from motcua.notifications.models import Message

from .factories import staff, vn

pytestmark = pytest.mark.django_db

LOST = "Bản chính giấy chứng sinh bị thất lạc khi chuyển hồ sơ giấy"


def _snapshot(dossier_id):
    return (
        Dossier.objects.filter(pk=dossier_id).values().get(),
        DossierEvent.objects.filter(dossier_id=dossier_id).count(),
        ClockEvent.objects.filter(dossier_id=dossier_id).count(),
    )


def test_handler_reports_a_lost_dossier_state_kept_applicant_gets_an_apology(
    factory, world, django_capture_on_commit_callbacks
):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", step=dt.timedelta(minutes=10))
    before = Dossier.objects.get(pk=dossier.pk)
    clocks = ClockEvent.objects.filter(dossier=dossier).count()
    with django_capture_on_commit_callbacks(execute=True):
        reported = services.report_incident(
            dossier_id=dossier.pk,
            actor=world.handler,
            reason=f"  {LOST}  ",
            at=vn(2026, 3, 4, 10),
            expected_version=before.version,
        )
    assert (reported.state, reported.step) == ("in_processing", "appraising")
    assert (reported.due_at, reported.original_due_at) == (before.due_at, before.original_due_at)
    assert reported.version == before.version + 1
    event = reported.events.order_by("-seq").first()
    assert (event.act, event.name, event.reason, event.actor_role, event.form) == (
        "report_incident",
        "incident_reported",
        LOST,
        "handler",
        "",
    )
    assert (event.state_before, event.state_after) == ("in_processing", "in_processing")
    assert ClockEvent.objects.filter(dossier=dossier).count() == clocks
    assert verify_history(dossier.pk) == []
    messages = Message.objects.filter(
        template_key="dossier.incident_reported", subject_type="dossier", subject_id=str(dossier.pk)
    )
    assert sorted(messages.values_list("channel", "recipient")) == [
        ("email", "an@example.vn"),
        ("sms", "+84912345678"),
    ]
    email = messages.get(channel="email")
    assert email.subject == f"Hồ sơ {dossier.code}: thư xin lỗi"
    assert "chân thành xin lỗi" in email.body and f"Sự việc: {LOST}." in email.body


def test_reception_reports_at_the_counter_before_forwarding(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    reported = services.report_incident(
        dossier_id=dossier.pk, actor=world.reception, reason="Hồ sơ giấy bị ướt", at=vn(2026, 3, 2, 9)
    )
    assert reported.state == "received"
    assert reported.events.order_by("-seq").first().actor_role == "reception_officer"


def test_refused_reports_change_nothing(factory, world, make_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", step=dt.timedelta(minutes=10))
    outsider = staff(make_user, Role.HANDLER, "thuly-khac", agency_id=world.other_agency.pk)
    before = _snapshot(dossier.pk)
    for actor, error, code in (
        (world.citizen, PermissionRefused, "role_not_allowed"),
        (outsider, PermissionRefused, "role_not_allowed"),
        (world.handler, ValidationFailed, "required"),
    ):
        with pytest.raises(error) as refused:
            services.report_incident(dossier_id=dossier.pk, actor=actor, reason=" ", at=vn(2026, 3, 4))
        assert refused.value.code == code
        assert _snapshot(dossier.pk) == before
    finished = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready", step=dt.timedelta(minutes=10))
    with pytest.raises(ValidationFailed) as closed:
        services.report_incident(dossier_id=finished.pk, actor=world.handler, reason=LOST, at=vn(2026, 3, 4))
    assert closed.value.code == "act_not_allowed_in_state"
