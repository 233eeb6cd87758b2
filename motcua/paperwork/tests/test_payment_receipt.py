"""The e-receipt of a payment as PDF: real text, the shipped fonts, A5, exact amounts; refunded
payments say so; an unpaid payment has no receipt."""

# ruff: noqa: F811 - fixtures imported, then requested by name

from __future__ import annotations

import pytest

from motcua.core.errors import NotFound
from motcua.paperwork.receipt import receipt_pdf
from motcua.payments import services
from motcua.payments.tests.conftest import calendar_2026, factory, frozen, paying, return_url, world  # noqa: F401

from .pdf_tools import flat, pdf_fonts, pdf_info, pdf_text

pytestmark = pytest.mark.django_db


def test_the_receipt_of_a_transfer_at_the_counter(paying):
    payment = services.record_counter_payment(
        dossier_id=paying.dossier.pk,
        actor=paying.world.reception,
        method="transfer",
        transfer_reference="VCB-778899",
    )
    pdf = receipt_pdf(payment)
    text = flat(pdf_text(pdf))
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ" in text
    assert "Số: BL2026-000001" in text
    assert "Người nộp: Nguyễn Văn An" in text
    assert f"Mã hồ sơ: {paying.dossier.code}" in text
    assert "Lệ phí 50.000 đồng" in text
    assert "Tổng cộng 50.000 đồng" in text
    assert "Hình thức nộp: Chuyển khoản — số giao dịch VCB-778899" in text
    assert "Thời điểm thu: 09:00 ngày 02/03/2026" in text
    assert "ĐÃ HOÀN TIỀN" not in text
    assert pdf_fonts(pdf) == ["Motcua-Serif", "Motcua-Serif-Bold", "Motcua-Serif-Italic"]
    assert pdf_info(pdf)["Pages"] == "1"
    refunded = services.refund_payment(reference=payment.reference, actor=paying.finance, reason="Nộp nhầm")
    assert "ĐÃ HOÀN TIỀN lúc 09:00 ngày 02/03/2026" in flat(pdf_text(receipt_pdf(refunded)))


def test_an_unpaid_payment_has_no_receipt(paying):
    payment, _url = services.start_online_payment(
        dossier_id=paying.dossier.pk, actor=paying.citizen, return_url=return_url
    )
    with pytest.raises(NotFound) as refused:
        receipt_pdf(payment)
    assert refused.value.code == "receipt_not_found"
