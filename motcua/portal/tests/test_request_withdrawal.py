"""Asking to withdraw a dossier from its page in the citizen's account (T23a; SPEC §4.1 "withdraw or
request stop", scenario 23): through the same service as the API, with the dossier version, a
reason and a confirmation; every refusal is a 4xx that changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.accounts.models import Role
from motcua.accounts.services import grant_membership
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import PDF, vn

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 4, 9)
DONE = (
    '<li class="success">Đã gửi yêu cầu rút hồ sơ. Bộ phận Một cửa sẽ dừng giải quyết hồ sơ '
    "và ra thông báo dừng giải quyết hồ sơ.</li>"
)
STALE = "Hồ sơ đã được cán bộ khác cập nhật trong lúc bạn thao tác; hãy tải lại hồ sơ và thực hiện lại."


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# The acts after acceptance, an hour apart from 02/03/2026 10:00: the dossier stops after ``until``.
WALK = ("received", "in_processing", "assigned", "appraising", "signing", "issuing", "result_ready")


def online_dossier(world, until: str = "in_processing") -> Dossier:
    """A dossier the citizen submitted online (so their account is its owner), walked to ``until``."""
    w = world
    dossier = services.submit_dossier(
        intake=w.intake(channel="online"), actor=w.citizen, at=vn(2026, 3, 2, 8)
    )
    if until == "submitted":
        return Dossier.objects.get(pk=dossier.pk)
    steps = [
        lambda t: services.accept_dossier(dossier_id=dossier.pk, actor=w.reception, at=t),
        lambda t: services.forward_dossier(dossier_id=dossier.pk, actor=w.reception, at=t),
        lambda t: services.assign_handler(
            dossier_id=dossier.pk, actor=w.leader, handler_id=w.handler.pk, at=t
        ),
        lambda t: services.appraise(dossier_id=dossier.pk, actor=w.handler, opinion="Đủ điều kiện", at=t),
        lambda t: services.approve(dossier_id=dossier.pk, actor=w.approver, at=t),
        lambda t: services.sign_result(dossier_id=dossier.pk, actor=w.approver, at=t),
        lambda t: services.issue_result(
            dossier_id=dossier.pk, actor=w.clerk, number="12/QĐ-STP", content=PDF, at=t
        ),
    ]
    for hour, (name, step) in enumerate(zip(WALK, steps, strict=True), start=10):
        step(vn(2026, 3, 2, hour))
        if name == until:
            break
    return Dossier.objects.get(pk=dossier.pk)


def url(dossier: Dossier) -> str:
    return f"/ho-so-cua-toi/{dossier.pk}/"


def withdraw(client: Client, dossier: Dossier, **fields: Any):
    data = {"version": dossier.version, "reason": "Không còn nhu cầu", "confirm": "1"} | fields
    return client.post(f"{url(dossier)}rut-ho-so/", {k: v for k, v in data.items() if v is not None})


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    """What a refused request must leave as it was: the row and the whole history."""
    return (
        Dossier.objects.filter(pk=dossier.pk).values().get(),
        list(DossierEvent.objects.filter(dossier=dossier).values_list("seq", "name", "hash")),
    )


def offered(html: str) -> bool:
    return 'action="/ho-so-cua-toi/' in html and 'id="withdrawal-reason"' in html


def field_error(html: str, name: str) -> str:
    found = re.search(rf'<p class="field-error" id="err_withdrawal_{name}" role="alert">([^<]*)</p>', html)
    return found.group(1) if found else ""


def form_error(html: str) -> str:
    found = re.search(r'<div class="error" role="alert" id="withdrawal-error"><p>([^<]*)</p></div>', html)
    return found.group(1) if found else ""


def test_the_applicant_withdraws_from_the_dossier_page(client, world):
    dossier = online_dossier(world, "in_processing")
    client.force_login(world.citizen)
    page = client.get(url(dossier)).content.decode()
    assert offered(page)
    assert f'<input type="hidden" name="version" value="{dossier.version}">' in page
    assert '<label for="withdrawal-reason">Lý do rút hồ sơ <span aria-hidden="true">*</span></label>' in page
    assert 'name="csrfmiddlewaretoken"' in page

    response = withdraw(client, dossier, reason="  Không còn nhu cầu cấp phiếu  ")
    assert (response.status_code, response["Location"]) == (303, url(dossier))
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.state, after.step, after.national_status) == (
        "withdrawal_requested",
        "awaiting_assignment",
        7,
    )
    assert after.version == dossier.version + 1
    assert after.finished_at is None  # processing ends when the one-stop unit stops it (T23b)
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert (event.seq, event.act, event.name, event.reason) == (
        4,  # submitted, accepted, forwarded, then this
        "request_withdrawal",
        "withdrawal_requested",
        "Không còn nhu cầu cấp phiếu",
    )
    assert (event.actor_id, event.actor_role, event.at) == (world.citizen.pk, "citizen", NOW)
    assert (event.state_before, event.state_after) == ("in_processing", "withdrawal_requested")

    shown = client.get(response["Location"]).content.decode()
    assert DONE in shown
    assert '<dd id="dossier-state">Công dân yêu cầu rút hồ sơ</dd>' in shown
    assert (
        "<li><strong>Yêu cầu rút hồ sơ</strong> — 09:00 04/03/2026<br>"
        '<span class="muted">Công dân yêu cầu rút hồ sơ</span><br>Không còn nhu cầu cấp phiếu</li>'
    ) in shown
    assert not offered(shown)  # asked once: T23a does not start from WITHDRAWAL_REQUESTED


def test_the_one_stop_unit_then_stops_it_with_form_05(client, world):
    dossier = online_dossier(world, "received")
    client.force_login(world.citizen)
    assert withdraw(client, dossier).status_code == 303
    stopped = services.stop_processing(dossier_id=dossier.pk, actor=world.reception)
    assert (stopped.state, stopped.national_status, stopped.finished_at) == ("stopped", 8, NOW)
    page = client.get(url(dossier)).content.decode()
    assert '<dd id="dossier-state">Dừng xử lý</dd>' in page
    assert not offered(page)


@pytest.mark.parametrize("until", ["received", "in_processing", "assigned", "appraising", "signing"])
def test_the_form_is_offered_while_no_result_is_signed(client, world, until):
    dossier = online_dossier(world, until)
    client.force_login(world.citizen)
    assert offered(client.get(url(dossier)).content.decode())


def test_the_form_is_offered_while_a_supplement_is_awaited(client, world):
    dossier = online_dossier(world, "assigned")
    services.request_supplement(
        dossier_id=dossier.pk, actor=world.handler, reason="Thiếu", guidance="Bổ sung", at=vn(2026, 3, 3, 9)
    )
    client.force_login(world.citizen)
    assert offered(client.get(url(dossier)).content.decode())


@pytest.mark.parametrize(
    ("until", "status", "message"),
    [
        # Before acceptance there is nothing to stop (T23a starts from the accepted states).
        ("submitted", 400, "Không thể «yêu cầu rút» hồ sơ ở trạng thái «Mới đăng ký»."),
        (
            "issuing",
            400,
            "Không thể «yêu cầu rút» hồ sơ ở bước «Đã ký, chờ vào số, phát hành»; hồ sơ phải ở bước "
            "«Chờ phân công thụ lý», «Đã phân công thụ lý», «Đang thẩm định», «Đang lấy ý kiến», "
            "«Đề xuất từ chối, chờ quyết định», «Đã phê duyệt, chờ ký».",
        ),
        ("result_ready", 400, "Không thể «yêu cầu rút» hồ sơ ở trạng thái «Đã xử lý xong»."),
    ],
)
def test_no_form_and_a_refusal_where_the_act_is_not_allowed(client, world, until, status, message):
    dossier = online_dossier(world, until)
    client.force_login(world.citizen)
    assert not offered(client.get(url(dossier)).content.decode())
    before = snapshot(dossier)
    response = withdraw(client, dossier, reason="Rút trước khi có kết quả")
    assert response.status_code == status
    html = response.content.decode()
    assert form_error(html) == message
    assert ">Rút trước khi có kết quả</textarea>" in html  # the input is kept
    assert snapshot(dossier) == before


def test_asking_twice_is_refused(client, world):
    dossier = online_dossier(world, "in_processing")
    client.force_login(world.citizen)
    assert withdraw(client, dossier).status_code == 303
    dossier.refresh_from_db()
    before = snapshot(dossier)
    response = withdraw(client, dossier, reason="Lần hai")
    assert response.status_code == 400
    assert form_error(response.content.decode()) == (
        "Không thể «yêu cầu rút» hồ sơ ở trạng thái «Công dân yêu cầu rút hồ sơ»."
    )
    assert snapshot(dossier) == before


def test_a_missing_reason_is_refused_next_to_the_field(client, world):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, reason="   ")
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "reason") == "Cần ghi lý do."
    assert 'aria-invalid="true" aria-describedby="err_withdrawal_reason"' in html
    assert 'value="1" required checked' in html  # the confirmation is kept
    assert field_error(html, "confirm") == "" and form_error(html) == ""
    assert snapshot(dossier) == before


def test_without_the_confirmation_nothing_is_sent(client, world):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, confirm=None, reason="Đã nộp nhầm thủ tục")
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "confirm") == "Hãy đánh dấu xác nhận rằng bạn muốn rút hồ sơ."
    assert ">Đã nộp nhầm thủ tục</textarea>" in html
    assert field_error(html, "reason") == ""
    assert snapshot(dossier) == before


def test_both_missing_are_shown_together(client, world):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, confirm=None, reason="")
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "reason") == "Cần ghi lý do."
    assert field_error(html, "confirm") == "Hãy đánh dấu xác nhận rằng bạn muốn rút hồ sơ."
    assert snapshot(dossier) == before


def test_a_reason_too_long_is_refused(client, world):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, reason="x" * 4001)
    assert response.status_code == 400
    assert field_error(response.content.decode(), "reason") == "Lý do dài quá 4000 ký tự."
    assert snapshot(dossier) == before


def test_a_stale_version_gets_the_conflict_message_and_nothing_changes(client, world):
    dossier = online_dossier(world, "in_processing")
    client.force_login(world.citizen)
    seen = dossier.version  # the page the citizen has open
    # Meanwhile the department leader assigns a handler: the dossier moves on.
    services.assign_handler(dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk)
    before = snapshot(dossier)
    response = withdraw(client, dossier, version=seen, reason="Không còn nhu cầu")
    assert response.status_code == 409
    html = response.content.decode()
    assert form_error(html) == STALE
    assert ">Không còn nhu cầu</textarea>" in html
    # The page drawn now shows the dossier as it is, and its version: sending again is a new decision.
    assert f'<input type="hidden" name="version" value="{seen + 1}">' in html
    assert snapshot(dossier) == before


def test_a_null_character_is_refused_not_a_500(client, world):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, reason="Rút\x00hồ sơ")
    assert response.status_code == 400  # refused before the view (core.middleware)
    assert "Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL); hãy nhập lại." in response.content.decode()
    assert snapshot(dossier) == before


@pytest.mark.parametrize("version", [None, "", "abc", "²", "9" * 5000, "-1"])
def test_a_missing_or_garbled_version_is_refused(client, world, version):
    dossier = online_dossier(world)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = withdraw(client, dossier, version=version)
    assert response.status_code == 400
    assert (
        form_error(response.content.decode()) == "Trang hồ sơ đã cũ; hãy tải lại trang rồi gửi lại yêu cầu."
    )
    assert snapshot(dossier) == before


def test_refusals_in_english(client, world):
    dossier = online_dossier(world, "in_processing")
    client.force_login(world.citizen)
    client.cookies["django_language"] = "en"
    seen = dossier.version
    page = client.get(url(dossier)).content.decode()
    assert '<h2 id="withdrawal-title">Withdraw the dossier</h2>' in page
    assert (
        '<label for="withdrawal-reason">Reason for withdrawing <span aria-hidden="true">*</span></label>'
        in page
    )
    missing = withdraw(client, dossier, reason="", confirm=None).content.decode()
    assert field_error(missing, "reason") == "The reason is required."
    assert field_error(missing, "confirm") == "Tick the box to confirm that you want to withdraw the dossier."
    services.assign_handler(dossier_id=dossier.pk, actor=world.leader, handler_id=world.handler.pk)
    stale = withdraw(client, dossier, version=seen)
    assert stale.status_code == 409
    assert form_error(stale.content.decode()) == (
        "The dossier was updated by another officer while you were working on it; reload it and try again."
    )
    dossier.refresh_from_db()
    assert dossier.state == "in_processing"


def test_another_citizen_gets_404_and_nothing_changes(client, world, make_user):
    dossier = online_dossier(world)
    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    client.force_login(other)
    before = snapshot(dossier)
    assert client.get(url(dossier)).status_code == 404
    assert withdraw(client, dossier).status_code == 404
    assert snapshot(dossier) == before


def test_staff_who_see_the_dossier_get_no_form_and_a_403(client, world):
    # The reception officer may record a withdrawal at the counter (the service would take it from
    # them), but not pretending to be the applicant on the applicant's page.
    dossier = online_dossier(world)
    client.force_login(world.reception)
    page = client.get(url(dossier))
    assert page.status_code == 200 and not offered(page.content.decode())
    before = snapshot(dossier)
    response = withdraw(client, dossier)
    assert response.status_code == 403
    html = response.content.decode()
    assert form_error(html) == (
        "Chỉ tài khoản đã nộp hồ sơ trực tuyến mới gửi được yêu cầu rút hồ sơ tại đây; "
        "hãy liên hệ Bộ phận Một cửa nơi tiếp nhận hồ sơ."
    )
    assert not offered(html)
    assert snapshot(dossier) == before


def test_an_applicant_received_at_the_counter_sees_no_form(client, world, factory):
    # Identity vouched for by the identity provider: the dossier received in their name at the
    # counter is on their page, but the service only takes a withdrawal from the submitting account.
    citizen = world.citizen
    citizen.identifier, citizen.identity_verified = "042090001234", True
    citizen.save()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    assert dossier.applicant_identifier == "042090001234"
    client.force_login(citizen)
    page = client.get(url(dossier))
    assert page.status_code == 200 and not offered(page.content.decode())
    before = snapshot(dossier)
    assert withdraw(client, dossier).status_code == 403
    assert snapshot(dossier) == before


def test_the_request_needs_the_csrf_token(world):
    dossier = online_dossier(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen)
    before = snapshot(dossier)
    assert withdraw(client, dossier).status_code == 403
    assert snapshot(dossier) == before


def test_only_post_and_sign_in(client, world):
    dossier = online_dossier(world)
    response = withdraw(client, dossier)
    assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/?next=")
    client.force_login(world.citizen)
    assert client.get(f"{url(dossier)}rut-ho-so/").status_code == 405


def test_the_page_and_the_api_record_the_same_act(client, world):
    from rest_framework.test import APIClient

    by_page, by_api = online_dossier(world), online_dossier(world)
    client.force_login(world.citizen)
    assert withdraw(client, by_page, reason="Không còn nhu cầu").status_code == 303
    api = APIClient()
    api.force_login(world.citizen)
    answer = api.post(
        f"/api/v1/dossiers/{by_api.pk}/acts/request_withdrawal",
        {"version": by_api.version, "reason": "Không còn nhu cầu"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    fields = ("seq", "act", "name", "actor", "actor_role", "at", "reason", "state_before", "state_after")
    fields += ("step_before", "step_after", "form", "data")
    page_event, api_event = (
        DossierEvent.objects.filter(dossier=d).order_by("-seq").values(*fields).first()
        for d in (by_page, by_api)
    )
    assert page_event == api_event
    assert [
        Dossier.objects.filter(pk=d.pk).values_list("state", "step", "version", "national_status").get()
        for d in (by_page, by_api)
    ] == [("withdrawal_requested", "awaiting_assignment", by_page.version + 1, 7)] * 2


def test_a_completion_posted_when_none_is_awaited_is_a_409_and_changes_nothing(client, world):
    """A page left open after the dossier moved on: the completion form's POST is refused with a
    message (it was a silent 200 before), and the dossier stays as it was."""
    dossier = online_dossier(world, "in_processing")
    client.force_login(world.citizen)
    before = snapshot(dossier)
    response = client.post(url(dossier), {"store_1": "1"})
    assert response.status_code == 409
    assert (
        "Hồ sơ không còn chờ bổ sung, hoàn thiện nên không gửi được; trang đã được tải lại."
        in response.content.decode()
    )
    assert snapshot(dossier) == before
