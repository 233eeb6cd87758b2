"""SPEC T16-T17: the handler notifies a financial obligation; it becomes a fee line the applicant pays
online; the callback that records the money confirms the payment on the dossier (T17, by the
system), which resumes processing with the online-payment flag set."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import DossierEvent
from motcua.payments import services

from .conftest import FEE, NOW, return_url, signed_callback

pytestmark = pytest.mark.django_db


def test_paying_the_obligation_online_resumes_the_dossier(paying):
    world, dossier = paying.world, paying.dossier
    at = NOW - dt.timedelta(minutes=40)
    dossier_services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=at)
    dossier_services.assign_handler(
        dossier_id=dossier.pk,
        actor=world.leader,
        handler_id=world.handler.pk,
        at=at + dt.timedelta(minutes=5),
    )
    dossier_services.request_financial_obligation(
        dossier_id=dossier.pk,
        actor=world.handler,
        amount=200_000,
        description="Lệ phí trước bạ",
        at=at + dt.timedelta(minutes=10),
    )
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_financial_obligation"
    assert list(
        dossier.fee_lines.order_by("pk").values_list("description", "amount", "collect_at", "is_paid")
    ) == [
        ("Lệ phí", FEE, "on_receipt", False),
        ("Lệ phí trước bạ", 200_000, "obligation", False),
    ]
    payment, _url = services.start_online_payment(
        dossier_id=dossier.pk, actor=world.citizen, return_url=return_url
    )
    assert payment.amount == FEE + 200_000
    body, sig = signed_callback(reference=payment.reference, amount=FEE + 200_000)
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    dossier.refresh_from_db()
    assert (dossier.state, dossier.paid_online) == ("in_processing", 2)
    event = DossierEvent.objects.filter(dossier=dossier).order_by("-seq").first()
    assert (event.name, event.actor_id, event.actor_role) == ("payment_confirmed", None, "system")
    assert event.data == {
        "receipt_no": "BL2026-000001",
        "paid_online": 2,
        "due_at": "2026-03-16T17:00:00+07:00",
    }
    assert set(dossier.fee_lines.values_list("is_paid", flat=True)) == {True}


def test_a_failed_payment_leaves_the_dossier_waiting(paying):
    world, dossier = paying.world, paying.dossier
    at = NOW - dt.timedelta(minutes=40)
    dossier_services.forward_dossier(dossier_id=dossier.pk, actor=world.reception, at=at)
    dossier_services.assign_handler(
        dossier_id=dossier.pk,
        actor=world.leader,
        handler_id=world.handler.pk,
        at=at + dt.timedelta(minutes=5),
    )
    dossier_services.request_financial_obligation(
        dossier_id=dossier.pk,
        actor=world.handler,
        amount=100_000,
        description="Thuế",
        at=at + dt.timedelta(minutes=10),
    )
    payment, _url = services.start_online_payment(
        dossier_id=dossier.pk, actor=world.citizen, return_url=return_url
    )
    body, sig = signed_callback(reference=payment.reference, amount=payment.amount, status="failed")
    services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_financial_obligation"
    assert set(dossier.fee_lines.values_list("is_paid", flat=True)) == {False}
