"""The portal and staff pages for petitions and ratings, through HTTP: messages next to the field,
4xx never 500, nothing saved on a refusal, no enumeration of other people's petitions."""

from __future__ import annotations

import re

import pytest

from motcua.core import clock
from motcua.dossiers.tests.factories import vn
from motcua.feedback import services
from motcua.feedback.models import Petition, PetitionEvent, Rating

from .conftest import petition_input

pytestmark = pytest.mark.django_db

FORM = {
    "kind": "reflection",
    "topic": "1",
    "title": "Chậm trả kết quả",
    "content": "Quá hẹn ba ngày.",
    "name": "Trần Thị Bình",
    "identifier": "042190005678",
    "phone": "0987654321",
    "email": "",
    "address": "Thôn 2, xã Thạch Hà",
    "dossier_code": "",
    "proposal": "",
}


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: vn(2026, 3, 2, 10, 0))


def error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="err_{field}" role="alert">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def test_submit_on_the_portal(client, world, frozen):
    response = client.post("/phan-anh-kien-nghi/gui/", {**FORM, "agency": str(world.agency.pk)})
    assert response.status_code == 302 and response["Location"] == "/phan-anh-kien-nghi/da-gui/"
    petition = Petition.objects.get()
    page = client.get("/phan-anh-kien-nghi/da-gui/")
    assert petition.code in page.content.decode()
    assert (petition.submitter_phone, petition.agency_id, petition.channel) == (
        "0987654321",
        world.agency.pk,
        "portal",
    )


@pytest.mark.parametrize(
    ("changes", "field", "vi"),
    [
        ({"name": ""}, "name", "Cần nhập họ và tên."),
        ({"identifier": ""}, "identifier", "Cần nhập số căn cước (CCCD)."),
        ({"identifier": "1234"}, "identifier", "Số căn cước phải gồm đúng 12 chữ số."),
        ({"phone": "0123"}, "phone", "Số điện thoại không đúng định dạng Việt Nam (ví dụ 0912 345 678)."),
        ({"title": "t" * 201}, "title", "Tiêu đề dài quá 200 ký tự (hiện có 201)."),
        ({"agency": ""}, "agency", "Chọn cơ quan tiếp nhận phản ánh, kiến nghị."),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, world, frozen, changes, field, vi):
    response = client.post("/phan-anh-kien-nghi/gui/", {**FORM, "agency": str(world.agency.pk), **changes})
    assert response.status_code == 400
    assert error_of(response.content.decode(), field) == vi
    assert Petition.objects.count() == 0


def test_bad_input_in_english(client, world, frozen):
    client.cookies["django_language"] = "en"
    response = client.post(
        "/phan-anh-kien-nghi/gui/", {**FORM, "agency": str(world.agency.pk), "identifier": ""}
    )
    assert response.status_code == 400
    assert error_of(response.content.decode(), "identifier") == "The citizen ID number is required."


def test_unpublished_petitions_are_private(client, world, controller):
    petition = services.submit_petition(
        data=petition_input(agency_id=world.agency.pk), at=vn(2026, 3, 2, 10, 0)
    )
    assert client.get(f"/phan-anh-kien-nghi/{petition.code}/").status_code == 404
    assert petition.code not in client.get("/phan-anh-kien-nghi/").content.decode()
    # The submitter sees it with the last 4 digits of their phone; a wrong guess is a 404.
    wrong = client.post("/phan-anh-kien-nghi/tra-cuu/", {"code": petition.code, "phone_last4": "1111"})
    assert wrong.status_code == 404
    assert error_of(wrong.content.decode(), "code") == (
        "Không tìm thấy phản ánh, kiến nghị với mã và 4 số cuối điện thoại này."
    )
    mine = client.post("/phan-anh-kien-nghi/tra-cuu/", {"code": petition.code, "phone_last4": "4321"})
    assert mine.status_code == 200 and "Chờ tiếp nhận" in mine.content.decode()
    # Published: visible to all, without the submitter's identity.
    services.accept_petition(petition_id=petition.pk, actor=controller, at=vn(2026, 3, 3, 9, 0))
    services.answer_petition(
        petition_id=petition.pk, actor=controller, answer="Đã xử lý.", at=vn(2026, 3, 4, 9, 0)
    )
    services.publish_petition(petition_id=petition.pk, actor=controller, at=vn(2026, 3, 4, 10, 0))
    public = client.get(f"/phan-anh-kien-nghi/{petition.code}/").content.decode()
    assert "Đã xử lý." in public
    for private in ("Trần Thị Bình", "042190005678", "0987", "binh@example.vn"):
        assert private not in public


def test_staff_pages(client, world, controller, make_user):
    petition = services.submit_petition(
        data=petition_input(agency_id=world.agency.pk), at=vn(2026, 3, 2, 10, 0)
    )
    url = f"/can-bo/phan-anh-kien-nghi/{petition.pk}/"
    client.force_login(world.handler)  # staff without the feedback permission: not even visible
    assert client.get(url).status_code == 404
    assert petition.code not in client.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    assert client.post(url, {"act": "accept"}).status_code == 404
    client.force_login(controller)
    assert petition.code in client.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    refused = client.post(url, {"act": "refuse", "reason": ""})
    assert refused.status_code == 400
    assert error_of(refused.content.decode(), "reason") == "Cần nhập lý do từ chối."
    wrong_state = client.post(url, {"act": "publish"})
    assert wrong_state.status_code == 409
    assert PetitionEvent.objects.filter(petition=petition).count() == 1
    assert client.post(url, {"act": "accept", "reason": ""}).status_code == 302
    assert client.post(url, {"act": "answer", "answer": "Trả lời."}).status_code == 302
    assert Petition.objects.get(pk=petition.pk).state == "answered"


def test_rating_page(client, factory, frozen):
    dossier = factory.create(at=vn(2026, 2, 20, 9, 0), trait="returned")
    form = {
        "dossier_code": dossier.code,
        "proof": "5678",
        "time_score": "2",
        "agencies_contacted": "0",
        "contacts": "1",
        "information_score": "2",
        "attitude_score": "2",
        "lawfulness_score": "2",
        "online_score": "",
        "satisfaction": "satisfied",
        "comment": "",
    }
    unknown = client.post("/danh-gia/", {**form, "dossier_code": "000.00.12.H42-260220-0099"})
    assert unknown.status_code == 404
    assert error_of(unknown.content.decode(), "dossier_code") == (
        "Không tìm thấy hồ sơ với mã và 4 số cuối điện thoại hoặc giấy tờ định danh đã nhập."
    )
    bad = client.post("/danh-gia/", {**form, "contacts": "nhiều"})
    assert bad.status_code == 400
    assert error_of(bad.content.decode(), "contacts") == "Nhập một số nguyên từ 0 đến 99."
    assert client.post("/danh-gia/", form).status_code == 302
    twice = client.post("/danh-gia/", form)
    assert twice.status_code == 409
    assert error_of(twice.content.decode(), "dossier_code") == (
        "Hồ sơ này đã được đánh giá ngày 02/03/2026; mỗi hồ sơ chỉ được đánh giá một lần."
    )
    assert Rating.objects.count() == 1


def test_supplement_through_the_lookup_page(client, world, controller):
    petition = services.submit_petition(
        data=petition_input(agency_id=world.agency.pk), at=vn(2026, 3, 2, 10, 0)
    )
    services.request_petition_supplement(
        petition_id=petition.pk, actor=controller, reason="Ghi rõ số hồ sơ.", at=vn(2026, 3, 3, 9, 0)
    )
    page = client.post("/phan-anh-kien-nghi/tra-cuu/", {"code": petition.code, "phone_last4": "4321"})
    html = page.content.decode()
    assert "Chờ bổ sung thông tin" in html and "Ghi rõ số hồ sơ." in html
    empty = client.post(
        "/phan-anh-kien-nghi/tra-cuu/", {"code": petition.code, "phone_last4": "4321", "text": ""}
    )
    assert empty.status_code == 400
    assert error_of(empty.content.decode(), "text") == "Cần nhập nội dung bổ sung."
    done = client.post(
        "/phan-anh-kien-nghi/tra-cuu/", {"code": petition.code, "phone_last4": "4321", "text": "Hồ sơ số 7."}
    )
    assert done.status_code == 200 and "Chờ tiếp nhận" in done.content.decode()
    assert Petition.objects.get(pk=petition.pk).supplements == "Hồ sơ số 7."


def test_transfer_on_the_staff_page(client, world, controller):
    petition = services.submit_petition(
        data=petition_input(agency_id=world.agency.pk), at=vn(2026, 3, 2, 10, 0)
    )
    client.force_login(controller)
    url = f"/can-bo/phan-anh-kien-nghi/{petition.pk}/"
    no_agency = client.post(url, {"act": "transfer", "agency": "", "reason": "Sai thẩm quyền."})
    assert no_agency.status_code == 400
    assert error_of(no_agency.content.decode(), "agency") == "Chọn cơ quan có thẩm quyền để chuyển."
    moved = client.post(
        url, {"act": "transfer", "agency": str(world.other_agency.pk), "reason": "Sai thẩm quyền."}
    )
    assert moved.status_code == 302
    assert Petition.objects.get(pk=petition.pk).agency_id == world.other_agency.pk
