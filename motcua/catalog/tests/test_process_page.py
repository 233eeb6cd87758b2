"""/can-bo/quy-trinh/<code>/: the controller edits the internal process; budgets within the limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings

from motcua.accounts.models import Role
from motcua.catalog.demo import load_demo_catalog
from motcua.catalog.models import InternalProcess, Procedure, ProcessStep
from motcua.catalog.services import StepInput, check_budgets
from motcua.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
CODE = "1.000593"  # kết hôn lưu động: 5 working days in person = 40 working hours
URL = f"/can-bo/quy-trinh/{CODE}/"


@pytest.fixture
def controller(make_user, committee):
    return make_user("kiemsoat", role=Role.PROCEDURE_CONTROLLER, agency_id=committee.pk)


def _steps() -> list[tuple[str, str, Decimal, str]]:
    process = InternalProcess.objects.get(
        version=Procedure.objects.get(code=CODE).current_version, province_code=settings.MOTCUA_PROVINCE_CODE
    )
    return list(process.steps.values_list("name", "performer_role", "budget_amount", "budget_unit"))


def _post(rows: list[dict[str, str]]) -> dict[str, str]:
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


def _row(name: str, role: str, amount: str, unit: str = "working_hour", group: str = "") -> dict[str, str]:
    return {
        "name": name,
        "performer_role": role,
        "budget_amount": amount,
        "budget_unit": unit,
        "parallel_group": group,
        "step_code": "",
        "form_produced": "",
        "agency": "",
    }


def test_the_controller_sees_the_steps_and_saves_new_ones(client, real_catalog, controller):
    client.force_login(controller)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thủ tục đăng ký kết hôn lưu động" in html
    assert "40 giờ làm việc" in html
    assert 'value="Tiếp nhận hồ sơ"' in html
    rows = [
        _row("Tiếp nhận", Role.RECEPTION_OFFICER, "2"),
        _row("Thẩm định", Role.HANDLER, "3", "working_day"),
        _row("Xin ý kiến", Role.HANDLER, "4", group="1"),
        _row("Xin ý kiến công an", Role.HANDLER, "6", group="1"),
        _row("Ký", Role.APPROVER, "2"),
    ]
    response = client.post(URL, _post(rows))
    assert response.status_code == 302
    assert _steps() == [
        ("Tiếp nhận", "reception_officer", Decimal("2.00"), "working_hour"),
        ("Thẩm định", "handler", Decimal("3.00"), "working_day"),
        ("Xin ý kiến", "handler", Decimal("4.00"), "working_hour"),
        ("Xin ý kiến công an", "handler", Decimal("6.00"), "working_hour"),
        ("Ký", "approver", Decimal("2.00"), "working_hour"),
    ]
    assert "Đã lưu quy trình nội bộ." in client.get(URL).content.decode()


def test_over_the_limit_is_refused_naming_the_step_and_nothing_is_saved(client, real_catalog, controller):
    client.force_login(controller)
    before = _steps()
    rows = [
        _row("Tiếp nhận", Role.RECEPTION_OFFICER, "2"),
        _row("Thẩm định kéo dài", Role.HANDLER, "6", "working_day"),
    ]
    response = client.post(URL, _post(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bước 2 «Thẩm định kéo dài» vượt thời hạn giải quyết: tổng 50 giờ làm việc &gt; 40 giờ" in html
    assert 'value="Thẩm định kéo dài"' in html  # the input is kept
    assert _steps() == before


def test_a_handler_is_refused_and_anonymous_goes_to_sign_in(client, real_catalog, make_user, justice_dept):
    handler = make_user("thuly", role=Role.HANDLER, agency_id=justice_dept.pk)
    anonymous = client.get(URL)
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    client.force_login(handler)
    assert client.get(URL).status_code == 403
    before = _steps()
    assert client.post(URL, _post([_row("X", Role.HANDLER, "1")])).status_code == 403
    assert _steps() == before


def test_an_unknown_procedure_is_404(client, db, controller):
    client.force_login(controller)
    assert client.get("/can-bo/quy-trinh/0.000000/").status_code == 404


def test_budgets_count_a_parallel_group_once_at_its_longest():
    steps = [
        StepInput(
            name="A", performer_role=Role.HANDLER, budget_amount=Decimal(4), budget_unit="working_hour"
        ),
        StepInput(
            name="B",
            performer_role=Role.HANDLER,
            budget_amount=Decimal(3),
            budget_unit="working_hour",
            parallel_group=1,
        ),
        StepInput(
            name="C",
            performer_role=Role.HANDLER,
            budget_amount=Decimal(4),
            budget_unit="working_hour",
            parallel_group=1,
        ),
    ]
    check_budgets(steps=steps, limit_hours=Decimal(8))  # 4 + max(3, 4) = 8
    with pytest.raises(ValidationFailed) as refused:
        check_budgets(steps=steps, limit_hours=Decimal("7.5"))
    assert refused.value.message_vi.startswith("Bước 3 «C» vượt thời hạn")
    one_day = [
        StepInput(name="D", performer_role=Role.HANDLER, budget_amount=Decimal(1), budget_unit="working_day")
    ]
    check_budgets(steps=one_day, limit_hours=Decimal(8))
    with pytest.raises(ValidationFailed):
        check_budgets(steps=one_day, limit_hours=Decimal(7))
    check_budgets(steps=one_day, limit_hours=None)  # no legal limit given: nothing to exceed
    with pytest.raises(ValidationFailed):
        check_budgets(steps=[], limit_hours=Decimal(8))
    with pytest.raises(ValidationFailed):
        check_budgets(
            steps=[
                StepInput(
                    name="E", performer_role="nobody", budget_amount=Decimal(1), budget_unit="working_hour"
                )
            ],
            limit_hours=None,
        )


def test_loading_the_demo_catalog_again_changes_nothing(real_catalog):
    versions = InternalProcess.objects.count(), ProcessStep.objects.count()
    report = load_demo_catalog()
    assert (report["created"], report["updated"], report["failed"]) == (0, 0, [])
    assert report["unchanged"] == 588
    assert (InternalProcess.objects.count(), ProcessStep.objects.count()) == versions
    assert Procedure.objects.filter(current_version__isnull=False).count() == 588
