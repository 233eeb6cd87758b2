"""Petitions and ratings in a real Chromium: a petition sent on the portal, answered and published by
staff, the answer visible on the portal; a rating after the result is returned. Screenshots in
test-artifacts/."""

# ruff: noqa: F811 - the dossier world's fixtures are imported, then requested by name

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from conftest import screenshot, submit
from motcua.accounts.models import Role
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff, vn
from motcua.feedback.models import Petition, PetitionEvent, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sessions_without_expiry(settings):
    # The server's clock is frozen in 2026 while Chromium's runs on (see test_browser_backoffice).
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def log_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_petition_sent_answered_and_published(page, live_server, world, committee, make_user):
    controller = staff(make_user, Role.PROCEDURE_CONTROLLER, "kiemsoat", agency_id=committee.pk)
    with time_machine.travel(vn(2026, 3, 2, 9, 0), tick=True):
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Phản ánh, kiến nghị").first.click()
        page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
        page.get_by_label("Họ và tên").fill("Trần Thị Bình")
        page.get_by_label("Số căn cước (CCCD)").fill("04219000567")  # 11 digits
        page.get_by_label("Số điện thoại").fill("0987 654 321")
        page.get_by_label("Địa chỉ").fill("Thôn 2, xã Thạch Hà")
        page.get_by_label("Nội dung", exact=True).select_option("1")
        page.get_by_label("Cơ quan tiếp nhận").select_option(str(world.agency.pk))
        page.get_by_label("Tiêu đề").fill("Chậm trả kết quả chứng thực")
        page.get_by_label("Nội dung phản ánh, kiến nghị").fill("Hồ sơ của tôi đã quá hẹn ba ngày.")
        submit(page.get_by_role("button", name="Gửi", exact=True))
        assert page.locator("#err_identifier").inner_text() == "Số căn cước phải gồm đúng 12 chữ số."
        assert page.get_by_label("Tiêu đề").input_value() == "Chậm trả kết quả chứng thực"  # nothing lost
        screenshot(page, "portal-petition-bad-id")
        assert Petition.objects.count() == 0
        page.get_by_label("Số căn cước (CCCD)").fill("042190005678")
        page.get_by_role("button", name="Gửi", exact=True).click()
        page.wait_for_url("**/phan-anh-kien-nghi/da-gui/")
        code = page.locator("#petition-code").inner_text()
        assert code == Petition.objects.get().code
        screenshot(page, "portal-petition-sent")

    with time_machine.travel(vn(2026, 3, 3, 9, 0), tick=True):
        log_in(page, live_server, controller)
        page.goto(live_server.url + "/can-bo/")
        page.get_by_role("link", name="Phản ánh, kiến nghị").click()
        page.get_by_role("link", name=code).click()
        assert page.locator("#petition-state").inner_text() == "Chờ tiếp nhận"
        submit(page.get_by_role("button", name="Tiếp nhận, xử lý"))
        assert page.locator("#petition-state").inner_text() == "Đang xử lý"
        submit(page.get_by_role("button", name="Trả lời (chờ công khai)"))
        assert page.locator("#err_answer").inner_text() == "Cần nhập nội dung trả lời."
        page.get_by_label("Nội dung trả lời").fill("Sở đã trả kết quả ngày 03/03/2026 và xin lỗi Bà.")
        submit(page.get_by_role("button", name="Trả lời (chờ công khai)"))
        assert page.locator("#petition-state").inner_text() == "Đã trả lời, chờ công khai"
        submit(page.get_by_role("button", name="Công khai kết quả trả lời"))
        assert page.locator("#petition-state").inner_text() == "Đã công khai kết quả"
        screenshot(page, "backoffice-petition-published")
        assert list(PetitionEvent.objects.order_by("seq").values_list("name", flat=True)) == [
            "submitted",
            "accepted",
            "answered",
            "published",
        ]

        page.context.clear_cookies()
        page.goto(live_server.url + "/phan-anh-kien-nghi/")
        page.get_by_role("link", name="Chậm trả kết quả chứng thực").click()
        assert (
            page.locator(".petition-answer").inner_text()
            == "Sở đã trả kết quả ngày 03/03/2026 và xin lỗi Bà."
        )
        assert "Trần Thị Bình" not in page.content()
        screenshot(page, "portal-petition-answer-published")


def test_a_rating_after_the_result_is_returned(page, live_server, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 9, 0), trait="returned")
    with time_machine.travel(vn(2026, 3, 10, 9, 0), tick=True):
        page.goto(live_server.url + "/danh-gia/")
        page.get_by_label("Mã hồ sơ").fill(dossier.code)
        page.get_by_label("4 số cuối điện thoại hoặc số căn cước của người nộp").fill("5678")
        page.get_by_role("group", name="(a) Thời gian giải quyết so với quy định").get_by_label(
            "Đúng hẹn"
        ).check()
        page.get_by_label("(b) Số cơ quan phải liên hệ").fill("0")
        page.get_by_label("(c) Số lần phải liên hệ để hoàn thiện hồ sơ").fill("1")
        page.get_by_role("group", name="(d) Thông tin thủ tục được công khai chính xác").get_by_label(
            "Tốt"
        ).check()
        page.get_by_role("group", name="(đ) Thái độ của cán bộ").get_by_label("Tốt").check()
        page.get_by_role("group", name="(e) Kết quả và chi phí đúng quy định").get_by_label("Tốt").check()
        page.get_by_role("group", name="Mức độ hài lòng chung").get_by_label("Hài lòng", exact=True).check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.wait_for_url("**/danh-gia/da-gui/")
        assert page.locator("#rated").inner_text() == f"Đánh giá cho hồ sơ {dossier.code} đã được ghi nhận."
        screenshot(page, "portal-rating-done")
        rating = Rating.objects.get()
        assert (rating.time_score, rating.contacts, rating.satisfaction, rating.proof) == (
            1,
            1,
            "satisfied",
            "phone",
        )
        # A second rating of the same dossier is refused next to the code.
        page.goto(live_server.url + "/danh-gia/")
        page.get_by_label("Mã hồ sơ").fill(dossier.code)
        page.get_by_label("4 số cuối điện thoại hoặc số căn cước của người nộp").fill("1234")
        page.get_by_role("group", name="(a) Thời gian giải quyết so với quy định").get_by_label(
            "Trễ hẹn"
        ).check()
        page.get_by_label("(b) Số cơ quan phải liên hệ").fill("0")
        page.get_by_label("(c) Số lần phải liên hệ để hoàn thiện hồ sơ").fill("1")
        page.get_by_role("group", name="(d) Thông tin thủ tục được công khai chính xác").get_by_label(
            "Tốt"
        ).check()
        page.get_by_role("group", name="(đ) Thái độ của cán bộ").get_by_label("Tốt").check()
        page.get_by_role("group", name="(e) Kết quả và chi phí đúng quy định").get_by_label("Tốt").check()
        page.get_by_role("group", name="Mức độ hài lòng chung").get_by_label("Không hài lòng").check()
        submit(page.get_by_role("button", name="Gửi đánh giá"))
        assert page.locator("#err_dossier_code").inner_text() == (
            "Hồ sơ này đã được đánh giá ngày 10/03/2026; mỗi hồ sơ chỉ được đánh giá một lần."
        )
        screenshot(page, "portal-rating-twice")
        assert Rating.objects.count() == 1
