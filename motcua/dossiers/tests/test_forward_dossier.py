"""Forwarding (T9) and the 15:00 rule (SPEC scenario 6), and inter-agency tasks (T18, scenarios 19-20)."""

from __future__ import annotations

import pytest
from django.db.models import Q

from motcua.dossiers import selectors, services
from motcua.dossiers.models import Dossier, ProcessingTask
from motcua.workflow import State

from .factories import vn

pytestmark = pytest.mark.django_db


def test_scenario_6_accepted_after_15_may_be_handed_over_next_morning(world):
    late = services.receive_at_counter(
        intake=world.intake(), actor=world.reception, at=vn(2026, 3, 3, 15, 20)
    )
    early = services.receive_at_counter(
        intake=world.intake(), actor=world.reception, at=vn(2026, 3, 3, 14, 20)
    )
    assert late.handover_due_at == vn(2026, 3, 4, 7, 0)
    assert early.handover_due_at == vn(2026, 3, 3, 17, 0)
    assert late.paper_handover_due_at == early.paper_handover_due_at == vn(2026, 3, 4, 17, 0)
    forwarded = services.forward_dossier(dossier_id=late.pk, actor=world.reception, at=vn(2026, 3, 4, 7, 0))
    event = forwarded.events.get(name="forwarded")
    assert event.data["is_handover_late"] is False
    assert forwarded.forwarded_at == vn(2026, 3, 4, 7, 0)
    assert (forwarded.state, forwarded.step, forwarded.national_status) == (
        "in_processing",
        "awaiting_assignment",
        4,
    )
    breached = services.forward_dossier(dossier_id=early.pk, actor=world.reception, at=vn(2026, 3, 4, 7, 0))
    assert breached.events.get(name="forwarded").data["is_handover_late"] is True


def test_forward_opens_a_lead_task_at_the_competent_agency(world):
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    task = ProcessingTask.objects.get(dossier=dossier)
    assert (task.agency, task.is_lead, task.budget_amount, task.budget_unit) == (
        world.agency,
        True,
        10,
        "working_day",
    )
    assert task.due_at == vn(2026, 3, 16, 17, 0)


def test_scenario_19_tax_office_step_late_while_dossier_on_time(world, make_agency, make_user):
    from motcua.accounts.models import Role

    from .factories import staff

    tax = make_agency("000.00.31.H42", "Chi cục Thuế khu vực")
    tax_officer = staff(make_user, Role.COORDINATOR, "thue", agency_id=tax.pk)
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[
            services.TaskInput(
                agency_id=world.agency.pk, name="Sở Nông nghiệp và Môi trường", budget_amount=6
            )
        ],
        at=vn(2026, 3, 2, 10),
    )
    services.assign_handler(
        dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk, at=vn(2026, 3, 2, 11)
    )
    services.appraise(
        dossier_id=dossier.pk, actor=world.handler, opinion="Đủ điều kiện", at=vn(2026, 3, 3, 9)
    )
    lead = ProcessingTask.objects.get(dossier=dossier, agency=world.agency)
    services.complete_task(task_id=lead.pk, actor=world.handler, outcome="done", at=vn(2026, 3, 5, 16))
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=tax.pk, name="Xác định nghĩa vụ thuế", budget_amount=3)],
        at=vn(2026, 3, 5, 16, 30),
    )
    tax_task = ProcessingTask.objects.get(dossier=dossier, agency=tax)
    assert tax_task.due_at == vn(2026, 3, 10, 17, 0)
    assert tax_task.from_agency == world.agency
    services.complete_task(task_id=tax_task.pk, actor=tax_officer, outcome="done", at=vn(2026, 3, 12, 10))
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 13, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 13, 10))
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="5/QĐ", at=vn(2026, 3, 16, 9))
    dossier.refresh_from_db()
    tax_task.refresh_from_db()
    lead.refresh_from_db()
    assert dossier.due_at == vn(2026, 3, 16, 17, 0)
    assert dossier.timeliness == "on_time"
    assert tax_task.timeliness == "late"
    assert lead.timeliness == "early"
    # Scenario 20: one citizen dossier, counted once, however many agencies worked on it.
    assert Dossier.objects.count() == 1 and dossier.parent is None
    assert ProcessingTask.objects.filter(dossier=dossier).count() == 2
    # Only the tax office's task is work at a third agency (what gives its staff the dossier).
    assert (lead.third_agency, tax_task.third_agency) == (False, True)
    assert list(selectors.visible_dossiers(tax_officer)) == [dossier]
    # Narrowed to a page's dossiers (``within``): the same rows as filtering afterwards.
    returned = Q(state=State.RESULT_READY)
    assert list(selectors.visible_dossiers(tax_officer, within=returned)) == [dossier]
    assert list(selectors.visible_dossiers(tax_officer, within=Q(state=State.RECEIVED))) == []


def test_task_budget_from_the_internal_process(world, make_agency):
    from decimal import Decimal

    from motcua.catalog.models import InternalProcess, ProcessStep

    tax = make_agency("000.00.31.H42", "Chi cục Thuế khu vực")
    process = InternalProcess.objects.create(version=world.version, province_code="42")
    ProcessStep.objects.create(
        process=process,
        position=1,
        step_code="T",
        name="Thuế",
        performer_role="coordinator",
        agency=tax,
        budget_amount=Decimal("3"),
        budget_unit="working_day",
    )
    ProcessStep.objects.create(
        process=process,
        position=2,
        step_code="T2",
        name="Thuế (kiểm tra)",
        performer_role="coordinator",
        agency=tax,
        budget_amount=Decimal("4"),
        budget_unit="working_hour",
    )
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=tax.pk)],
        at=vn(2026, 3, 2, 10),
    )
    task = ProcessingTask.objects.get(dossier=dossier, agency=tax)
    assert (task.budget_amount, task.budget_unit) == (28, "working_hour")
