"""The citizen portal through the API: tracking without an account, drafts, submission, the
applicant's dossiers and e-result, and the personal document store — the services of the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from motcua.accounts.models import Role
from motcua.accounts.services import grant_membership
from motcua.catalog.models import AgencyRole, VersionAgency
from motcua.dossiers import online
from motcua.dossiers.models import Dossier, Draft, Result, StoredDocument, TrackingFailure
from motcua.dossiers.tests.factories import vn

from .conftest import NOW

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def online_world(world):
    # bulk_create: the published version's own guard refuses edits made one row at a time.
    VersionAgency.objects.bulk_create(
        [
            VersionAgency(
                version=world.version,
                role=AgencyRole.COMPETENT,
                name=world.agency.name,
                name_folded=world.agency.name_folded,
                agency=world.agency,
            )
        ]
    )
    return world


@pytest.fixture
def received(factory):
    return factory.create(at=vn(2026, 3, 2, 9))


def _local(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone(dt.timedelta(hours=7))).isoformat()


# --------------------------------------------------------------------------------------------------
# Tracking
# --------------------------------------------------------------------------------------------------


def test_tracking_answers_state_dates_and_next_step_and_nothing_personal(received):
    response = APIClient().post(
        "/api/v1/tracking", {"code": received.code.lower(), "factor": "5678"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "reference": received.code,
        "procedure": received.procedure_version.name,
        "state": "received",
        "state_vi": "Được tiếp nhận",
        "state_en": "Received",
        "submitted_at": None,
        "received_at": _local(received.received_at),
        "due_at": _local(received.due_at),
        "next_step_vi": "Hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết.",
        "next_step_en": "The dossier goes to the competent agency.",
    }
    assert TrackingFailure.objects.count() == 0


def test_unknown_code_and_wrong_factor_get_the_same_404(received):
    client = APIClient()
    wrong_factor = client.post("/api/v1/tracking", {"code": received.code, "factor": "0000"}, format="json")
    unknown = client.post(
        "/api/v1/tracking", {"code": "000.00.00.X99-260302-0001", "factor": "5678"}, format="json"
    )
    assert wrong_factor.status_code == unknown.status_code == 404
    assert wrong_factor.content == unknown.content
    assert wrong_factor["Content-Type"] == "application/problem+json"
    body = wrong_factor.json()
    assert (body["code"], body["detail_en"]) == (
        "dossier_not_found",
        "No dossier found with this code and these 4 digits. Check the code on the receipt.",
    )
    assert TrackingFailure.objects.count() == 2


def test_bad_input_is_400_and_not_counted(received):
    response = APIClient().post("/api/v1/tracking", {"code": received.code, "factor": "56"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid", "factor")
    assert TrackingFailure.objects.count() == 0


def test_too_many_failures_are_429_with_retry_after_even_for_the_right_answer(received, settings):
    settings.MOTCUA_TRACKING_FAILURES = 3
    client = APIClient()
    start = vn(2026, 3, 10, 9)
    for minute, guess in ((0, "0001"), (1, "0002"), (2, "0003")):
        with time_machine.travel(start + dt.timedelta(minutes=minute), tick=False):
            failed = client.post("/api/v1/tracking", {"code": received.code, "factor": guess}, format="json")
            assert failed.status_code == 404
    with time_machine.travel(start + dt.timedelta(minutes=3), tick=False):
        blocked = client.post("/api/v1/tracking", {"code": received.code, "factor": "5678"}, format="json")
        assert blocked.status_code == 429
        # The first failure leaves the 15-minute window 12 minutes from now.
        assert blocked["Retry-After"] == "720"
        assert (blocked.json()["code"], blocked.json()["retry_after"]) == ("too_many_attempts", 720)
        other = client.post(
            "/api/v1/tracking",
            {"code": received.code, "factor": "5678"},
            format="json",
            REMOTE_ADDR="10.0.0.9",
        )
        assert other.status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=15, seconds=1), tick=False):
        again = client.post("/api/v1/tracking", {"code": received.code, "factor": "5678"}, format="json")
        assert again.status_code == 200


# --------------------------------------------------------------------------------------------------
# Drafts and submission
# --------------------------------------------------------------------------------------------------


def test_the_applicants_routes_need_sign_in(online_world):
    client = APIClient()
    for url in ("/api/v1/me/drafts", "/api/v1/me/dossiers", "/api/v1/me/documents", "/api/v1/me/drafts/1"):
        response = client.get(url)
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated"), url
    assert client.post("/api/v1/me/drafts", {"procedure_code": "X"}, format="json").status_code == 401
    assert client.post("/api/v1/me/drafts/1/submit").status_code == 401


def _start(client, world):
    response = client.post(
        "/api/v1/me/drafts", {"procedure_code": world.version.procedure.code}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_start_fill_upload_pick_and_submit_once(online_world, frozen, as_user):
    w = online_world
    client = as_user(w.citizen)
    draft = _start(client, w)
    t1, t2 = w.version.cases.first().components.order_by("position")
    assert draft["procedure_case"] == w.version.cases.first().pk
    assert draft["values"]["applicant_full_name"] == "Congdan"
    assert draft["values"]["applicant_identifier_type"] == "citizen_id"
    assert draft["values"]["result_delivery"] == "online"
    assert draft["missing"] == [t1.pk, t2.pk]
    assert [(c["template"], c["document"]) for c in draft["components"]] == [(t1.pk, None), (t2.pk, None)]

    url = f"/api/v1/me/drafts/{draft['id']}"
    updated = client.patch(
        url,
        {
            "applicant_full_name": "Nguyễn Văn An",
            "applicant_identifier_number": "042090001234",
            "applicant_phone": "0912345678",
            "received_at_unit_id": w.centre.pk,
        },
        format="json",
    )
    assert updated.status_code == 200, updated.content
    assert (
        updated.json()["values"]["applicant_full_name"],
        updated.json()["values"]["received_at_unit_id"],
    ) == (
        "Nguyễn Văn An",
        w.centre.pk,
    )
    unknown = client.patch(url, {"applicant_name": "x"}, format="json")
    assert (unknown.status_code, list(unknown.json()["errors"])) == (400, ["applicant_name"])

    fake = client.post(
        f"{url}/components/{t1.pk}/file",
        {"file": SimpleUploadedFile("a.pdf", b"<html>", "application/pdf")},
        format="multipart",
    )
    assert fake.status_code == 400
    assert (fake.json()["code"], fake.json()["field"]) == ("unsupported_file_type", f"component_{t1.pk}")
    uploaded = client.post(
        f"{url}/components/{t1.pk}/file",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert (uploaded.json()["content_type"], uploaded.json()["size"], uploaded.json()["source"]) == (
        "application/pdf",
        len(PDF),
        "upload",
    )

    early = client.post(f"{url}/submit")
    assert early.status_code == 400
    assert (early.json()["code"], early.json()["field"]) == ("missing_components", f"component_{t2.pk}")
    assert Dossier.objects.count() == 0

    stored = client.post(
        "/api/v1/me/documents",
        {"file": SimpleUploadedFile("cc.pdf", PDF + b"cc", "application/pdf"), "title": "Căn cước"},
        format="multipart",
    )
    assert stored.status_code == 201, stored.content
    picked = client.put(f"{url}/components/{t2.pk}", {"document_id": stored.json()["id"]}, format="json")
    assert picked.status_code == 200, picked.content
    assert picked.json()["missing"] == []
    assert [(c["document"], c["reused"]) for c in picked.json()["components"]] == [
        (uploaded.json()["id"], False),
        (stored.json()["id"], True),
    ]

    submitted = client.post(f"{url}/submit", headers={"Idempotency-Key": "nop-1"})
    assert submitted.status_code == 201, submitted.content
    dossier = Dossier.objects.get()
    body = submitted.json()
    assert (body["id"], body["state"], body["state_en"], body["channel"]) == (
        dossier.pk,
        "submitted",
        "Submitted",
        "online",
    )
    assert body["temporary_reference"] == dossier.temporary_reference == body["reference"]
    assert body["acknowledgement_vi"] == (
        f"Đã nộp hồ sơ. Mã tạm: {dossier.reference}. Bộ phận Một cửa sẽ kiểm tra và tiếp nhận."
    )
    assert body["acknowledgement_en"] == (
        f"Dossier submitted. Temporary reference: {dossier.reference}. "
        "The one-stop unit will check and accept it."
    )

    again = client.post(f"{url}/submit", headers={"Idempotency-Key": "nop-1"})
    assert (again.status_code, again["Idempotent-Replayed"], again.json()) == (201, "true", body)
    assert Dossier.objects.count() == 1
    other_draft = _start(client, w)
    reused = client.post(
        f"/api/v1/me/drafts/{other_draft['id']}/submit", headers={"Idempotency-Key": "nop-1"}
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    without_key = client.post(f"{url}/submit")
    assert (without_key.status_code, without_key.json()["code"]) == (404, "draft_not_found")

    mine = client.get("/api/v1/me/dossiers").json()
    assert [d["id"] for d in mine["results"]] == [dossier.pk]
    drafts = client.get("/api/v1/me/drafts").json()
    assert [d["id"] for d in drafts["results"]] == [other_draft["id"]]
    detail = client.get(f"/api/v1/me/dossiers/{dossier.pk}").json()
    assert [(e["act"], e["state_after"]) for e in detail["timeline"]] == [("submit", "submitted")]
    assert (
        detail["next_step_en"]
        == "The one-stop unit checks the dossier: it accepts it, asks for completion or refuses it."
    )
    assert [(c["template"], [f["sha256"] for f in c["files"]]) for c in detail["components"]] == [
        (t1.pk, [StoredDocument.objects.get(pk=uploaded.json()["id"]).sha256]),
        (t2.pk, [StoredDocument.objects.get(pk=stored.json()["id"]).sha256]),
    ]
    assert detail["result"] is None
    assert dossier.components.get(template=t2).reused_from == f"KHO:{stored.json()['id']}"


def test_a_staff_account_cannot_start_a_draft(online_world, as_user):
    response = as_user(online_world.reception).post(
        "/api/v1/me/drafts", {"procedure_code": online_world.version.procedure.code}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "account_not_verified")
    assert Draft.objects.count() == 0


def test_deleting_a_draft_and_clearing_a_slot(online_world, as_user):
    w = online_world
    client = as_user(w.citizen)
    draft = _start(client, w)
    t1 = w.version.cases.first().components.order_by("position").first()
    url = f"/api/v1/me/drafts/{draft['id']}"
    client.post(
        f"{url}/components/{t1.pk}/file",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
        format="multipart",
    )
    cleared = client.delete(f"{url}/components/{t1.pk}")
    assert cleared.status_code == 200
    assert cleared.json()["components"][0]["document"] is None
    assert client.delete(url).status_code == 204
    assert Draft.objects.count() == 0
    assert client.get(url).status_code == 404
    assert StoredDocument.objects.count() == 1  # the store keeps the uploaded file


def test_someone_else_gets_404_for_every_draft_dossier_result_and_document(online_world, make_user, as_user):
    w = online_world
    draft = online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)
    t1, t2 = w.version.cases.first().components.order_by("position")
    online.save_draft(
        draft_id=draft.pk,
        actor=w.citizen,
        values={
            "applicant_full_name": "Nguyễn Văn An",
            "applicant_identifier_number": "042090001234",
            "received_at_unit_id": str(w.centre.pk),
        },
    )
    for template in (t1, t2):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=w.citizen,
            template_id=template.pk,
            content=PDF + bytes([template.pk % 250]),
            name="x.pdf",
        )
    dossier = online.submit_draft(draft_id=draft.pk, actor=w.citizen)
    other_draft = online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)
    document = StoredDocument.objects.filter(owner=w.citizen).first()
    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    client = as_user(other)
    draft_url = f"/api/v1/me/drafts/{other_draft.pk}"
    for response in (
        client.get(draft_url),
        client.patch(draft_url, {"summary": "x"}, format="json"),
        client.delete(draft_url),
        client.post(f"{draft_url}/submit"),
        client.put(f"{draft_url}/components/{t1.pk}", {"document_id": document.pk}, format="json"),
        client.delete(f"{draft_url}/components/{t1.pk}"),
        client.post(
            f"{draft_url}/components/{t1.pk}/file",
            {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
            format="multipart",
        ),
        client.get(f"/api/v1/me/dossiers/{dossier.pk}"),
        client.get(f"/api/v1/me/dossiers/{dossier.pk}/result"),
        client.get(f"/api/v1/dossiers/{dossier.pk}/timeline"),
        client.get(f"/api/v1/me/documents/{document.pk}/file"),
    ):
        assert response.status_code == 404, (response.request["PATH_INFO"], response.content)
    assert client.get("/api/v1/me/dossiers").json()["results"] == []
    assert client.get("/api/v1/me/drafts").json()["results"] == []
    assert client.get("/api/v1/me/documents").json()["results"] == []
    # Their own document cannot fill someone else's slot either: the draft is not theirs.
    mine = _start(client, w)
    foreign = client.put(
        f"/api/v1/me/drafts/{mine['id']}/components/{t1.pk}", {"document_id": document.pk}, format="json"
    )
    assert (foreign.status_code, foreign.json()["code"]) == (400, "document_not_found")
    assert Draft.objects.get(pk=other_draft.pk).slots == {}


# --------------------------------------------------------------------------------------------------
# The e-result and the store
# --------------------------------------------------------------------------------------------------


def test_the_e_result_of_a_dossier_received_in_my_verified_name(factory, world, as_user):
    citizen = world.citizen
    citizen.identifier, citizen.identity_verified = "042090001234", True
    citizen.save()
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    client = as_user(citizen)
    assert [d["id"] for d in client.get("/api/v1/me/dossiers").json()["results"]] == [dossier.pk]
    missing = client.get(f"/api/v1/me/dossiers/{dossier.pk}/result")
    assert (missing.status_code, missing.json()["code"]) == (404, "result_not_found")
    done = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready")
    result = Result.objects.get(dossier=done)
    result.file.save("kq.pdf", ContentFile(PDF))
    detail = client.get(f"/api/v1/me/dossiers/{done.pk}").json()
    assert detail["result"] == {
        "number": "12/QĐ-STP",
        "issued_at": _local(result.issued_at),
        "url": f"/api/v1/me/dossiers/{done.pk}/result",
    }
    assert (detail["state"], detail["state_vi"]) == ("result_ready", "Đã xử lý xong")
    download = client.get(detail["result"]["url"])
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert b"".join(download.streaming_content) == PDF
    forms = [e for e in detail["timeline"] if e["form"]]
    assert forms and all(e["form_url"] == f"/api/v1/dossiers/{done.pk}/forms/{e['seq']}" for e in forms)
    form = client.get(forms[0]["form_url"])
    assert (form.status_code, form["Content-Type"]) == (200, "application/pdf")


def test_the_store_lists_uploads_and_serves_them_to_the_owner_only(online_world, as_user):
    client = as_user(online_world.citizen)
    with time_machine.travel(NOW, tick=False):
        created = client.post(
            "/api/v1/me/documents",
            {
                "file": SimpleUploadedFile("giay-phep.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20, "image/png"),
                "title": "Giấy phép",
                "valid_until": "2026-03-01",
            },
            format="multipart",
        )
    assert created.status_code == 201, created.content
    document = StoredDocument.objects.get()
    assert created.json() == {
        "id": document.pk,
        "title": "Giấy phép",
        "source": "upload",
        "valid_until": "2026-03-01",
        "valid": False,
        "original_name": "giay-phep.png",
        "size": 28,
        "content_type": "image/png",
        "sha256": document.sha256,
        "dossier": None,
        "result_code": "",
        "created_at": _local(document.created_at),
    }
    listed = client.get("/api/v1/me/documents").json()
    assert [d["id"] for d in listed["results"]] == [document.pk]
    download = client.get(f"/api/v1/me/documents/{document.pk}/file")
    assert (download.status_code, download["Content-Type"]) == (200, "image/png")
    no_title = client.post(
        "/api/v1/me/documents",
        {"file": SimpleUploadedFile("a.pdf", PDF, "application/pdf"), "title": " "},
        format="multipart",
    )
    assert (no_title.status_code, list(no_title.json()["errors"])) == (400, ["title"])


def test_a_file_over_the_limit_is_refused(online_world, as_user, settings):
    settings.MOTCUA_DOSSIER_FILE_MAX_BYTES = 100
    response = as_user(online_world.citizen).post(
        "/api/v1/me/documents",
        {"file": SimpleUploadedFile("a.pdf", PDF + b"0" * 200, "application/pdf"), "title": "Tệp lớn"},
        format="multipart",
    )
    assert (response.status_code, response.json()["code"]) == (400, "file_too_large")
    assert StoredDocument.objects.count() == 0


def _submitted(world):
    draft = online.start_draft(actor=world.citizen, procedure_version_id=world.version.pk)
    online.save_draft(
        draft_id=draft.pk,
        actor=world.citizen,
        values={
            "applicant_full_name": "Nguyễn Văn An",
            "applicant_identifier_number": "042090001234",
            "received_at_unit_id": str(world.centre.pk),
        },
    )
    templates = list(world.version.cases.first().components.order_by("position"))
    for n, template in enumerate(templates):
        online.upload_to_draft(
            draft_id=draft.pk,
            actor=world.citizen,
            template_id=template.pk,
            content=PDF + bytes([n]),
            name="x.pdf",
        )
    return online.submit_draft(draft_id=draft.pk, actor=world.citizen), templates


def test_completing_a_dossier_the_one_stop_unit_sent_back(online_world, as_user, make_user):
    from motcua.dossiers import services

    w = online_world
    dossier, (_t1, t2) = _submitted(w)
    client = as_user(w.citizen)
    url = f"/api/v1/me/dossiers/{dossier.pk}/completion"
    fresh = online.keep_upload(actor=w.citizen, content=PDF + b"clear", name="b2.pdf", title="Thành phần 2")
    early = client.post(url, {"components": [{"template_id": t2.pk, "document_id": fresh.pk}]}, format="json")
    assert (early.status_code, early.json()["code"]) == (400, "not_awaiting_completion")
    services.request_completion(
        dossier_id=dossier.pk, actor=w.reception, reason="Bản chụp bị mờ", missing_component_ids=[t2.pk]
    )
    other = make_user("nguoikhac")
    grant_membership(user=other, role=Role.CITIZEN)
    body = {"components": [{"template_id": t2.pk, "document_id": fresh.pk, "reused": False}]}
    assert as_user(other).post(url, body, format="json").status_code == 404
    sent = client.post(url, body, format="json")
    assert sent.status_code == 200, sent.content
    assert (sent.json()["id"], sent.json()["state"]) == (dossier.pk, "submitted")
    added = dossier.components.filter(template=t2).order_by("-pk").first()
    assert (added.reused_from, added.files.get().sha256) == ("", fresh.sha256)


def test_a_citizens_token_works_like_the_session(online_world):
    from motcua.accounts.tokens import issue_token

    w = online_world
    dossier, _templates = _submitted(w)
    _token, raw = issue_token(user=w.citizen, name="ứng dụng di động", permissions=["dossier.view"])
    client = APIClient(headers={"Authorization": f"Bearer {raw}"})
    listed = client.get("/api/v1/me/dossiers")
    assert (listed.status_code, [d["id"] for d in listed.json()["results"]]) == (200, [dossier.pk])
    started = client.post("/api/v1/me/drafts", {"procedure_code": w.version.procedure.code}, format="json")
    assert started.status_code == 201, started.content
    assert Draft.objects.get(pk=started.json()["id"]).owner == w.citizen


def test_listing_drafts_costs_the_same_queries_for_one_or_three(online_world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = online_world
    client = as_user(w.citizen)
    online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/me/drafts")
        assert response.status_code == 200
        return len(response.json()["results"]), len(captured.captured_queries)

    one = count()
    for _ in range(2):
        online.start_draft(actor=w.citizen, procedure_version_id=w.version.pk)
    three = count()
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]
