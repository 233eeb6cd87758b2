"""Online submission through HTTP, and nobody reaching another person's dossier, draft or document."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role
from motcua.accounts.services import grant_membership
from motcua.dossiers import online
from motcua.dossiers.models import Dossier, Draft, StoredDocument

from .conftest import PDF

pytestmark = pytest.mark.django_db


def _form(world, **extra):
    return {
        "applicant_full_name": "Nguyễn Văn An",
        "applicant_identifier_type": "citizen_id",
        "applicant_identifier_number": "042090001234",
        "applicant_phone": "0912345678",
        "applicant_kind": "person",
        "result_delivery": "online",
        "received_at_unit_id": str(world.centre.pk),
        **extra,
    }


def test_start_fill_upload_and_submit_in_one_form(client, online_world):
    w = online_world
    client.force_login(w.citizen)
    start = client.post(f"/thu-tuc/{w.version.procedure.code}/nop-truc-tuyen/")
    draft = Draft.objects.get(owner=w.citizen)
    assert start["Location"] == f"/ho-so-cua-toi/nhap/{draft.pk}/"
    page = client.get(start["Location"])
    assert page.status_code == 200
    assert "Nếu hồ sơ được tiếp nhận hôm nay, dự kiến có kết quả:" in page.content.decode()
    t1, t2 = w.version.cases.first().components.order_by("position")
    from django.core.files.uploadedfile import SimpleUploadedFile

    saved = client.post(
        start["Location"],
        _form(w, save="1", **{f"file_{t1.pk}": SimpleUploadedFile("a.pdf", PDF, "application/pdf")}),
    )
    assert saved.status_code == 302
    missing = client.post(start["Location"], _form(w, submit="1"))
    assert missing.status_code == 400
    assert "Còn thiếu thành phần bắt buộc: Thành phần 2." in missing.content.decode()
    assert Dossier.objects.count() == 0
    done = client.post(
        start["Location"],
        _form(w, submit="1", **{f"file_{t2.pk}": SimpleUploadedFile("b.pdf", PDF + b"b", "application/pdf")}),
    )
    dossier = Dossier.objects.get()
    assert done["Location"] == f"/ho-so-cua-toi/{dossier.pk}/"
    assert dossier.state == "submitted"
    acknowledged = client.get(done["Location"])
    assert acknowledged.status_code == 200
    assert (
        f'<li class="success">Đã nộp hồ sơ. Mã tạm: {dossier.temporary_reference}. '
        "Bộ phận Một cửa sẽ kiểm tra và tiếp nhận.</li>"
    ) in acknowledged.content.decode()


def test_a_fake_pdf_is_refused_next_to_its_component(client, online_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    w = online_world
    client.force_login(w.citizen)
    draft = online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)
    t1 = w.version.cases.first().components.order_by("position").first()
    response = client.post(
        f"/ho-so-cua-toi/nhap/{draft.pk}/",
        _form(w, save="1", **{f"file_{t1.pk}": SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")}),
    )
    assert response.status_code == 400
    assert f'id="err_component_{t1.pk}"' in response.content.decode()
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in response.content.decode()
    assert StoredDocument.objects.count() == 0


def test_another_person_gets_404_for_dossier_draft_form_result_and_store_document(
    client, online_world, make_user
):
    w = online_world
    draft = online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)
    t1, t2 = w.version.cases.first().components.order_by("position")
    online.save_draft(draft_id=draft.pk, actor=w.citizen, values=_form(w))
    for template in (t1, t2):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=w.citizen,
            template_id=template.pk,
            content=PDF + str(template.pk).encode(),
            name="x.pdf",
        )
    dossier = online.submit_draft(draft_id=draft.pk, actor=w.citizen)
    document = StoredDocument.objects.filter(owner=w.citizen).first()
    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    client.force_login(other)
    for url in (
        f"/ho-so-cua-toi/{dossier.pk}/",
        f"/ho-so-cua-toi/{dossier.pk}/mau/1.pdf",
        f"/ho-so-cua-toi/{dossier.pk}/ket-qua.pdf",
        f"/ho-so-cua-toi/nhap/{draft.pk}/",
        f"/kho-du-lieu/{document.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ho-so-cua-toi/{dossier.pk}/", {}).status_code == 404
    client.force_login(w.citizen)
    assert client.get(f"/kho-du-lieu/{document.pk}/").status_code == 200
    assert client.get(f"/ho-so-cua-toi/{dossier.pk}/").status_code == 200


def test_pages_need_sign_in(client, online_world):
    for url in ("/ho-so-cua-toi/", "/kho-du-lieu/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/?next=")


def test_a_nul_character_or_a_bad_case_is_a_400_and_the_draft_keeps_what_it_had(client, online_world):
    """PostgreSQL cannot store U+0000: a field holding it is refused before any view (a 400 in both
    languages), as is a case id that is not a number; the draft keeps what it had."""
    w = online_world
    client.force_login(w.citizen)
    start = client.post(f"/thu-tuc/{w.version.procedure.code}/nop-truc-tuyen/")
    saved = client.post(start["Location"], _form(w))
    assert saved.status_code in (200, 302)
    draft = Draft.objects.get(owner=w.citizen)
    before = dict(draft.data)
    assert before["applicant_full_name"] == "Nguyễn Văn An"
    refused = client.post(start["Location"], _form(w, applicant_full_name="Nguyễn\x00Văn An"))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL); hãy nhập lại." in html
    assert "The data sent contains an invalid character (NUL); please type it again." in html
    assert client.get("/thu-tuc/", {"q": "khai\x00sinh"}).status_code == 400
    bad_case = client.post(start["Location"], _form(w, procedure_case_id="abc"))
    assert bad_case.status_code == 400
    assert "Hồ sơ chưa nộp được: hãy sửa các mục được đánh dấu bên dưới." in bad_case.content.decode()
    draft.refresh_from_db()
    assert draft.data == before
