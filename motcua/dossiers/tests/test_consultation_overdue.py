"""An unanswered consultation past its deadline (T12, ND61 Art 19(5)): the one-stop head is told."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.selectors import consultations_overdue
from motcua.notifications.models import Message

from .factories import staff, vn

pytestmark = pytest.mark.django_db


def _consult(world, dossier, agency, at):
    return services.consult(
        dossier_id=dossier.pk,
        actor=world.handler,
        agency_id=agency.pk,
        content="Xin ý kiến về nghĩa vụ tài chính",
        deadline=vn(2026, 3, 6, 17),
        at=at,
    )


def test_overdue_consultations_listed_and_warned_once_a_day(world, factory, make_agency, make_user):
    world.head.email = "truongbp@hatinh.gov.vn"
    world.head.save()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", step=dt.timedelta(minutes=10))
    police = make_agency("000.00.40.H42", "Công an tỉnh Hà Tĩnh")
    police_officer = staff(make_user, Role.COORDINATOR, "congan", agency_id=police.pk)
    open_one = _consult(world, dossier, police, vn(2026, 3, 3, 9))
    answered = _consult(world, dossier, world.other_agency, vn(2026, 3, 3, 9, 5))
    services.answer_consultation(
        consultation_id=answered.pk, actor=world.coordinator, response="Không có ý kiến", at=vn(2026, 3, 6, 9)
    )
    assert list(consultations_overdue(at=vn(2026, 3, 6, 17))) == []
    assert list(consultations_overdue(at=vn(2026, 3, 6, 17, 1))) == [open_one]

    out = StringIO()
    call_command("warn_deadlines", "--at", "2026-03-09T07:00:00", stdout=out)
    assert out.getvalue().strip() == (
        "apology overdue: 0; consultations overdue: 1; warnings recorded: 1; already warned today: 0; "
        "e-mails queued: 1; recipients without e-mail: 1"
    )
    warning = DossierEvent.objects.get(dossier=dossier, name="consultation_overdue_warned")
    assert (warning.data["consultation_id"], warning.data["agency_id"], warning.data["day"]) == (
        open_one.pk,
        police.pk,
        "2026-03-09",
    )
    message = Message.objects.get(template_key="dossier.consultation_overdue")
    assert message.recipient == "truongbp@hatinh.gov.vn"
    assert "Công an tỉnh Hà Tĩnh chưa trả lời văn bản xin ý kiến của Sở Tư pháp" in message.body

    call_command("warn_deadlines", "--at", "2026-03-09T16:00:00", stdout=StringIO())
    assert DossierEvent.objects.filter(name="consultation_overdue_warned").count() == 1
    assert Message.objects.filter(template_key="dossier.consultation_overdue").count() == 1

    services.answer_consultation(
        consultation_id=open_one.pk, actor=police_officer, response="Đã xác minh", at=vn(2026, 3, 9, 17)
    )
    assert list(consultations_overdue(at=vn(2026, 3, 10, 8))) == []
