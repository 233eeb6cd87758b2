"""One scenario per life cycle, end to end through the services, with the exact event trail."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Dossier

from .factories import vn

pytestmark = pytest.mark.django_db


def _names(dossier: Dossier) -> list[str]:
    return list(dossier.events.order_by("seq").values_list("name", flat=True))


def test_normal(factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="returned")
    assert _names(dossier) == [
        "accepted",
        "forwarded",
        "assigned",
        "appraised",
        "approved",
        "result_signed",
        "result_issued",
        "result_returned",
    ]
    assert (dossier.state, dossier.national_status, dossier.timeliness) == ("returned", 10, "early")
    assert dossier.result.number == "12/QĐ-STP" and dossier.returned_at is not None
    assert verify_history(dossier.pk) == []


def test_supplement(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.request_supplement(
        dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="A", at=vn(2026, 3, 4, 9)
    )
    services.receive_supplement(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 10, 10))
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 20, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 20, 10))
    done = services.issue_result(
        dossier_id=dossier.pk, actor=world.clerk, number="3/QĐ", at=vn(2026, 3, 24, 9)
    )
    # Late against the first appointment (16/03), on time against the restarted one (24/03).
    assert (done.due_at, done.original_due_at, done.timeliness) == (
        vn(2026, 3, 24, 17, 0),
        vn(2026, 3, 16, 17, 0),
        "on_time",
    )
    assert verify_history(dossier.pk) == []


def test_late_with_apology(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="Chờ xác minh",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 9),
    )
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 18, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 18, 10))
    done = services.issue_result(
        dossier_id=dossier.pk, actor=world.clerk, number="4/QĐ", at=vn(2026, 3, 18, 11)
    )
    assert (done.due_at, done.timeliness) == (vn(2026, 3, 20, 17, 0), "late")
    assert "extended" in _names(done)


def test_inter_agency(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=world.other_agency.pk, budget_amount=2)],
        at=vn(2026, 3, 3, 9),
    )
    task = dossier.tasks.get(agency=world.other_agency)
    services.complete_task(task_id=task.pk, actor=world.coordinator, outcome="agreed", at=vn(2026, 3, 4, 9))
    consultation = services.consult(
        dossier_id=dossier.pk,
        actor=world.handler,
        agency_id=world.other_agency.pk,
        content="Xin ý kiến",
        deadline=vn(2026, 3, 6, 17),
        at=vn(2026, 3, 4, 10),
    )
    assert Dossier.objects.get(pk=dossier.pk).step == "consulting"
    services.answer_consultation(
        consultation_id=consultation.pk, actor=world.coordinator, response="Đồng ý", at=vn(2026, 3, 5, 9)
    )
    back = Dossier.objects.get(pk=dossier.pk)
    assert back.step == "appraising"
    task.refresh_from_db()
    assert task.timeliness == "early"
    assert Dossier.objects.count() == 1


def test_refused_after_appraisal(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    services.propose_refusal(
        dossier_id=dossier.pk, actor=world.handler, reason="Không đủ điều kiện", at=vn(2026, 3, 3, 9)
    )
    refused = services.refuse_after_appraisal(
        dossier_id=dossier.pk, actor=world.approver, reason="Không đủ điều kiện", at=vn(2026, 3, 3, 10)
    )
    assert (refused.state, refused.national_status, refused.timeliness) == (
        "refused_after_appraisal",
        9,
        "early",
    )
    assert refused.events.get(name="refused_after_appraisal").form == "form03"
    returned = services.return_result(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 4, 9))
    assert returned.state == "returned" and refused.result.is_refusal


def test_withdrawn(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    services.request_withdrawal(
        dossier_id=dossier.pk, actor=world.reception, reason="Công dân xin rút", at=vn(2026, 3, 3, 9)
    )
    stopped = services.stop_processing(dossier_id=dossier.pk, actor=world.head, at=vn(2026, 3, 3, 10))
    assert _names(stopped)[-2:] == ["withdrawal_requested", "stopped"]
    assert stopped.finished_at == vn(2026, 3, 3, 10) and stopped.state == "stopped"
