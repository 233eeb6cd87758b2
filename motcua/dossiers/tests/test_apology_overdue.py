"""Apology deadline watch (SPEC §6.1 rule 11, scenario 16) and ``manage.py warn_deadlines``."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import dossiers_apology_overdue, dossiers_due_within
from motcua.notifications.models import Message

from .factories import make_procedure, staff, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def five_day(world, factory):
    """Four 5-working-day dossiers accepted Mon 09/03/2026 (due Mon 16/03) and one due later."""
    version = make_procedure("1.000016.H42", amount=5)
    gap = dt.timedelta(minutes=5)

    def make(**kwargs):
        return factory.create(at=vn(2026, 3, 9, 8), trait="appraising", version=version, step=gap, **kwargs)

    late = make()
    apologised = make()
    services.apologise_and_extend(
        dossier_id=apologised.pk,
        actor=world.leader,
        reason="Cần xác minh thực địa",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 16),
    )
    finished = make()
    services.approve(dossier_id=finished.pk, actor=world.approver, at=vn(2026, 3, 13, 9))
    services.sign_result(dossier_id=finished.pk, actor=world.approver, at=vn(2026, 3, 13, 9))
    services.issue_result(dossier_id=finished.pk, actor=world.clerk, number="9/QĐ", at=vn(2026, 3, 13, 9))
    later = factory.create(at=vn(2026, 3, 10, 8), trait="appraising", version=version, step=gap)
    return {"late": late, "apologised": apologised, "finished": finished, "later": later}


def _ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def test_scenario_16_listed_from_the_end_of_friday(five_day):
    late = five_day["late"]
    assert late.due_at == vn(2026, 3, 16, 17, 0)
    assert services.apology_deadline_end(late) == vn(2026, 3, 13, 17, 0)
    assert _ids(dossiers_apology_overdue(at=vn(2026, 3, 13, 16, 59))) == []
    assert _ids(dossiers_apology_overdue(at=vn(2026, 3, 13, 17, 0))) == [late.pk]
    assert _ids(dossiers_apology_overdue(at=vn(2026, 3, 14, 8))) == [late.pk]
    # Tue 17/03 ends the apology day of the dossier accepted on Tue 10/03 (due Wed 18/03).
    assert _ids(dossiers_apology_overdue(at=vn(2026, 3, 17, 17))) == sorted([late.pk, five_day["later"].pk])


def test_due_within_working_days(five_day):
    late, later = five_day["late"], five_day["later"]
    # Fri 13/03 10:00: one working day ahead is Mon 16/03.
    assert _ids(dossiers_due_within(working_days=1, at=vn(2026, 3, 13, 10))) == [late.pk]
    assert _ids(dossiers_due_within(working_days=2, at=vn(2026, 3, 13, 10))) == sorted([late.pk, later.pk])
    assert _ids(dossiers_due_within(working_days=0, at=vn(2026, 3, 16, 9))) == [late.pk]
    assert _ids(dossiers_due_within(working_days=1, at=vn(2026, 3, 16, 17, 30))) == [later.pk]


def test_warn_deadlines_once_per_day_to_leaders_and_heads(
    world, five_day, make_user, django_capture_on_commit_callbacks
):
    world.leader.email = "lanhdao@stp.hatinh.gov.vn"
    world.leader.save()
    world.head.email = "truongbp@hatinh.gov.vn"
    world.head.save()
    staff(make_user, Role.DEPT_LEADER, "phogiamdoc", agency_id=world.agency.pk)  # no e-mail
    late = five_day["late"]
    version = Dossier.objects.get(pk=late.pk).version
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("warn_deadlines", "--at", "2026-03-14T08:00:00+07:00", stdout=out)
    assert out.getvalue().strip() == (
        "apology overdue: 1; consultations overdue: 0; warnings recorded: 1; already warned today: 0; "
        "e-mails queued: 2; recipients without e-mail: 1"
    )
    warning = DossierEvent.objects.get(dossier=late, name="apology_overdue_warned")
    assert (warning.act, warning.actor_id, warning.actor_role, warning.at) == (
        "urge",
        None,
        "system",
        vn(2026, 3, 14, 8),
    )
    assert warning.data["day"] == "2026-03-14"
    assert sorted(warning.data["notified"]) == sorted([world.leader.pk, world.head.pk])
    assert Dossier.objects.get(pk=late.pk).version == version  # a notice changes nothing
    assert verify_history(late.pk) == []
    messages = Message.objects.filter(template_key="dossier.apology_overdue")
    assert sorted(messages.values_list("recipient", flat=True)) == [
        "lanhdao@stp.hatinh.gov.vn",
        "truongbp@hatinh.gov.vn",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["lanhdao@stp.hatinh.gov.vn", "truongbp@hatinh.gov.vn"]
    body = messages.get(recipient="lanhdao@stp.hatinh.gov.vn").body
    assert body.startswith("Kính gửi Lanhdao,")
    assert (
        "Hạn gửi thư xin lỗi, hẹn lại (chậm nhất 01 ngày trước ngày hết hạn): 17 giờ 00 phút, ngày 13/03/2026"
        in body
    )

    again = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("warn_deadlines", "--at", "2026-03-14T20:00:00+07:00", stdout=again)
    assert "warnings recorded: 0; already warned today: 1; e-mails queued: 0" in again.getvalue()
    assert DossierEvent.objects.filter(name="apology_overdue_warned").count() == 1
    assert Message.objects.filter(template_key="dossier.apology_overdue").count() == 2
    assert len(mail.outbox) == 2

    call_command("warn_deadlines", "--at", "2026-03-16T08:00:00+07:00", stdout=StringIO())
    assert DossierEvent.objects.filter(dossier=late, name="apology_overdue_warned").count() == 2
