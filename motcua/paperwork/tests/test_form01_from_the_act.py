"""Form 01 data right after an acceptance (ADR 0032): built from the rows the act wrote and left on
the dossier (components, fee lines, the event and its actor), it is the Form 01 read back from the
database, and it reads nothing: the deadline explanation is the one the act kept in its event
(decision 0055)."""

from __future__ import annotations

import pytest

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import make_procedure, vn
from motcua.paperwork.from_dossier import form01_for

pytestmark = pytest.mark.django_db


def test_form01_from_the_act_is_form01_read_back(world, django_assert_num_queries):
    version = make_procedure("1.000032.H42", fee=50_000)
    dossier = services.receive_at_counter(
        intake=world.intake(version=version), actor=world.reception, at=vn(2026, 3, 2, 9)
    )
    with django_assert_num_queries(0):
        from_act = form01_for(dossier)
    read_back = form01_for(Dossier.objects.get(pk=dossier.pk))
    assert from_act == read_back
    assert from_act.due_explanation == dossier.events.get().data["due_explanation"]
    assert from_act.due_explanation == (
        "10 ngày làm việc kể từ 09:00 02/03/2026; không tính các ngày nghỉ cuối tuần; "
        "hạn trả kết quả 17:00 16/03/2026."
    )
    assert [(f.name, f.amount) for f in from_act.fees] == [("Lệ phí", 50_000)]
    assert [c.name for c in from_act.components] == ["Thành phần 1", "Thành phần 2"]
    assert from_act.officer.name == (world.reception.full_name or world.reception.username)


def test_a_reprint_after_the_calendar_changed_keeps_the_explanation_the_receipt_gave(
    world, make_user, committee
):
    import datetime as dt

    from motcua.accounts.models import Role
    from motcua.deadlines.models import DayKind
    from motcua.deadlines.services import set_calendar_day

    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    given = form01_for(dossier)
    controller = make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)
    set_calendar_day(  # a day off declared later, inside the count: today it would give 17/03
        actor=controller,
        province_code=None,
        day=dt.date(2026, 3, 10),
        kind=DayKind.DAY_OFF,
        name_vi="Ngày nghỉ bổ sung",
        name_en="Added day off",
        legal_basis="Quyết định thử nghiệm",
    )
    reprinted = form01_for(Dossier.objects.get(pk=dossier.pk))
    assert reprinted.due_at == given.due_at == vn(2026, 3, 16, 17)
    assert (
        reprinted.due_explanation
        == given.due_explanation
        == (
            "10 ngày làm việc kể từ 09:00 02/03/2026; không tính các ngày nghỉ cuối tuần; "
            "hạn trả kết quả 17:00 16/03/2026."
        )
    )
