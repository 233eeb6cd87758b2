"""Paying a fee in the sandbox gateway in a real Chromium: the citizen's fees page, the gateway's
page (pay or fail), the signed callback posted back by the browser, the paid status and the PDF
e-receipt. Screenshots in test-artifacts/."""

# ruff: noqa: F811 - the dossier world's fixtures are imported, then requested by name

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from conftest import screenshot
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import vn
from motcua.payments.models import CallbackLog, LedgerEntry, Payment, StatementLine
from motcua.payments.tests.conftest import FEE, accepted_online
from tests.test_browser_backoffice import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = vn(2026, 3, 2, 10, 0)


@pytest.fixture(autouse=True)
def _sessions_without_expiry(settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True


def test_a_citizen_pays_a_fee_in_the_sandbox_gateway(page, live_server, world):
    with time_machine.travel(NOW, tick=True):
        dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
        log_in(page, live_server, world.citizen)
        page.goto(f"{live_server.url}/thanh-toan/ho-so/{dossier.pk}/")
        assert page.locator("#amount-due").inner_text() == "50.000 ₫"
        page.get_by_role("button", name="Thanh toán trực tuyến").click()
        page.wait_for_url("**/cong-thanh-toan-thu-nghiem/**")
        assert page.locator("#sandbox-amount").inner_text() == "50.000 ₫"
        screenshot(page, "payments-sandbox-gateway")
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        page.wait_for_url("**/thanh-toan/*/")
        assert page.locator("#payment-state").inner_text() == "Đã thanh toán"
        assert page.locator("#receipt-number").inner_text() == "BL2026-000001"
        screenshot(page, "payments-paid")
        receipt = page.request.get(live_server.url + page.locator("#receipt-link").get_attribute("href"))
        assert receipt.status == 200
        assert receipt.headers["content-type"] == "application/pdf"
        assert receipt.body().startswith(b"%PDF-")
    payment = Payment.objects.get()
    assert (payment.state, payment.collected, payment.amount) == ("paid", FEE, FEE)
    assert list(LedgerEntry.objects.filter(payment=payment).values_list("kind", flat=True)) == [
        "initiated",
        "paid",
    ]
    assert list(CallbackLog.objects.values_list("outcome", flat=True)) == ["applied"]
    line = StatementLine.objects.get()
    assert (line.payment_reference, line.amount, line.transaction_id) == (
        payment.reference,
        FEE,
        payment.gateway_transaction_id,
    )
    assert list(dossier.fee_lines.values_list("is_paid", flat=True)) == [True]


def test_a_failed_payment_in_the_sandbox_leaves_the_fee_due(page, live_server, world):
    with time_machine.travel(NOW, tick=True):
        dossier = accepted_online(world, at=NOW - dt.timedelta(hours=1))
        log_in(page, live_server, world.citizen)
        page.goto(f"{live_server.url}/thanh-toan/ho-so/{dossier.pk}/")
        page.get_by_role("button", name="Thanh toán trực tuyến").click()
        page.get_by_role("button", name="Giả lập thanh toán thất bại").click()
        page.wait_for_url("**/thanh-toan/*/")
        assert page.locator("#payment-state").inner_text() == "Thanh toán không thành công"
        assert page.locator("#receipt-link").count() == 0
        screenshot(page, "payments-failed")
    assert Payment.objects.get().state == "failed"
    assert StatementLine.objects.count() == 0
    assert list(dossier.fee_lines.values_list("is_paid", flat=True)) == [False]
