"""The gateway's signed callback: applied once; refused when the signature, the age, the nonce, the
payment or the amount is wrong; duplicates and late news change nothing; every one is logged."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.payments import services
from motcua.payments.models import CallbackLog, LedgerEntry, Payment, StatementLine

from .conftest import FEE, NOW, return_url, signed_callback


def _start(paying) -> Payment:
    payment, _url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    return payment


def _state(payment: Payment) -> tuple[str, int, list[tuple[str, int]]]:
    payment.refresh_from_db()
    entries = [(e.kind, e.amount) for e in LedgerEntry.objects.filter(payment=payment).order_by("seq")]
    return payment.state, payment.collected, entries


def test_start_creates_a_pending_payment_of_the_fees_and_a_signed_checkout_url(paying):
    payment, url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    assert payment.amount == FEE
    assert payment.state == "pending"
    assert list(payment.fee_lines.values_list("amount", flat=True)) == [FEE]
    assert url.startswith("/cong-thanh-toan-thu-nghiem/?ref=" + payment.reference + "&amount=50000&return=")
    assert "&sig=" in url
    again, _url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    assert again.pk == payment.pk  # the open payment is reused, not doubled
    assert _state(payment) == ("pending", 0, [("initiated", 0)])


def test_someone_else_cannot_start_a_payment_of_the_dossier(paying, make_user):
    stranger = make_user("nguoila")
    with pytest.raises(NotFound):
        services.start_online_payment(dossier_id=paying.dossier.pk, actor=stranger, return_url=return_url)
    assert Payment.objects.count() == 0


def test_a_paid_callback_pays_the_fee_lines_and_numbers_the_receipt(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX1")
    result = services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert result.outcome == "applied"
    assert _state(payment) == ("paid", FEE, [("initiated", 0), ("paid", FEE)])
    assert payment.receipt_number == "BL2026-000001"
    assert payment.gateway_transaction_id == "SBX1"
    assert payment.paid_at == NOW
    assert list(paying.dossier.fee_lines.values_list("is_paid", flat=True)) == [True]
    assert CallbackLog.objects.get().outcome == "applied"


def test_bad_signature_is_refused_logged_and_changes_nothing(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE)
    with pytest.raises(PermissionRefused) as refused:
        services.handle_callback(gateway_name="sandbox", body=body, signature="0" * 64)
    assert refused.value.code == "bad_signature"
    tampered = body.replace(b'"amount":50000', b'"amount":5')
    with pytest.raises(PermissionRefused):
        services.handle_callback(gateway_name="sandbox", body=tampered, signature=sig)
    assert _state(payment) == ("pending", 0, [("initiated", 0)])
    assert list(CallbackLog.objects.order_by("pk").values_list("outcome", "signature_valid")) == [
        ("bad_signature", False),
        ("bad_signature", False),
    ]


def test_a_replayed_callback_is_refused(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, status="failed", nonce="n-1")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    with pytest.raises(Conflict) as refused:
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert refused.value.code == "callback_replayed"
    assert _state(payment) == ("failed", 0, [("initiated", 0), ("failed", 0)])
    assert list(CallbackLog.objects.order_by("pk").values_list("outcome", flat=True)) == ["applied", "replay"]


def test_an_old_callback_is_refused_as_expired(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, at=NOW - dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed) as refused:
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert refused.value.code == "callback_expired"
    assert _state(payment) == ("pending", 0, [("initiated", 0)])
    assert CallbackLog.objects.get().outcome == "expired"


def test_an_amount_that_does_not_match_is_refused(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE - 1)
    with pytest.raises(ValidationFailed) as refused:
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert refused.value.code == "amount_mismatch"
    assert _state(payment) == ("pending", 0, [("initiated", 0)])
    log = CallbackLog.objects.get()
    assert (log.outcome, log.payment_id, log.amount) == ("amount_mismatch", payment.pk, FEE - 1)


def test_an_unknown_payment_is_refused_and_logged(paying):
    body, sig = signed_callback(reference="khong-co-khoan-nay", amount=FEE)
    with pytest.raises(NotFound) as refused:
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert refused.value.code == "payment_not_found"
    log = CallbackLog.objects.get()
    assert (log.outcome, log.payment_id, log.payment_reference) == (
        "unknown_payment",
        None,
        "khong-co-khoan-nay",
    )


def test_malformed_body_is_refused(paying):
    from motcua.payments.gateways import SandboxGateway, sign

    body = b'{"payment_reference": 1}'
    with pytest.raises(ValidationFailed) as refused:
        services.handle_callback(
            gateway_name="sandbox", body=body, signature=sign(SandboxGateway().secret(), body)
        )
    assert refused.value.code == "malformed_callback"
    assert CallbackLog.objects.get().outcome == "malformed"


def test_the_same_transaction_twice_is_recorded_once(paying):
    payment = _start(paying)
    first = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX9")
    second = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX9")  # new nonce
    services.handle_callback(gateway_name="sandbox", body=first[0], signature=first[1])
    result = services.handle_callback(gateway_name="sandbox", body=second[0], signature=second[1])
    assert result.outcome == "duplicate"
    assert not result.changed
    assert _state(payment) == ("paid", FEE, [("initiated", 0), ("paid", FEE)])


def test_failure_then_success_is_paid_late(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, status="failed")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX2")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert _state(payment) == ("paid_late", FEE, [("initiated", 0), ("failed", 0), ("paid", FEE)])


def test_a_late_failure_after_payment_changes_nothing(paying):
    payment = _start(paying)
    body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id="SBX3")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    body, sig = signed_callback(
        reference=payment.reference, amount=FEE, status="failed", transaction_id="SBX3"
    )
    result = services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    assert result.outcome == "ignored"
    assert _state(payment) == ("paid", FEE, [("initiated", 0), ("paid", FEE)])
    assert list(paying.dossier.fee_lines.values_list("is_paid", flat=True)) == [True]


def test_two_payments_of_the_same_fee_keep_both_and_flag_a_refund(paying):
    first = _start(paying)
    body, sig = signed_callback(reference=first.reference, amount=FEE, status="failed")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    second = _start(paying)  # the first failed: a new payment
    assert second.pk != first.pk
    for payment, txn in ((second, "SBX-B"), (first, "SBX-A")):
        body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id=txn)
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.state, second.settles_fees) == ("paid", True)
    assert (first.state, first.settles_fees) == ("paid_late", False)
    refunded = services.refund_payment(reference=first.reference, actor=paying.finance, reason="Nộp trùng")
    assert _state(refunded) == (
        "refunded",
        0,
        [("initiated", 0), ("failed", 0), ("paid", FEE), ("refunded", -FEE)],
    )
    assert list(paying.dossier.fee_lines.values_list("is_paid", flat=True)) == [True]  # still paid by second


def test_statement_lines_are_idempotent(paying):
    args = {
        "gateway_name": "sandbox",
        "transaction_id": "T1",
        "payment_reference": "r",
        "amount": 10,
        "settled_at": NOW,
    }
    assert services.record_statement_line(**args)[1] is True
    assert services.record_statement_line(**args)[1] is False
    assert StatementLine.objects.count() == 1


def test_the_sandbox_is_off_when_disabled(client, settings):
    settings.MOTCUA_PAYMENT_SANDBOX_ENABLED = False
    assert client.get("/cong-thanh-toan-thu-nghiem/?ref=x&amount=1&return=/&sig=0").status_code == 404
    with pytest.raises(NotFound) as refused:
        services.handle_callback(gateway_name="sandbox", body=b"{}", signature="")
    assert refused.value.code == "unknown_gateway"


def test_the_sandbox_refuses_a_tampered_checkout_request(client, paying):
    _payment, url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    assert client.get(url).status_code == 200
    tampered = url.replace("amount=50000", "amount=5000")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "Yêu cầu thanh toán không hợp lệ" in response.content.decode()
    elsewhere = url.replace("return=%2Fthanh-toan", "return=http%3A%2F%2Fevil.example%2Fthanh-toan")
    assert client.get(elsewhere).status_code == 400
