"""Reads of payments: the gate for one payment, a dossier's fees and payments, reconciliation."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.models import Dossier, FeeLine
from motcua.dossiers.selectors import visible_dossiers

from .models import PAID_STATES, EntryKind, LedgerEntry, Payment, PaymentMethod, StatementLine


def _not_found() -> NotFound:
    return NotFound("Không tìm thấy khoản thanh toán.", "Payment not found.", code="payment_not_found")


def payment_for_user(user: User, reference: str) -> Payment:
    """The payment with this public reference if its dossier is one ``user`` may see; else 404
    (never 403, so references cannot be probed)."""
    payment = (
        Payment.objects.select_related("dossier", "recorded_by")
        .filter(reference=reference, dossier__in=visible_dossiers(user))
        .first()
    )
    if payment is None:
        raise _not_found()
    return payment


def fee_lines_of(dossier: Dossier) -> QuerySet[FeeLine]:
    return FeeLine.objects.filter(dossier=dossier).order_by("pk")


def payments_of(dossier: Dossier) -> QuerySet[Payment]:
    return Payment.objects.filter(dossier=dossier).order_by("-created_at", "-pk")


def amount_due(dossier: Dossier) -> int:
    return sum(line.amount for line in fee_lines_of(dossier).filter(is_paid=False))


# --------------------------------------------------------------------------------------------------
# Reconciliation (finance): ledger vs gateway statement, per local day
# --------------------------------------------------------------------------------------------------

MISSING_IN_LEDGER = "missing_in_ledger"
MISSING_IN_STATEMENT = "missing_in_statement"
AMOUNT_DIFFERS = "amount_differs"
REFUND_DUE = "refund_due"

MISMATCH_LABELS = {
    MISSING_IN_LEDGER: ("Cổng đã thu, sổ motcua chưa ghi", "In the gateway statement, not in the ledger"),
    MISSING_IN_STATEMENT: (
        "Sổ motcua đã ghi, sao kê cổng không có",
        "In the ledger, not in the gateway statement",
    ),
    AMOUNT_DIFFERS: ("Số tiền khác nhau", "Amounts differ"),
    REFUND_DUE: ("Nộp trùng, cần hoàn tiền", "Paid twice: refund due"),
}


@dataclass(frozen=True, slots=True)
class DayTotals:
    day: dt.date
    ledger: int
    statement: int
    cash: int
    transfer: int

    @property
    def difference(self) -> int:
        return self.ledger - self.statement


@dataclass(frozen=True, slots=True)
class Mismatch:
    kind: str
    day: dt.date
    transaction_id: str
    payment_reference: str
    ledger_amount: int
    statement_amount: int
    dossier_code: str = ""


@dataclass
class Reconciliation:
    gateway: str
    start: dt.date
    end: dt.date
    days: list[DayTotals] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ledger_total(self) -> int:
        return sum(d.ledger for d in self.days)

    @property
    def statement_total(self) -> int:
        return sum(d.statement for d in self.days)

    @property
    def counter_total(self) -> int:
        return sum(d.cash + d.transfer for d in self.days)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if end < start:
        raise ValidationFailed(
            "Ngày kết thúc phải sau ngày bắt đầu.",
            "The end date must not be before the start date.",
            code="invalid_period",
            field="end",
        )
    if (end - start).days > 366:
        raise ValidationFailed(
            "Kỳ đối soát dài tối đa một năm.",
            "A reconciliation period is at most one year.",
            code="period_too_long",
            field="end",
        )
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=VN_TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VN_TZ)
    return lo, hi


def reconcile(*, user: User, gateway_name: str, start: dt.date, end: dt.date) -> Reconciliation:
    """Per local day of the period: money the ledger took through the gateway (paid minus refunded
    entries) against the gateway's statement, the counter takings beside them, and every
    transaction that is on one side only, differs in amount, or paid fees already paid."""
    gate.require(user, "payments.reconcile")
    lo, hi = _bounds(start, end)
    entries = list(
        LedgerEntry.objects.filter(at__gte=lo, at__lt=hi, kind__in=[EntryKind.PAID, EntryKind.REFUNDED])
        .select_related("payment__dossier")
        .order_by("at", "pk")
    )
    lines = list(StatementLine.objects.filter(gateway=gateway_name, settled_at__gte=lo, settled_at__lt=hi))
    ledger_by_day: dict[dt.date, int] = defaultdict(int)
    cash: dict[dt.date, int] = defaultdict(int)
    transfer: dict[dt.date, int] = defaultdict(int)
    ledger_txn: dict[tuple[str, str], tuple[int, dt.date, Payment]] = {}
    report = Reconciliation(gateway=gateway_name, start=start, end=end)
    for entry in entries:
        day = entry.at.astimezone(VN_TZ).date()
        payment = entry.payment
        if payment.method == PaymentMethod.CASH:
            cash[day] += entry.amount
        elif payment.method == PaymentMethod.TRANSFER:
            transfer[day] += entry.amount
        elif payment.gateway == gateway_name:
            ledger_by_day[day] += entry.amount
            ledger_txn[(payment.gateway_transaction_id, str(entry.kind))] = (entry.amount, day, payment)
            if entry.kind == EntryKind.PAID and payment.state in PAID_STATES and not payment.settles_fees:
                report.mismatches.append(
                    Mismatch(
                        REFUND_DUE,
                        day,
                        payment.gateway_transaction_id,
                        payment.reference,
                        entry.amount,
                        0,
                        payment.dossier.reference,
                    )
                )
    statement_by_day: dict[dt.date, int] = defaultdict(int)
    seen: set[tuple[str, str]] = set()
    for line in lines:
        day = line.settled_at.astimezone(VN_TZ).date()
        statement_by_day[day] += line.amount
        key = (line.transaction_id, str(EntryKind.PAID if line.amount > 0 else EntryKind.REFUNDED))
        found = ledger_txn.get(key)
        if found is None:
            report.mismatches.append(
                Mismatch(MISSING_IN_LEDGER, day, line.transaction_id, line.payment_reference, 0, line.amount)
            )
            continue
        seen.add(key)
        if found[0] != line.amount:
            report.mismatches.append(
                Mismatch(
                    AMOUNT_DIFFERS,
                    day,
                    line.transaction_id,
                    line.payment_reference,
                    found[0],
                    line.amount,
                    found[2].dossier.reference,
                )
            )
    for key, (amount, day, payment) in ledger_txn.items():
        if key not in seen:
            report.mismatches.append(
                Mismatch(
                    MISSING_IN_STATEMENT, day, key[0], payment.reference, amount, 0, payment.dossier.reference
                )
            )
    current = start
    while current <= end:
        report.days.append(
            DayTotals(
                current, ledger_by_day[current], statement_by_day[current], cash[current], transfer[current]
            )
        )
        current += dt.timedelta(days=1)
    report.mismatches.sort(key=lambda m: (m.day, m.kind, m.transaction_id))
    return report


def reconciliation_csv(report: Reconciliation, *, english: bool = False) -> str:
    """The report as CSV: one row per day, a total row, then one row per mismatch."""
    out = io.StringIO()
    writer = csv.writer(out)
    if english:
        writer.writerow(
            ["day", "ledger_gateway_vnd", "statement_vnd", "difference_vnd", "cash_vnd", "transfer_vnd"]
        )
    else:
        writer.writerow(
            ["ngay", "so_motcua_qua_cong", "sao_ke_cong", "chenh_lech", "tien_mat", "chuyen_khoan"]
        )
    for d in report.days:
        writer.writerow([d.day.isoformat(), d.ledger, d.statement, d.difference, d.cash, d.transfer])
    writer.writerow(
        [
            "total" if english else "tong",
            report.ledger_total,
            report.statement_total,
            report.ledger_total - report.statement_total,
            sum(d.cash for d in report.days),
            sum(d.transfer for d in report.days),
        ]
    )
    writer.writerow([])
    if english:
        writer.writerow(
            [
                "mismatch",
                "day",
                "transaction_id",
                "payment_reference",
                "dossier",
                "ledger_vnd",
                "statement_vnd",
            ]
        )
    else:
        writer.writerow(
            ["sai_lech", "ngay", "ma_giao_dich", "ma_thanh_toan", "ho_so", "so_motcua", "sao_ke_cong"]
        )
    for m in report.mismatches:
        label = MISMATCH_LABELS[m.kind][1 if english else 0]
        writer.writerow(
            [
                label,
                m.day.isoformat(),
                m.transaction_id,
                m.payment_reference,
                m.dossier_code,
                m.ledger_amount,
                m.statement_amount,
            ]
        )
    return out.getvalue()
