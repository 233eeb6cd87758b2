"""The back office in a real Chromium: counter intake (complete and incomplete), a dossier walked
through every role's page to its return, and an apology with extension. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the dossier world's fixtures are imported, then requested by name

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client

from conftest import screenshot, submit
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import vn
from motcua.units.models import Counter
from motcua.units.services import take_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sessions_without_expiry(settings):
    # The server's clock is frozen in 2026-03 while Chromium's runs on: a session cookie with an
    # expiry date computed on the frozen clock would be dropped by the browser at once.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def no_horizontal_scroll(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def start_intake(page, live_server, world):
    page.goto(live_server.url + "/can-bo/quay/")
    page.get_by_label("Tìm thủ tục (có dấu hoặc không dấu)").fill("thu tuc")
    submit(page.get_by_role("button", name="Tìm", exact=True))
    page.get_by_role("link", name="Thủ tục 1.000001.H42").click()
    page.wait_for_url("**procedure=1.000001.H42**")
    assert page.locator("#chosen-procedure").inner_text().startswith("Thủ tục 1.000001.H42")
    page.get_by_label("Số định danh (CCCD)").fill("042090001234")
    page.get_by_label("Họ và tên người nộp").fill("Nguyễn Văn An")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Cơ quan có thẩm quyền giải quyết").select_option(str(world.agency.pk))


def test_a_complete_counter_intake_to_the_code_and_form_01(page, live_server, world):
    counter = Counter.objects.create(one_stop_unit=world.centre, number=1, name="Quầy 1", queue_prefix="A")
    with time_machine.travel(vn(2026, 3, 2, 8, 50), tick=True):
        take_ticket(counter_id=counter.pk)
        log_in(page, live_server, world.reception)
        page.goto(live_server.url + "/can-bo/")
        page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
        submit(page.get_by_role("button", name="Gọi số tiếp theo"))
        assert page.locator("#called-ticket strong").inner_text() == "A001"
        start_intake(page, live_server, world)
        page.get_by_label("Thành phần 1", exact=True).check()
        page.get_by_label("Thành phần 2", exact=True).check()
        page.get_by_label("Số bản sao: Thành phần 2").fill("2")
        assert page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").count() == 0
        submit(page.get_by_role("button", name="Xem trước", exact=True))
        assert page.locator("#appointment").inner_text() == "17:00, 16/03/2026"
        assert "10 ngày làm việc" in page.locator("#appointment-explanation").inner_text()
        screenshot(page, "backoffice-counter-preview")
        page.set_viewport_size({"width": 820, "height": 1100})
        assert no_horizontal_scroll(page, 820)
        screenshot(page, "backoffice-counter-tablet")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").click()
        page.wait_for_url("**/can-bo/quay/ket-qua/*/")
    dossier = Dossier.objects.get()
    assert page.locator("#dossier-code").inner_text() == dossier.code
    assert dossier.code == "000.00.12.H38-260302-0001"
    assert page.locator("#due-at").inner_text() == "17:00, 16/03/2026"
    link = page.locator("#form-link")
    assert "Mẫu 01" in link.inner_text()
    assert link.get_attribute("href") == f"/can-bo/ho-so/{dossier.pk}/mau/1.pdf"
    assert [c.count for c in dossier.components.order_by("position", "pk")] == [1, 2]
    screenshot(page, "backoffice-counter-accepted")


def test_b_an_incomplete_intake_produces_form_02(page, live_server, world):
    with time_machine.travel(vn(2026, 3, 2, 9, 0), tick=True):
        log_in(page, live_server, world.reception)
        start_intake(page, live_server, world)
        page.get_by_label("Thành phần 1", exact=True).check()
        submit(page.get_by_role("button", name="Xem trước", exact=True))
        assert page.locator("#missing-list li").all_inner_texts() == ["Thành phần 2"]
        assert page.get_by_role("button", name="Tiếp nhận và cấp mã hồ sơ").count() == 0
        page.get_by_label("Lý do (khi hướng dẫn bổ sung hoặc từ chối)").fill("Thiếu thành phần 2")
        screenshot(page, "backoffice-counter-incomplete")
        page.get_by_role("button", name="Hướng dẫn bổ sung (Mẫu 02)").click()
        page.wait_for_url("**/can-bo/quay/ket-qua/*/")
    dossier = Dossier.objects.get()
    assert (dossier.state, dossier.code) == ("intake_supplement_requested", None)
    assert page.locator("h1").inner_text() == "Đã hướng dẫn bổ sung, hoàn thiện hồ sơ"
    link = page.locator("#form-link")
    assert "Mẫu 02" in link.inner_text()
    assert link.get_attribute("href") == f"/can-bo/ho-so/{dossier.pk}/mau/1.pdf"
    screenshot(page, "backoffice-counter-form-02")


def _act(page, button: str) -> None:
    submit(page.locator("aside").get_by_role("button", name=button, exact=True))
    assert page.locator(".messages").inner_text().startswith("Đã thực hiện")


def test_c_a_dossier_goes_through_every_role_to_its_return(page, live_server, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    url = f"{live_server.url}/can-bo/ho-so/{dossier.pk}/"
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        log_in(page, live_server, world.leader)
        page.goto(live_server.url + "/can-bo/viec/")
        page.locator("#q-to_assign").get_by_role("link", name=dossier.code).click()
        page.wait_for_url(url)
        screenshot(page, "backoffice-dossier-to-assign")
        page.get_by_label("Chuyên viên thụ lý").select_option(str(world.handler.pk))
        _act(page, "Phân công thụ lý")
        assert page.locator("#dossier-step").inner_text() == "Đã phân công thụ lý"

        log_in(page, live_server, world.handler)
        page.goto(live_server.url + "/can-bo/viec/")
        page.locator("#q-to_appraise").get_by_role("link", name=dossier.code).click()
        page.get_by_label("Ý kiến thẩm định").fill("Hồ sơ đủ điều kiện")
        _act(page, "Thẩm định")

        log_in(page, live_server, world.approver)
        page.goto(live_server.url + "/can-bo/viec/")
        page.locator("#q-to_approve").get_by_role("link", name=dossier.code).click()
        _act(page, "Phê duyệt")
        _act(page, "Ký kết quả")

        log_in(page, live_server, world.clerk)
        page.goto(live_server.url + "/can-bo/viec/")
        page.locator("#q-to_issue").get_by_role("link", name=dossier.code).click()
        page.get_by_label("Số văn bản kết quả").fill("15/QĐ-STP")
        _act(page, "Vào số, phát hành")

        log_in(page, live_server, world.reception)
        page.goto(live_server.url + "/can-bo/viec/")
        page.locator("#q-to_return").get_by_role("link", name=dossier.code).click()
        _act(page, "Trả kết quả")
    assert page.locator("#dossier-state").inner_text() == "Đã trả kết quả"
    assert page.locator("#result-number").inner_text() == "15/QĐ-STP"
    assert page.locator("tr.event").count() == 8
    assert page.locator("#no-acts").count() == 1
    screenshot(page, "backoffice-dossier-returned")
    dossier.refresh_from_db()
    assert (dossier.state, dossier.timeliness) == ("returned", "early")


def test_d_an_apology_and_extension(page, live_server, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")  # due Mon 16/03 17:00
    with time_machine.travel(vn(2026, 3, 12, 9), tick=True):
        log_in(page, live_server, world.leader)
        page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.pk}/")
        prompt = page.locator("#extension-prompt").inner_text()
        assert "chậm nhất ngày 13/03/2026" in prompt
        page.get_by_label("Lý do chậm và lời xin lỗi").fill("Chờ kết quả xác minh thực địa")
        page.get_by_label("Ngày hẹn trả mới").fill("2026-03-20")
        screenshot(page, "backoffice-extension-prompt")
        _act(page, "Xin lỗi và hẹn lại")
        assert re.match(r"17:00, 20/03/2026", page.locator("#due-at").inner_text())
        assert "đã hẹn lại" in page.locator("#due-at").inner_text()
        assert page.locator("#extension-prompt").count() == 0
        assert page.locator("#act-apologise_and_extend").count() == 0
        form04 = page.locator("#forms-produced a", has_text="Mẫu 04")
        assert re.fullmatch(rf"/can-bo/ho-so/{dossier.pk}/mau/\d+\.pdf", form04.get_attribute("href"))
        screenshot(page, "backoffice-extended")
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        assert no_horizontal_scroll(page, 360)
        screenshot(page, "backoffice-dossier-360px")
    dossier.refresh_from_db()
    assert dossier.extended_due_at == vn(2026, 3, 20, 17)


def test_e_hand_over_list_forward_then_return_by_post(page, live_server, world, factory):
    from motcua.dossiers import services

    dossier = factory.create(
        at=vn(2026, 3, 3, 15, 20), result_delivery="postal", result_delivery_address="Thôn 1, xã Thạch Hà"
    )
    with time_machine.travel(vn(2026, 3, 3, 16, 0), tick=True):
        log_in(page, live_server, world.reception)
        page.goto(live_server.url + "/can-bo/")
        page.get_by_role("link", name="Bàn giao hồ sơ giấy cho cơ quan giải quyết").click()
        page.get_by_label("Ngày tiếp nhận").fill("2026-03-03")
        submit(page.get_by_role("button", name="Xem", exact=True))
        row = page.locator(f'tr.handover-row[data-dossier="{dossier.pk}"]')
        assert row.locator("td.due").inner_text() == "07:00 04/03/2026"
        assert row.locator("td.paper-due").inner_text() == "17:00 04/03/2026"
        screenshot(page, "backoffice-handover-list")
        submit(page.get_by_role("button", name="Bàn giao", exact=True))
        assert f"Đã bàn giao hồ sơ {dossier.code}." in page.locator(".messages").inner_text()
        assert row.locator("td.status").inner_text().startswith("Đã bàn giao")
        submit(page.locator("#print-link"))
        assert page.locator("#handover-submit").count() == 0
        page.emulate_media(media="print")
        screenshot(page, "backoffice-handover-slip-print")
        page.emulate_media(media="screen")
    dossier.refresh_from_db()
    assert dossier.state == "in_processing"

    at = vn(2026, 3, 4, 9)
    services.assign_handler(dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk, at=at)
    services.appraise(dossier_id=dossier.pk, actor=world.handler, opinion="Đủ điều kiện", at=at)
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=at)
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=at)
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="20/QĐ-STP", at=at)

    with time_machine.travel(vn(2026, 3, 5, 9), tick=True):
        log_in(page, live_server, world.reception)  # a new day, a new session
        page.goto(live_server.url + "/can-bo/ban-giao-buu-chinh/")
        assert dossier.code in page.locator("#postal-waiting").inner_text()
        page.locator("#postal-waiting").get_by_role("link", name=dossier.code).click()
        form = page.locator("#act-return_result")
        assert form.get_by_label("Nhận qua bưu chính công ích").is_checked()
        form.get_by_label("Số hiệu bưu gửi").fill("EL123456789VN")
        screenshot(page, "backoffice-return-by-post")
        _act(page, "Trả kết quả")
        assert page.locator("#dossier-state").inner_text() == "Đã trả kết quả"
        assert page.locator("tr.event .tracking").inner_text() == "EL123456789VN"
        page.goto(live_server.url + "/can-bo/ban-giao-buu-chinh/?in=1")
        assert page.locator("#postal-sent td.tracking").inner_text() == "EL123456789VN"
        page.emulate_media(media="print")
        screenshot(page, "backoffice-postal-slip-print")
    dossier.refresh_from_db()
    event = dossier.events.get(name="result_returned")
    assert (dossier.state, event.data["tracking_number"]) == ("returned", "EL123456789VN")


def test_f_the_head_reassigns_a_counter_on_a_phone(page, live_server, world):
    Counter.objects.create(one_stop_unit=world.centre, number=1, name="Quầy 1", queue_prefix="A")
    with time_machine.travel(vn(2026, 3, 2, 7, 45), tick=True):
        log_in(page, live_server, world.head)
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto(live_server.url + "/can-bo/")
        submit(page.get_by_role("link", name="Quản lý quầy"))
        form = page.locator("#counter-1")
        form.get_by_label("Mã lĩnh vực phục vụ (cách nhau bởi dấu phẩy)").fill("HT, CT")
        form.get_by_label("Đang mở").uncheck()
        assert no_horizontal_scroll(page, 360)
        screenshot(page, "backoffice-counters-360px")
        submit(form.get_by_role("button", name="Lưu"))
        assert page.locator(".messages").inner_text().startswith("Đã lưu quầy số 1.")
        assert page.locator("#counter-title-1").inner_text() == "Quầy số 1: Quầy 1 (đang đóng)"
    counter = Counter.objects.get()
    assert (counter.field_codes, counter.is_active) == (["HT", "CT"], False)
