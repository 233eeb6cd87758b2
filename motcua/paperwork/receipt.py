"""The e-receipt of a payment (biên lai điện tử), as HTML or PDF, with the fonts of the forms.

Rendered on request from the payment and its ledger (nothing is stored): the receipt number is
given once, when the money is recorded (``payments.services``), so the same payment always prints
the same receipt. A refunded payment's receipt says so. Only paid or refunded payments have one.
[I] The layout follows the fields common to fee receipts (issuer, number, payer, items, amount,
method, time, collector); the statutory e-receipt template (Decree 123/2020 on invoices and
receipts, as amended) was not checked against its text: a template change once it is.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from motcua.core.clock import to_local
from motcua.core.errors import NotFound
from motcua.payments.models import Payment, PaymentState

from .formatting import money
from .render import _FONT_BASE, FONT_DIR

__all__ = ["receipt_html", "receipt_pdf"]


def _context(payment: Payment, font_base: str) -> dict[str, Any]:
    if not payment.receipt_number or payment.paid_at is None:
        raise NotFound(
            "Khoản thanh toán chưa có biên lai (chưa thanh toán).",
            "This payment has no receipt (not paid).",
            code="receipt_not_found",
        )
    dossier = payment.dossier
    unit = dossier.return_unit or dossier.received_at_unit
    lines = [
        (line.description or "Phí, lệ phí", money(line.amount)) for line in payment.fee_lines.order_by("pk")
    ]
    collector = payment.recorded_by
    return {
        "font_base": font_base,
        "payment": payment,
        "issuer": unit.name,
        "parent_body": dossier.competent_agency.name,
        "code": dossier.reference,
        "procedure": dossier.procedure_version.name,
        "payer": payment.payer_name or dossier.applicant_name,
        "lines": lines,
        "total": money(payment.amount),
        "method": payment.get_method_display(),
        "paid_at": to_local(payment.paid_at).strftime("%H:%M ngày %d/%m/%Y"),
        "collector": (collector.full_name or collector.username) if collector else "",
        "refunded": payment.state == PaymentState.REFUNDED,
        "refunded_at": to_local(payment.refunded_at).strftime("%H:%M ngày %d/%m/%Y")
        if payment.refunded_at
        else "",
    }


def receipt_html(payment: Payment, *, font_base: str | None = None) -> str:
    return render_to_string("paperwork/receipt.html", _context(payment, font_base or _FONT_BASE))


def receipt_pdf(payment: Payment) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = HTML(string=receipt_html(payment), base_url=str(FONT_DIR))
    pdf = html.render(font_config=FontConfiguration()).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
