"""Dossiers over the API: reading through the gate, opening, acts with the version, files."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _intake_body(world, **overrides):
    case = world.version.cases.first()
    body = {
        "mode": "receive",
        "procedure_version_id": world.version.pk,
        "procedure_case_id": case.pk,
        "received_at_unit_id": world.centre.pk,
        "competent_agency_id": world.agency.pk,
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "identifier_type": "citizen_id",
            "identifier_number": "042090001234",
            "phone": "0912345678",
        },
        "components": [{"template_id": t.pk} for t in case.components.all()],
    }
    body.update(overrides)
    return body


def test_reception_opens_a_dossier_and_the_handler_acts_on_it(world, frozen, as_user):
    reception = as_user(world.reception)
    created = reception.post("/api/v1/dossiers", _intake_body(world), format="json")
    assert created.status_code == 201, created.content
    dossier = created.json()
    assert (dossier["state"], dossier["version"], created["ETag"]) == ("received", 2, '"2"')
    assert dossier["applicant"]["identifier_number"] == "042090001234"
    assert dossier["code"] == Dossier.objects.get().code

    forwarded = reception.post(
        f"/api/v1/dossiers/{dossier['id']}/acts/forward", {"version": 2}, format="json"
    )
    assert forwarded.status_code == 200, forwarded.content
    assert (forwarded.json()["state"], forwarded.json()["version"]) == ("in_processing", 3)

    leader = as_user(world.leader)
    assigned = leader.post(
        f"/api/v1/dossiers/{dossier['id']}/acts/assign",
        {"handler_id": world.handler.pk},
        format="json",
        headers={"If-Match": '"3"'},
    )
    assert assigned.status_code == 200, assigned.content
    tasks = leader.get(f"/api/v1/dossiers/{dossier['id']}/tasks").json()
    assert [(t["agency"], t["is_lead"], t["assignee"]) for t in tasks] == [
        (world.agency.pk, True, world.handler.pk)
    ]
    timeline = leader.get(f"/api/v1/dossiers/{dossier['id']}/timeline").json()
    assert [e["act"] for e in timeline] == ["accept", "forward", "assign"]


def test_a_stale_version_is_409_and_changes_nothing(world, factory, as_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    events = DossierEvent.objects.filter(dossier=dossier).count()
    response = as_user(world.reception).post(
        f"/api/v1/dossiers/{dossier.pk}/acts/forward", {"version": dossier.version - 1}, format="json"
    )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["expected_version"], body["current_version"]) == (
        "stale_dossier",
        dossier.version - 1,
        dossier.version,
    )
    assert body["detail_en"].startswith("The dossier was updated by another officer")
    dossier.refresh_from_db()
    assert (dossier.state, DossierEvent.objects.filter(dossier=dossier).count()) == ("received", events)


def test_an_act_without_a_version_is_428(world, factory, as_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    response = as_user(world.reception).post(f"/api/v1/dossiers/{dossier.pk}/acts/forward", {}, format="json")
    assert (response.status_code, response.json()["code"]) == (428, "version_required")
    dossier.refresh_from_db()
    assert dossier.state == "received"


def test_bad_bodies_are_problems(world, factory, as_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    client = as_user(world.reception)
    url = f"/api/v1/dossiers/{dossier.pk}/acts/refuse_at_intake"
    malformed = client.post(url, b'{"version": 2,', content_type="application/json")
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_request")
    unknown = client.post(url, {"version": dossier.version, "reasn": "x"}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "validation_failed")
    assert list(unknown.json()["errors"]) == ["reasn"]
    wrong_type = client.post(url, {"version": "two"}, format="json")
    assert (wrong_type.status_code, list(wrong_type.json()["errors"])) == (400, ["version"])
    not_json = client.post(url, "version=2", content_type="text/plain")
    assert (not_json.status_code, not_json.json()["code"]) == (415, "unsupported_media_type")
    dossier.refresh_from_db()
    assert dossier.state == "received"


def test_an_oversized_body_is_413(world, factory, as_user, settings):
    settings.MOTCUA_API_MAX_JSON_BYTES = 1000
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    response = as_user(world.reception).post(
        f"/api/v1/dossiers/{dossier.pk}/acts/refuse_at_intake",
        {"version": dossier.version, "reason": "x" * 2000},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (413, "payload_too_large")
    assert response.json()["detail_en"] == "The request body is too large; the limit is 1,000 bytes."


def test_no_dossier_is_reachable_by_guessing_its_id(world, factory, as_user, make_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    stranger = as_user(make_user("nguoila"))
    for url in (
        f"/api/v1/dossiers/{dossier.pk}",
        f"/api/v1/dossiers/{dossier.pk}/timeline",
        f"/api/v1/dossiers/{dossier.pk}/components",
        f"/api/v1/dossiers/{dossier.pk + 1000}",
    ):
        response = stranger.get(url)
        assert (response.status_code, response.json()["code"]) == (404, "dossier_not_found"), url
    assert stranger.get("/api/v1/dossiers").json()["results"] == []
    act = stranger.post(f"/api/v1/dossiers/{dossier.pk}/acts/forward", {"version": 2}, format="json")
    assert act.status_code == 404


def test_files_are_uploaded_checked_and_downloaded(world, factory, as_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    component = dossier.components.order_by("position").first()
    client = as_user(world.reception)
    url = f"/api/v1/dossiers/{dossier.pk}/components/{component.pk}/files"
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad_name = client.post(url, {"file": SimpleUploadedFile("../../etc/x.pdf", PDF)}, format="multipart")
    # Django's multipart parser already drops directories (/ and \\) from the name; core.uploads
    # refuses any that would still arrive (tested in test_uploads).
    assert (bad_name.status_code, bad_name.json()["original_name"]) == (201, "x.pdf")
    backslash = client.post(url, {"file": SimpleUploadedFile("a\\b.pdf", PDF)}, format="multipart")
    assert (backslash.status_code, backslash.json()["original_name"]) == (201, "b.pdf")
    fake = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")}, format="multipart")
    assert (fake.status_code, fake.json()["code"]) == (400, "unsupported_file_type")
    assert DossierFile.objects.count() == 2
    stored = DossierFile.objects.order_by("pk").first()
    download = client.get(f"/api/v1/dossiers/{dossier.pk}/files/{stored.pk}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert (download["Content-Type"], download["X-Content-Type-Options"]) == ("application/pdf", "nosniff")
    other = factory.create(at=vn(2026, 3, 2, 8, 10), trait="received")
    crossed = client.get(f"/api/v1/dossiers/{other.pk}/files/{stored.pk}")
    assert (crossed.status_code, crossed.json()["code"]) == (404, "file_not_found")


def test_consultation_asked_and_answered_and_urging_over_the_api(world, factory, as_user, time_machine):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    time_machine.move_to(vn(2026, 3, 3, 9), tick=False)
    handler = as_user(world.handler)
    asked = handler.post(
        f"/api/v1/dossiers/{dossier.pk}/acts/consult",
        {
            "version": dossier.version,
            "agency_id": world.other_agency.pk,
            "content": "Xin ý kiến về nghĩa vụ tài chính",
            "deadline": "2026-03-20T17:00:00+07:00",
        },
        format="json",
    )
    assert asked.status_code == 200, asked.json()
    consultation = dossier.consultations.get()
    coordinator = as_user(world.coordinator)
    wrong = coordinator.post(
        f"/api/v1/dossiers/{dossier.pk}/acts/answer_consultation",
        {"version": asked.json()["version"], "consultation_id": consultation.pk + 99, "response": "Đồng ý"},
        format="json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (404, "consultation_not_found")
    answered = coordinator.post(
        f"/api/v1/dossiers/{dossier.pk}/acts/answer_consultation",
        {"version": asked.json()["version"], "consultation_id": consultation.pk, "response": "Đồng ý"},
        format="json",
    )
    assert answered.status_code == 200, answered.json()
    consultation.refresh_from_db()
    assert (consultation.response, consultation.responded_by_id) == ("Đồng ý", world.coordinator.pk)
    urged = as_user(world.leader).post(
        f"/api/v1/dossiers/{dossier.pk}/acts/urge",
        {"version": answered.json()["version"], "message": "Đề nghị xử lý đúng hạn"},
        format="json",
    )
    assert urged.status_code == 200, urged.json()
    assert DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first().act == "urge"
