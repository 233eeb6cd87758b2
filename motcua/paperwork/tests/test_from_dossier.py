"""Forms built from dossiers walked through the real services (SPEC §11 scenarios 1, 3, 16, 19, 23)."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.deadlines.arithmetic import Timeliness, TimeUnit
from motcua.deadlines.selectors import explained_due
from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent, ProcessingTask
from motcua.dossiers.tests.factories import make_procedure, vn
from motcua.paperwork.context import (
    Form01Receipt,
    Form02Completion,
    Form03Refusal,
    Form04Apology,
    Form05StopNotice,
    Form06ControlSlip,
)
from motcua.paperwork.from_dossier import (
    FormNotAvailable,
    context_for_event,
    form01_for,
    form02_for,
    form04_for,
    form05_for,
    form06_for,
    tracking_url,
)
from motcua.paperwork.render import render_pdf

from .pdf_tools import flat, pdf_text

pytestmark = pytest.mark.django_db


def _event(dossier, name: str) -> DossierEvent:
    return DossierEvent.objects.select_related("actor", "dossier").get(dossier=dossier, name=name)


def test_scenario_1_form01_from_the_accepted_dossier(world, settings):
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.hatinh.example"
    dossier = services.receive_at_counter(
        intake=world.intake(), actor=world.reception, at=vn(2026, 2, 13, 14, 0)
    )
    form = context_for_event(_event(dossier, "accepted"))
    assert isinstance(form, Form01Receipt)
    assert form == form01_for(dossier)
    assert form.code == "000.00.12.H38-260213-0001"
    assert form.tracking_url == ("https://dichvucong.hatinh.example/tra-cuu/?ma=000.00.12.H38-260213-0001")
    assert (form.received_at, form.due_at) == (vn(2026, 2, 13, 14, 0), vn(2026, 3, 6, 17, 0))
    assert form.time_limit == "10 ngày làm việc"
    assert form.ledger_number == 1 == dossier.ledger_number
    assert [c.name for c in form.components] == ["Thành phần 1", "Thành phần 2"]
    assert form.header.issuing_body == "Trung tâm Phục vụ hành chính công xã Thạch Hà"
    assert form.header.parent_body == "UBND xã Thạch Hà"
    assert form.header.place == "Hà Tĩnh"
    assert form.officer.name == world.reception.full_name
    assert form.applicant.name == "Nguyễn Văn An"
    expected = explained_due(
        received_at=vn(2026, 2, 13, 14, 0), amount=10, unit=TimeUnit.WORKING_DAY, province_code="42"
    ).explanation_vi
    assert form.due_explanation == expected
    assert "14/02–22/02" in expected

    text = flat(pdf_text(render_pdf(form)))
    assert "000.00.12.H38-260213-0001" in text
    assert "14 giờ 00 phút, ngày 13/02/2026" in text
    assert "06/03/2026" in text
    assert flat(expected) in text
    assert "Số thứ tự: 01" in text
    assert "https://dichvucong.hatinh.example/tra-cuu/?ma=000.00.12.H38-260213-0001" in text.replace(" ", "")


def test_scenario_3_form02_lists_every_missing_component_once_and_no_code(world):
    case = world.version.cases.get()
    missing = list(case.components.order_by("position"))
    dossier = services.request_completion(
        intake=world.intake(components=()),
        actor=world.reception,
        reason="Thiếu thành phần bắt buộc",
        missing_component_ids=[t.pk for t in missing],
        guidance="Mang theo bản chính để đối chiếu",
        at=vn(2026, 2, 13, 9),
    )
    assert dossier.code is None and dossier.ledger_number is None
    form = context_for_event(_event(dossier, "completion_requested"))
    assert isinstance(form, Form02Completion)
    assert form == form02_for(dossier)
    assert form.code == ""
    assert [item.name for item in form.items] == [
        "Thành phần 1",
        "Thành phần 2",
        "Mang theo bản chính để đối chiếu",
    ]
    assert form.reason == "Thiếu thành phần bắt buộc"
    assert form.header.issuing_body == world.centre.name
    text = flat(pdf_text(render_pdf(form)))
    assert "Thành phần 1" in text and "Thành phần 2" in text
    assert "Mã hồ sơ" not in text and "H38-" not in text
    with pytest.raises(FormNotAvailable):
        form01_for(dossier)


def test_scenario_4_form03_refusal_at_intake_with_the_reason(world):
    dossier = services.refuse_at_intake(
        intake=world.intake(),
        actor=world.reception,
        reason="Thủ tục thuộc thẩm quyền của Bộ Công Thương",
        at=vn(2026, 2, 13, 10),
    )
    form = context_for_event(_event(dossier, "refused_at_intake"))
    assert isinstance(form, Form03Refusal)
    assert (form.code, form.reason) == ("", "Thủ tục thuộc thẩm quyền của Bộ Công Thương")
    assert "Bộ Công Thương" in flat(pdf_text(render_pdf(form)))


def test_scenario_16_form04_with_the_new_date(world, factory):
    version = make_procedure("1.000016.H42", amount=5)
    dossier = factory.create(
        at=vn(2026, 3, 9, 8), trait="appraising", version=version, step=dt.timedelta(minutes=10)
    )
    services.apologise_and_extend(
        dossier_id=dossier.pk,
        actor=world.leader,
        reason="Cần xác minh thực địa",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 16),
    )
    form = context_for_event(_event(dossier, "extended"))
    assert isinstance(form, Form04Apology)
    assert form == form04_for(dossier)
    assert form.original_due_at == vn(2026, 3, 16, 17, 0)
    assert form.new_due_at == vn(2026, 3, 20, 17, 0)
    assert form.issued_on == dt.date(2026, 3, 13)
    assert form.header.issuing_body == "Sở Tư pháp"  # the processing agency, not the one-stop unit
    assert form.header.parent_body == "UBND tỉnh Hà Tĩnh"
    assert form.one_stop_unit == world.centre.name
    text = flat(pdf_text(render_pdf(form)))
    assert "17 giờ 00 phút, ngày 20/03/2026" in text
    assert "17 giờ 00 phút, ngày 16/03/2026" in text
    assert "Cần xác minh thực địa" in text


def test_scenario_19_form06_rows_with_the_tax_office_late(world, make_agency, make_user):
    from motcua.accounts.models import Role
    from motcua.dossiers.tests.factories import staff

    tax = make_agency("000.00.31.H42", "Chi cục Thuế khu vực")
    tax_officer = staff(make_user, Role.COORDINATOR, "thue", agency_id=tax.pk)
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=world.agency.pk, name="Thẩm định", budget_amount=6)],
        at=vn(2026, 3, 2, 10),
    )
    services.assign_handler(
        dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk, at=vn(2026, 3, 2, 11)
    )
    services.appraise(dossier_id=dossier.pk, actor=world.handler, opinion="Đủ", at=vn(2026, 3, 3, 9))
    lead = ProcessingTask.objects.get(dossier=dossier, agency=world.agency)
    services.complete_task(task_id=lead.pk, actor=world.handler, outcome="done", at=vn(2026, 3, 5, 16))
    services.forward_dossier(
        dossier_id=dossier.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=tax.pk, name="Xác định nghĩa vụ thuế", budget_amount=3)],
        at=vn(2026, 3, 5, 16, 30),
    )
    tax_task = ProcessingTask.objects.get(dossier=dossier, agency=tax)
    services.complete_task(task_id=tax_task.pk, actor=tax_officer, outcome="done", at=vn(2026, 3, 12, 10))
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 13, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 13, 10))
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="5/QĐ", at=vn(2026, 3, 16, 9))
    dossier.refresh_from_db()

    form = form06_for(dossier)
    assert isinstance(form, Form06ControlSlip)
    assert form.lead_agency == "Sở Tư pháp"
    assert form.coordinating_agencies == ("Chi cục Thuế khu vực",)
    assert [(r.agency, r.timeliness) for r in form.rows] == [
        ("Sở Tư pháp", Timeliness.EARLY),
        ("Chi cục Thuế khu vực", Timeliness.LATE),
        (world.centre.name, Timeliness.ON_TIME),  # the result back at the one-stop unit: the dossier's class
    ]
    first, tax_row, _ = form.rows
    assert first.handed_at == vn(2026, 3, 2, 10) and world.centre.name in first.giver
    assert tax_row.handed_at == vn(2026, 3, 5, 16, 30) and "Sở Tư pháp" in tax_row.giver
    text = pdf_text(render_pdf(form), layout=True)
    late = [line for line in text.splitlines() if "Quá hạn" in line and "Quá hạn)" not in line]
    assert len(late) == 1 and "Chi cục Thuế" in late[0]  # the column head says "(… / Quá hạn)"
    assert "Trước hạn" in text and "Đúng hạn" in text


def test_scenario_23_form05_stop_on_the_applicants_request(world):
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 9))
    services.forward_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 10))
    services.request_withdrawal(
        dossier_id=submitted.pk, actor=world.citizen, reason="Không còn nhu cầu", at=vn(2026, 3, 3, 9)
    )
    stopped = services.stop_processing(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 3, 10))
    form = context_for_event(_event(stopped, "stopped"))
    assert isinstance(form, Form05StopNotice)
    assert form == form05_for(stopped)
    assert form.code == stopped.code
    assert (form.received_at, form.requested_at, form.stopped_at) == (
        vn(2026, 3, 2, 9),
        vn(2026, 3, 3, 9),
        vn(2026, 3, 3, 10),
    )
    assert form.grounds == "Không còn nhu cầu"
    assert form.request_channel == "trực tuyến trên Cổng Dịch vụ công"
    assert "Chờ phân công thụ lý".lower() in form.stage.lower()
    assert form.header.issuing_body == world.centre.name  # TT03 Art 7: the receiving one-stop unit
    text = flat(pdf_text(render_pdf(form)))
    assert stopped.code in text.replace(" ", "") or stopped.code in text
    assert "Không còn nhu cầu" in text


def test_events_without_a_form_give_none(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    forwarded = _event(dossier, "forwarded")
    assert forwarded.form == "" and context_for_event(forwarded) is None


def test_tracking_url_default(settings):
    del settings.MOTCUA_PUBLIC_URL
    assert tracking_url("000.00.12.H38-260213-0001") == (
        "http://127.0.0.1:8000/tra-cuu/?ma=000.00.12.H38-260213-0001"
    )
