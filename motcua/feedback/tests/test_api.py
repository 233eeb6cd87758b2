"""Petitions and ratings through /api/v1: the same services as the pages, problem details on errors."""

from __future__ import annotations

import pytest

from motcua.core import clock
from motcua.dossiers.tests.factories import vn
from motcua.feedback.models import Petition, Rating

pytestmark = pytest.mark.django_db

BODY = {
    "kind": "recommendation",
    "topic": 7,
    "title": "Rút ngắn thời hạn chứng thực",
    "content": "Thời hạn hiện nay quá dài.",
    "proposal": "Trả kết quả trong ngày.",
    "name": "Trần Thị Bình",
    "identifier": "042190005678",
    "phone": "0987654321",
    "address": "Thôn 2, xã Thạch Hà",
}


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: vn(2026, 3, 2, 10, 0))


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_petition_through_the_api(client, world, controller, frozen):
    created = post(client, "/api/v1/petitions", {**BODY, "agency": world.agency.pk})
    assert created.status_code == 201
    data = created.json()
    assert (data["state"], data["resolve_due_at"]) == ("received", "2026-03-23T17:00:00+07:00")
    code = data["code"]
    petition = Petition.objects.get(code=code)
    assert petition.channel == "api"

    assert client.get(f"/api/v1/petitions/published/{code}").status_code == 404
    assert post(client, "/api/v1/petitions/lookup", {"code": code, "phone_last4": "9999"}).status_code == 404
    mine = post(client, "/api/v1/petitions/lookup", {"code": code, "phone_last4": "4321"})
    assert (mine.status_code, mine.json()["state_en"]) == (200, "Awaiting receipt")

    assert client.get(f"/api/v1/petitions/{petition.pk}").status_code == 401  # not signed in (API: 401)
    client.force_login(world.handler)
    assert client.get(f"/api/v1/petitions/{petition.pk}").status_code == 404
    assert client.get("/api/v1/petitions").json() == {"results": []}
    client.force_login(controller)
    assert [p["code"] for p in client.get("/api/v1/petitions").json()["results"]] == [code]
    wrong = post(client, f"/api/v1/petitions/{petition.pk}/acts", {"act": "publish"})
    assert (wrong.status_code, wrong.json()["code"]) == (409, "act_not_allowed")
    unknown = post(client, f"/api/v1/petitions/{petition.pk}/acts", {"act": "delete"})
    assert (unknown.status_code, unknown.json()["field"]) == (400, "act")
    for act in (
        {"act": "accept"},
        {"act": "answer", "answer": "Sẽ kiến nghị sửa quy định."},
        {"act": "publish"},
    ):
        assert post(client, f"/api/v1/petitions/{petition.pk}/acts", act).status_code == 200
    detail = client.get(f"/api/v1/petitions/{petition.pk}").json()
    assert [h["event"] for h in detail["history"]] == ["submitted", "accepted", "answered", "published"]
    client.logout()
    public = client.get(f"/api/v1/petitions/published/{code}").json()
    assert public["answer"] == "Sẽ kiến nghị sửa quy định."
    assert "submitter" not in public and "042190005678" not in str(public)
    assert [p["code"] for p in client.get("/api/v1/petitions/published").json()["results"]] == [code]


def test_bad_petition_is_a_problem_in_two_languages(client, world, frozen):
    response = post(client, "/api/v1/petitions", {**BODY, "agency": world.agency.pk, "proposal": ""})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["code"], problem["field"], problem["detail_vi"], problem["detail_en"]) == (
        "required",
        "proposal",
        "Cần nhập đề xuất.",
        "The proposal is required.",
    )
    assert post(client, "/api/v1/petitions", ["not", "an", "object"]).status_code == 400
    assert Petition.objects.count() == 0


def test_rating_through_the_api(client, factory, frozen):
    dossier = factory.create(at=vn(2026, 2, 20, 9, 0), trait="returned")
    body = {
        "dossier_code": dossier.code,
        "proof": "1234",
        "time_score": 2,
        "agencies_contacted": 0,
        "contacts": 0,
        "information_score": 2,
        "attitude_score": 2,
        "lawfulness_score": 2,
        "satisfaction": "satisfied",
    }
    created = post(client, "/api/v1/ratings", body)
    assert created.status_code == 201
    assert (created.json()["proof"], created.json()["rated_at"]) == (
        "identifier",
        "2026-03-02T10:00:00+07:00",
    )
    again = post(client, "/api/v1/ratings", body)
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    missing = post(client, "/api/v1/ratings", {**body, "dossier_code": ""})
    assert (missing.status_code, missing.json()["field"]) == (400, "dossier_code")
    assert Rating.objects.count() == 1


def test_a_retried_post_with_the_same_idempotency_key_records_one_petition(client, world, frozen):
    body = {**BODY, "agency": world.agency.pk}
    first = client.post(
        "/api/v1/petitions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = client.post(
        "/api/v1/petitions", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    # The API's idempotency middleware answers a retry with the stored answer (decision 0025).
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["code"] == again.json()["code"]
    other = client.post(
        "/api/v1/petitions",
        {**body, "title": "Khác"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    assert Petition.objects.count() == 1
