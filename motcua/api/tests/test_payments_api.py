"""Payments through the API: the signed callback endpoint, paying and recording payments, and no
access to another person's payment or dossier fees by guessing ids or references (API and pages)."""

# ruff: noqa: F811 - fixtures imported, then requested by name

from __future__ import annotations

import pytest

from motcua.accounts.models import Role, UserKind
from motcua.accounts.services import grant_membership
from motcua.payments import services
from motcua.payments.models import CallbackLog, Payment
from motcua.payments.tests.conftest import (  # noqa: F401
    FEE,
    calendar_2026,
    factory,
    frozen,
    paying,
    return_url,
    signed_callback,
    world,
)

pytestmark = pytest.mark.django_db

CALLBACK = "/api/v1/payments/callbacks/sandbox"


def _post_callback(client, body: bytes, signature: str):
    return client.post(
        CALLBACK, data=body, content_type="application/json", HTTP_X_MOTCUA_SIGNATURE=signature
    )


def _start(paying) -> Payment:
    payment, _url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    return payment


def test_the_callback_endpoint_applies_once_and_refuses_with_problem_details(client, paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX-API")
    bad = _post_callback(client, body, "f" * 64)
    assert bad.status_code == 403
    assert bad["Content-Type"] == "application/problem+json"
    assert bad.json()["code"] == "bad_signature"
    assert bad.json()["detail_en"] == "The payment callback signature is invalid."

    wrong_amount = signed_callback(reference=payment.reference, amount=FEE + 1000, transaction_id="SBX-API")
    assert _post_callback(client, *wrong_amount).json()["code"] == "amount_mismatch"
    unknown = signed_callback(reference="doan-bua", amount=FEE)
    response = _post_callback(client, *unknown)
    assert (response.status_code, response.json()["code"]) == (404, "payment_not_found")

    ok = _post_callback(client, body, sig)
    assert (ok.status_code, ok.json()) == (200, {"outcome": "applied", "changed": True})
    replay = _post_callback(client, body, sig)
    assert (replay.status_code, replay.json()["code"]) == (409, "callback_replayed")
    twice = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX-API")
    assert _post_callback(client, *twice).json() == {"outcome": "duplicate", "changed": False}

    payment.refresh_from_db()
    assert (payment.state, payment.collected) == ("paid", FEE)
    assert list(CallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "bad_signature",
        "amount_mismatch",
        "unknown_payment",
        "applied",
        "replay",
        "duplicate",
    ]


def test_the_citizen_pays_through_the_api_and_reads_the_ledger(client, paying):
    client.force_login(paying.citizen)
    created = client.post(f"/api/v1/dossiers/{paying.dossier.pk}/payments", {"method": "gateway"})
    assert created.status_code == 201
    data = created.json()
    assert (data["amount"], data["state"], data["method"]) == (FEE, "pending", "gateway")
    assert data["checkout_url"].startswith(
        "http://testserver/cong-thanh-toan-thu-nghiem/?ref=" + data["reference"]
    )
    body, sig = signed_callback(reference=data["reference"], amount=FEE)
    _post_callback(client, body, sig)
    detail = client.get(f"/api/v1/payments/{data['reference']}").json()
    assert (detail["state"], detail["collected"], detail["receipt_number"]) == ("paid", FEE, "BL2026-000001")
    assert [(e["kind"], e["amount"]) for e in detail["entries"]] == [("initiated", 0), ("paid", FEE)]
    fees = client.get(f"/api/v1/dossiers/{paying.dossier.pk}/fees").json()
    assert fees["due"] == 0
    receipt = client.get(f"/api/v1/payments/{data['reference']}/receipt", HTTP_ACCEPT="application/pdf")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF-")
    again = client.post(f"/api/v1/dossiers/{paying.dossier.pk}/payments", {"method": "gateway"})
    assert (again.status_code, again.json()["code"]) == (409, "nothing_due")


def test_no_access_to_another_persons_payment_by_guessing(client, paying, make_user):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE)
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    other = make_user("congdankhac")
    other.kind = UserKind.CITIZEN
    other.save()
    grant_membership(user=other, role=Role.CITIZEN)
    client.force_login(other)
    ref, dossier_id = payment.reference, paying.dossier.pk
    for url in (
        f"/api/v1/payments/{ref}",
        f"/api/v1/payments/{ref}/receipt",
        f"/api/v1/dossiers/{dossier_id}/fees",
        f"/api/v1/payments/{payment.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] in {"payment_not_found", "dossier_not_found"}
    for url in (f"/thanh-toan/{ref}/", f"/thanh-toan/{ref}/bien-lai.pdf", f"/thanh-toan/ho-so/{dossier_id}/"):
        assert client.get(url).status_code == 404, url
    refund = client.post(f"/api/v1/payments/{ref}/refund", {"reason": "x"})
    assert refund.status_code == 404
    taken = client.post(f"/api/v1/dossiers/{dossier_id}/payments", {"method": "gateway"})
    assert taken.status_code == 404
    payment.refresh_from_db()
    assert (payment.state, payment.collected, Payment.objects.count()) == ("paid", FEE, 1)
    client.logout()
    assert client.get(f"/api/v1/payments/{ref}").status_code == 401  # not signed in (API: 401 problem)
    assert client.get(f"/thanh-toan/{ref}/").status_code == 302  # to the login page


def test_the_owner_sees_the_payment_and_the_receipt(client, paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE)
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    client.force_login(paying.citizen)
    page = client.get(f"/thanh-toan/{payment.reference}/")
    assert page.status_code == 200
    assert '<dd id="receipt-number">BL2026-000001</dd>' in page.content.decode()
    receipt = client.get(f"/thanh-toan/{payment.reference}/bien-lai.pdf")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF-")


def test_counter_payment_through_the_api_cannot_be_recorded_twice(client, paying):
    client.force_login(paying.world.reception)
    first = client.post(
        f"/api/v1/dossiers/{paying.dossier.pk}/payments",
        {"method": "transfer", "transfer_reference": "VCB-123"},
        content_type="application/json",
    )
    assert first.status_code == 201
    assert (first.json()["state"], first.json()["transfer_reference"]) == ("paid", "VCB-123")
    second = client.post(
        f"/api/v1/dossiers/{paying.dossier.pk}/payments", {"method": "cash"}, content_type="application/json"
    )
    assert (second.status_code, second.json()["code"]) == (409, "nothing_due")
    bad = client.post(f"/api/v1/dossiers/{paying.dossier.pk}/payments", {"method": "card"})
    assert bad.status_code == 400
    assert Payment.objects.count() == 1


# 19 digits: past the 64-bit column range (2⁶³ − 1 has 19 digits); with ``<int:…>`` it reached the
# database (OverflowError on SQLite, DataError on PostgreSQL: a 500). 18 digits is still an id.
OVERSIZED = "9" * 19
LONGEST = "9" * 18


def test_payment_routes_take_ids_by_the_id_converter(client, paying):
    """Decision 0025 §8: a non-numeric or oversized id in a payment route is a 404, never a 500; the
    routes answer as before for a real id (API, the citizen's page, the staff's page)."""
    dossier_id = paying.dossier.pk
    client.force_login(paying.citizen)
    for bad in ("abc", "-1", "1.5", OVERSIZED, "1" + "0" * 25):
        for url in (f"/api/v1/dossiers/{bad}/fees", f"/api/v1/dossiers/{bad}/payments"):
            response = client.get(url)
            assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json"), url
            assert response.json()["code"] == "not_found", url
        posted = client.post(f"/api/v1/dossiers/{bad}/payments", {"method": "gateway"})
        assert (posted.status_code, posted.json()["code"]) == (404, "not_found")
        assert client.get(f"/thanh-toan/ho-so/{bad}/").status_code == 404
    # The longest id the converter takes reaches the view, which finds no such dossier.
    longest = client.get(f"/api/v1/dossiers/{LONGEST}/fees")
    assert (longest.status_code, longest.json()["code"]) == (404, "dossier_not_found")
    assert client.get(f"/thanh-toan/ho-so/{LONGEST}/").status_code == 404

    fees = client.get(f"/api/v1/dossiers/{dossier_id}/fees")
    assert (fees.status_code, fees.json()["due"]) == (200, FEE)
    assert client.get(f"/thanh-toan/ho-so/{dossier_id}/").status_code == 200

    client.force_login(paying.finance)
    for bad in ("abc", OVERSIZED):
        assert client.get(f"/can-bo/ho-so/{bad}/thu-phi/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{LONGEST}/thu-phi/").status_code == 404
    assert client.get(f"/can-bo/ho-so/{dossier_id}/thu-phi/").status_code == 200
    assert Payment.objects.count() == 0
