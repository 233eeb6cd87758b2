"""Fees due on return (SPEC T22, issue #6): the return is refused while they are unpaid; the clerk
records a cash or transfer payment on the fees page, prints the e-receipt, then returns the result.
Through HTTP."""

from __future__ import annotations

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.catalog.models import Fee
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import make_procedure, staff, vn
from motcua.payments.models import LedgerEntry, Payment

pytestmark = pytest.mark.django_db

AT = vn(2026, 3, 2, 8)


def _ready_with_fee_on_return(factory) -> Dossier:
    version = make_procedure("1.000077.H42", fee=30_000)
    Fee.objects.filter(offer__version=version).update(
        collected_when="on_return", description="Lệ phí cấp bản sao"
    )
    return factory.create(at=AT, trait="result_ready", version=version)


def _return(client, dossier: Dossier):
    dossier.refresh_from_db()
    return client.post(
        f"/can-bo/ho-so/{dossier.pk}/thao-tac/",
        {
            "act": "return_result",
            "return_result-version": dossier.version,
            "return_result-delivery_method": "counter",
            "return_result-recipient_kind": "applicant",
            "return_result-recipient_name": "Nguyễn Văn An",
            "return_result-recipient_identifier": "042090001234",
        },
    )


def test_fees_due_on_return_are_collected_receipted_then_the_result_returned(client, world, factory):
    dossier = _ready_with_fee_on_return(factory)
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 20, 9), tick=False):
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        assert 'id="fees-link"' in page
        refused = _return(client, dossier)
        assert refused.status_code == 409
        assert "Còn phí, lệ phí phải nộp khi trả kết quả" in refused.content.decode()
        dossier.refresh_from_db()
        assert dossier.state == "result_ready"

        fees = client.get(f"/can-bo/ho-so/{dossier.pk}/thu-phi/")
        assert fees.status_code == 200
        assert '<strong id="amount-due">30.000 ₫</strong>' in fees.content.decode()

        missing = client.post(
            f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "transfer", "payer_name": "An"}
        )
        assert missing.status_code == 400
        assert "Cần ghi số giao dịch chuyển khoản." in missing.content.decode()
        assert Payment.objects.count() == 0

        done = client.post(
            f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash", "payer_name": "Nguyễn Văn An"}
        )
        assert done.status_code == 303
        payment = Payment.objects.get()
        assert (payment.method, payment.state, payment.amount, payment.receipt_number) == (
            "cash",
            "paid",
            30_000,
            "BL2026-000001",
        )
        assert payment.recorded_by == world.reception
        assert list(LedgerEntry.objects.filter(payment=payment).values_list("kind", "amount")) == [
            ("initiated", 0),
            ("paid", 30_000),
        ]
        again = client.post(f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash"})
        assert again.status_code == 409
        assert "Hồ sơ không còn khoản phí, lệ phí nào phải nộp." in again.content.decode()

        receipt = client.get(f"/can-bo/thanh-toan/{payment.reference}/bien-lai.pdf")
        assert receipt.status_code == 200
        assert receipt["Content-Type"] == "application/pdf"
        assert receipt.content.startswith(b"%PDF-")

        assert _return(client, dossier).status_code == 303
    dossier.refresh_from_db()
    assert dossier.state == "returned"
    assert list(dossier.fee_lines.values_list("is_paid", flat=True)) == [True]


def test_only_staff_who_may_collect_record_a_payment(client, world, factory, make_user, centre):
    dossier = _ready_with_fee_on_return(factory)
    client.force_login(world.handler)  # sees the dossier, may not collect fees
    with time_machine.travel(vn(2026, 3, 20, 9), tick=False):
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/thu-phi/")
        assert page.status_code == 200
        assert "Thu tiền tại quầy" not in page.content.decode()
        assert client.post(f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash"}).status_code == 403
        elsewhere = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan2", one_stop_unit_id=centre.pk)
        client.force_login(elsewhere)
        assert client.get(f"/can-bo/ho-so/{dossier.pk}/thu-phi/").status_code == 404
        assert client.post(f"/can-bo/ho-so/{dossier.pk}/thu-phi/", {"method": "cash"}).status_code == 404
    assert Payment.objects.count() == 0
