"""The reconciliation report (finance): per day, the ledger's gateway takings against the gateway
statement, the counter takings beside them, every mismatch listed, and the CSV export."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.core.errors import PermissionRefused, ValidationFailed
from motcua.dossiers.tests.factories import vn
from motcua.payments import services
from motcua.payments.selectors import reconcile, reconciliation_csv

from .conftest import FEE, NOW, accepted_online, return_url, signed_callback

pytestmark = pytest.mark.django_db


def _paid_online(world, *, code: str, txn: str, at: dt.datetime):
    dossier = accepted_online(world, code=code, at=at - dt.timedelta(hours=1))
    with time_machine.travel(at, tick=False):
        payment, _url = services.start_online_payment(
            dossier_id=dossier.pk, actor=world.citizen, return_url=return_url
        )
        body, sig = signed_callback(reference=payment.reference, amount=FEE, transaction_id=txn, at=at)
        services.handle_callback(gateway_name="sandbox", body=body, signature=sig)
    payment.refresh_from_db()
    return payment


def test_ledger_against_statement_with_every_kind_of_mismatch(paying):
    world = paying.world
    day1, day2 = vn(2026, 3, 2, 10), vn(2026, 3, 3, 10)
    matched = _paid_online(world, code="1.000101.H42", txn="T-OK", at=day1)
    services.record_statement_line(
        gateway_name="sandbox",
        transaction_id="T-OK",
        payment_reference=matched.reference,
        amount=FEE,
        settled_at=day1,
    )
    no_statement = _paid_online(world, code="1.000102.H42", txn="T-LEDGER-ONLY", at=day1)
    differs = _paid_online(world, code="1.000103.H42", txn="T-DIFF", at=day2)
    services.record_statement_line(
        gateway_name="sandbox",
        transaction_id="T-DIFF",
        payment_reference=differs.reference,
        amount=FEE - 5_000,
        settled_at=day2,
    )
    services.record_statement_line(
        gateway_name="sandbox",
        transaction_id="T-LOST",
        payment_reference="callback-never-came",
        amount=20_000,
        settled_at=day2,
    )
    with time_machine.travel(day2, tick=False):
        services.record_counter_payment(dossier_id=paying.dossier.pk, actor=world.reception, method="cash")

    report = reconcile(
        user=paying.finance, gateway_name="sandbox", start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3)
    )
    assert [(d.day.day, d.ledger, d.statement, d.difference, d.cash) for d in report.days] == [
        (2, 2 * FEE, FEE, FEE, 0),
        (3, FEE, FEE - 5_000 + 20_000, 5_000 - 20_000, FEE),
    ]
    assert (report.ledger_total, report.statement_total, report.counter_total) == (
        3 * FEE,
        2 * FEE + 15_000,
        FEE,
    )
    assert [(m.kind, m.transaction_id, m.ledger_amount, m.statement_amount) for m in report.mismatches] == [
        ("missing_in_statement", "T-LEDGER-ONLY", FEE, 0),
        ("amount_differs", "T-DIFF", FEE, FEE - 5_000),
        ("missing_in_ledger", "T-LOST", 0, 20_000),
    ]
    assert no_statement.reference in {m.payment_reference for m in report.mismatches}
    text = reconciliation_csv(report)
    lines = text.splitlines()
    assert lines[0] == "ngay,so_motcua_qua_cong,sao_ke_cong,chenh_lech,tien_mat,chuyen_khoan"
    assert lines[1] == "2026-03-02,100000,50000,50000,0,0"
    assert lines[2] == "2026-03-03,50000,65000,-15000,50000,0"
    assert lines[3] == "tong,150000,115000,35000,50000,0"
    assert lines[6].startswith('"Sổ motcua đã ghi, sao kê cổng không có",2026-03-02,T-LEDGER-ONLY,')
    assert reconciliation_csv(report, english=True).splitlines()[0].startswith("day,ledger_gateway_vnd")


def test_a_refund_shows_on_both_sides(paying):
    payment = _paid_online(paying.world, code="1.000104.H42", txn="T-R", at=NOW)
    services.record_statement_line(
        gateway_name="sandbox",
        transaction_id="T-R",
        payment_reference=payment.reference,
        amount=FEE,
        settled_at=NOW,
    )
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        services.refund_payment(reference=payment.reference, actor=paying.finance, reason="Nộp nhầm")
    services.record_statement_line(
        gateway_name="sandbox",
        transaction_id="T-R",
        payment_reference=payment.reference,
        amount=-FEE,
        settled_at=NOW + dt.timedelta(hours=2),
    )
    report = reconcile(user=paying.finance, gateway_name="sandbox", start=NOW.date(), end=NOW.date())
    assert (report.ledger_total, report.statement_total, report.mismatches) == (0, 0, [])


def test_only_finance_reconciles_and_the_period_is_checked(paying):
    with pytest.raises(PermissionRefused):
        reconcile(user=paying.world.reception, gateway_name="sandbox", start=NOW.date(), end=NOW.date())
    with pytest.raises(ValidationFailed) as refused:
        reconcile(
            user=paying.finance,
            gateway_name="sandbox",
            start=NOW.date(),
            end=NOW.date() - dt.timedelta(days=1),
        )
    assert refused.value.code == "invalid_period"


def test_statement_import_is_all_or_nothing_and_idempotent(paying):
    head = "transaction_id,payment_reference,amount,settled_at\n"
    good = head + "A1,r1,10000,2026-03-02T10:00:00+07:00\nA2,r2,5000,2026-03-02T11:00:00\n"
    assert services.import_statement(gateway_name="sandbox", csv_text=good, actor=paying.finance) == 2
    assert services.import_statement(gateway_name="sandbox", csv_text=good, actor=paying.finance) == 0
    bad = head + "B1,r,10000,2026-03-02T10:00:00\nB2,r,10.5,2026-03-02\n"
    with pytest.raises(ValidationFailed) as refused:
        services.import_statement(gateway_name="sandbox", csv_text=bad, actor=paying.finance)
    assert (refused.value.code, refused.value.extra["line"]) == ("statement_line_invalid", 3)
    with pytest.raises(ValidationFailed):
        services.import_statement(gateway_name="sandbox", csv_text="a,b\n1,2\n", actor=paying.finance)
    with pytest.raises(PermissionRefused):
        services.import_statement(gateway_name="sandbox", csv_text=good, actor=paying.world.reception)
    report = reconcile(user=paying.finance, gateway_name="sandbox", start=NOW.date(), end=NOW.date())
    assert report.statement_total == 15_000


def test_the_reconciliation_page_and_its_csv(client, paying):
    client.force_login(paying.finance)
    assert 'href="/can-bo/doi-soat/"' in client.get("/can-bo/").content.decode()
    page = client.get("/can-bo/doi-soat/?start=2026-03-02&end=2026-03-02")
    assert page.status_code == 200
    assert 'id="no-mismatch"' in page.content.decode()
    csv_response = client.get("/can-bo/doi-soat/?start=2026-03-02&end=2026-03-02&format=csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response.content.decode().splitlines()[1] == "2026-03-02,0,0,0,0,0"
    bad = client.get("/can-bo/doi-soat/?start=2026-03-05&end=2026-03-02")
    assert bad.status_code == 400
    assert "Ngày kết thúc phải sau ngày bắt đầu." in bad.content.decode()
    client.force_login(paying.world.reception)
    assert client.get("/can-bo/doi-soat/").status_code == 403
    assert 'href="/can-bo/doi-soat/"' not in client.get("/can-bo/").content.decode()
