"""The one door for payments: start an online payment, take a gateway's callback, record a payment
at the counter, refund, keep the gateway's statement.

Each act runs in one transaction that locks the payment row (``SELECT … FOR UPDATE``; SQLite locks
the database at BEGIN) before it reads the state, appends the ledger entry and updates the cached
state and sum, so two callbacks for one payment arriving together are applied one after the other
and the second finds the first's work. The database refuses a second ``paid`` entry anyway
(``ledger_entry_one_paid_one_refund``). Fee lines are marked paid through
``dossiers.services.settle_fee_lines`` in the same transaction, and a dossier waiting for its
financial obligation (SPEC T16) moves on through ``dossiers.services.confirm_payment`` (T17) once
nothing of it is left unpaid.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.errors import Conflict, NotFound, PermissionRefused, ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import OBLIGATION, Dossier, FeeLine, PaidOnline
from motcua.dossiers.selectors import dossier_for_user
from motcua.workflow import State

from .gateways import CheckoutRequest, gateway, parse_callback
from .models import (
    PAID_STATES,
    CallbackLog,
    CallbackOutcome,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentMethod,
    PaymentState,
    ReceiptCounter,
    StatementLine,
)

__all__ = [
    "CallbackResult",
    "handle_callback",
    "import_statement",
    "record_counter_payment",
    "record_statement_line",
    "refund_payment",
    "start_online_payment",
]

log = logging.getLogger("motcua.payments")

COUNTER_METHODS: Final = (PaymentMethod.CASH, PaymentMethod.TRANSFER)
STATUS_PAID: Final = "paid"
STATUS_FAILED: Final = "failed"


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _instant(at: dt.datetime | None) -> dt.datetime:
    when = clock.now() if at is None else at
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationFailed(
            "Thời điểm phải kèm múi giờ.", "The instant must carry a time zone.", code="naive_datetime"
        )
    return when


def new_reference() -> str:
    """A public payment reference: 20 random URL-safe characters (120 bits), never a row id."""
    return secrets.token_urlsafe(15)


def _next_receipt_number(at: dt.datetime) -> str:
    """``BL2026-000001``: numbered per local year, gap-free (the counter row is locked)."""
    year = at.astimezone(VN_TZ).year
    try:
        with transaction.atomic():
            ReceiptCounter.objects.get_or_create(year=year)
    except IntegrityError:  # created by a concurrent act: it exists now
        pass
    counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"BL{year}-{counter.last:06d}"


def _append(
    payment: Payment,
    kind: EntryKind,
    *,
    at: dt.datetime,
    state: PaymentState,
    actor: User | None,
    source: str,
    data: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append the entry, then move the payment's state and cached sum with it."""
    amounts = {
        EntryKind.PAID: payment.amount,
        EntryKind.REFUNDED: -payment.amount,
        EntryKind.INITIATED: 0,
        EntryKind.FAILED: 0,
    }
    last = payment.entries.order_by("-seq").values_list("seq", flat=True).first() or 0
    entry = LedgerEntry(
        payment=payment,
        seq=last + 1,
        kind=kind,
        amount=amounts[kind],
        state_after=state,
        at=at,
        actor=actor,
        source=source,
        data=data or {},
    )
    entry.save()
    payment.collected += entry.amount
    payment.state = state
    payment.save()
    return entry


def _unpaid_lines(dossier: Dossier, fee_line_ids: Sequence[int] | None) -> list[FeeLine]:
    lines = FeeLine.objects.select_for_update().filter(dossier=dossier).order_by("pk")
    if fee_line_ids is not None:
        wanted = set(fee_line_ids)
        found = list(lines.filter(pk__in=wanted))
        if len(found) != len(wanted):
            raise ValidationFailed(
                "Khoản phí không thuộc hồ sơ này.",
                "A fee line does not belong to this dossier.",
                code="unknown_fee_line",
                field="fee_lines",
            )
        if any(line.is_paid for line in found):
            raise Conflict(
                "Khoản phí này đã được nộp.", "This fee has already been paid.", code="fee_already_paid"
            )
        return found
    return list(lines.filter(is_paid=False))


def _nothing_due() -> Conflict:
    return Conflict(
        "Hồ sơ không còn khoản phí, lệ phí nào phải nộp.",
        "Nothing is due on this dossier.",
        code="nothing_due",
    )


def _settle(payment: Payment, *, at: dt.datetime) -> None:
    """Mark the payment's fee lines paid (if still unpaid) and move a dossier waiting to pay."""
    line_ids = list(payment.fee_lines.values_list("pk", flat=True))
    already = FeeLine.objects.filter(pk__in=line_ids, is_paid=True).exists()
    if already:
        # Another payment got there first: the money is real and stays in the ledger; finance
        # refunds it (listed by the reconciliation report).
        log.warning("payment %s paid fee lines already paid: refund due", payment.reference)
        return
    dossier_services.settle_fee_lines(fee_line_ids=line_ids, paid_at=at)
    payment.settles_fees = True
    payment.save(update_fields=["settles_fees"])
    dossier = Dossier.objects.only("state").get(pk=payment.dossier_id)
    owed = FeeLine.objects.filter(dossier_id=payment.dossier_id, collect_at=OBLIGATION, is_paid=False)
    paid_obligation = payment.fee_lines.filter(collect_at=OBLIGATION).exists()
    if dossier.state == State.AWAITING_FINANCIAL_OBLIGATION and paid_obligation and not owed.exists():
        online = payment.method == PaymentMethod.GATEWAY
        dossier_services.confirm_payment(
            dossier_id=payment.dossier_id,
            actor=None,
            receipt_no=payment.receipt_number or "",
            paid_online=PaidOnline.PROVINCIAL_GATEWAY if online else PaidOnline.NO,
        )


def _mark_paid(
    payment: Payment,
    *,
    state: PaymentState,
    at: dt.datetime,
    actor: User | None,
    source: str,
    data: dict[str, Any],
) -> None:
    payment.paid_at = at
    payment.receipt_number = _next_receipt_number(at)
    _append(payment, EntryKind.PAID, at=at, state=state, actor=actor, source=source, data=data)
    _settle(payment, at=at)


# --------------------------------------------------------------------------------------------------
# Online: start, then the gateway's callback
# --------------------------------------------------------------------------------------------------


def start_online_payment(
    *,
    dossier_id: int,
    actor: User,
    return_url: Callable[[str], str],
    fee_line_ids: Sequence[int] | None = None,
    at: dt.datetime | None = None,
) -> tuple[Payment, str]:
    """A pending payment of the dossier's unpaid fees (or those given), and the gateway URL to send
    the payer to. Only someone who may see the dossier may pay it (404 otherwise). A pending payment
    of the same fees still within ``MOTCUA_PAYMENT_PENDING_MINUTES`` is reused, not duplicated."""
    when = _instant(at)
    gw = gateway()
    with transaction.atomic():
        dossier = dossier_for_user(actor, dossier_id)
        lines = _unpaid_lines(dossier, fee_line_ids)
        if not lines:
            raise _nothing_due()
        ids = sorted(line.pk for line in lines)
        amount = sum(line.amount for line in lines)
        if amount <= 0:
            raise _nothing_due()
        for open_payment in Payment.objects.filter(
            dossier=dossier, state=PaymentState.PENDING, gateway=gw.name, expires_at__gt=when
        ).prefetch_related("fee_lines"):
            if sorted(line.pk for line in open_payment.fee_lines.all()) == ids:
                url = gw.checkout_url(
                    CheckoutRequest(
                        open_payment.reference, open_payment.amount, return_url(open_payment.reference)
                    )
                )
                return open_payment, url
        payment = Payment.objects.create(
            reference=new_reference(),
            dossier=dossier,
            amount=amount,
            method=PaymentMethod.GATEWAY,
            gateway=gw.name,
            payer=actor,
            payer_name=actor.full_name or actor.username,
            created_at=when,
            expires_at=when + dt.timedelta(minutes=int(settings.MOTCUA_PAYMENT_PENDING_MINUTES)),
        )
        payment.fee_lines.set(lines)
        _append(
            payment, EntryKind.INITIATED, at=when, state=PaymentState.PENDING, actor=actor, source="payer"
        )
    url = gw.checkout_url(CheckoutRequest(payment.reference, payment.amount, return_url(payment.reference)))
    return payment, url


@dataclass(frozen=True, slots=True)
class CallbackResult:
    outcome: CallbackOutcome
    payment: Payment | None
    log_id: int

    @property
    def changed(self) -> bool:
        return self.outcome == CallbackOutcome.APPLIED


def _refusal(outcome: CallbackOutcome) -> Exception | None:
    errors: dict[CallbackOutcome, Exception] = {
        CallbackOutcome.BAD_SIGNATURE: PermissionRefused(
            "Chữ ký của thông báo thanh toán không hợp lệ.",
            "The payment callback signature is invalid.",
            code="bad_signature",
        ),
        CallbackOutcome.MALFORMED: ValidationFailed(
            "Nội dung thông báo thanh toán không hợp lệ.",
            "The payment callback body is malformed.",
            code="malformed_callback",
        ),
        CallbackOutcome.EXPIRED: ValidationFailed(
            "Thông báo thanh toán đã quá hạn (dấu thời gian quá cũ hoặc ở tương lai).",
            "The payment callback is too old or dated in the future.",
            code="callback_expired",
        ),
        CallbackOutcome.REPLAY: Conflict(
            "Thông báo thanh toán này đã được gửi trước đó (nonce đã dùng).",
            "This payment callback was already received (nonce reused).",
            code="callback_replayed",
        ),
        CallbackOutcome.UNKNOWN_PAYMENT: NotFound(
            "Không tìm thấy khoản thanh toán.", "Payment not found.", code="payment_not_found"
        ),
        CallbackOutcome.AMOUNT_MISMATCH: ValidationFailed(
            "Số tiền trong thông báo không khớp với khoản thanh toán.",
            "The callback amount does not match the payment.",
            code="amount_mismatch",
        ),
    }
    return errors.get(outcome)


def _decide(payment: Payment, data: dict[str, Any]) -> tuple[CallbackOutcome, PaymentState | None]:
    """What a valid, fresh callback does to the payment: the outcome and the new state (if any)."""
    state, status, txn = PaymentState(payment.state), data["status"], data["transaction_id"]
    same_txn = payment.gateway_transaction_id == txn
    if status == STATUS_PAID:
        if state == PaymentState.PENDING:
            return CallbackOutcome.APPLIED, PaymentState.PAID
        if state == PaymentState.FAILED:
            return CallbackOutcome.APPLIED, PaymentState.PAID_LATE
        if state in PAID_STATES and same_txn:
            return CallbackOutcome.DUPLICATE, None
        return CallbackOutcome.IGNORED, None
    if state == PaymentState.PENDING:
        return CallbackOutcome.APPLIED, PaymentState.FAILED
    if state == PaymentState.FAILED:
        return CallbackOutcome.DUPLICATE, None
    return CallbackOutcome.IGNORED, None  # a failure after the money arrived changes nothing


def handle_callback(
    *,
    gateway_name: str,
    body: bytes,
    signature: str,
    remote_addr: str = "",
    at: dt.datetime | None = None,
) -> CallbackResult:
    """Take a gateway's signed callback: apply it once, or refuse it; log it in every case.

    Refused (raises, nothing but the log row written): a bad signature (403), a malformed body
    (400), a timestamp outside ``MOTCUA_PAYMENT_CALLBACK_MAX_AGE_SECONDS`` (400), a nonce already
    seen (a replay, 409), an unknown payment (404), an amount that differs from the payment (400).
    Accepted without change: the same transaction again (``duplicate``) and news that no longer
    applies, such as a failure after the money arrived (``ignored``).
    """
    when = _instant(at)
    gw = gateway(gateway_name)
    text = body.decode("utf-8", errors="replace")[:4000]
    valid = gw.verify(body, signature)
    data = parse_callback(body) if valid else None
    fields: dict[str, Any] = {
        "gateway": gw.name,
        "received_at": when,
        "body": text,
        "signature_valid": valid,
        "remote_addr": remote_addr[:45],
    }
    if data is not None:
        fields |= {
            "payment_reference": data["payment_reference"][:64],
            "transaction_id": data["transaction_id"][:64],
            "nonce": data["nonce"][:64],
            "status": data["status"][:20],
            "amount": data["amount"],
        }
    payment: Payment | None = None
    with transaction.atomic():
        if not valid:
            outcome = CallbackOutcome.BAD_SIGNATURE
        elif data is None or data["status"] not in (STATUS_PAID, STATUS_FAILED) or not data["nonce"]:
            outcome = CallbackOutcome.MALFORMED
        elif abs(when.timestamp() - data["timestamp"]) > int(
            settings.MOTCUA_PAYMENT_CALLBACK_MAX_AGE_SECONDS
        ):
            outcome = CallbackOutcome.EXPIRED
        else:
            payment = (
                Payment.objects.select_for_update()
                .filter(reference=data["payment_reference"], gateway=gw.name)
                .first()
            )
            seen = CallbackLog.objects.filter(
                gateway=gw.name, nonce=data["nonce"][:64], signature_valid=True
            ).exclude(outcome__in=[CallbackOutcome.EXPIRED, CallbackOutcome.MALFORMED])
            if payment is None:
                outcome = CallbackOutcome.UNKNOWN_PAYMENT
            elif seen.exists():
                outcome = CallbackOutcome.REPLAY
            elif data["amount"] != payment.amount:
                outcome = CallbackOutcome.AMOUNT_MISMATCH
            else:
                outcome, new_state = _decide(payment, data)
                details = {"transaction_id": data["transaction_id"], "nonce": data["nonce"]}
                if new_state in PAID_STATES:
                    payment.gateway_transaction_id = data["transaction_id"][:64]
                    _mark_paid(payment, state=new_state, at=when, actor=None, source="callback", data=details)
                elif new_state == PaymentState.FAILED:
                    _append(
                        payment,
                        EntryKind.FAILED,
                        at=when,
                        state=new_state,
                        actor=None,
                        source="callback",
                        data=details,
                    )
        entry = CallbackLog.objects.create(payment=payment, outcome=outcome, **fields)
    level = (
        logging.INFO if outcome in (CallbackOutcome.APPLIED, CallbackOutcome.DUPLICATE) else logging.WARNING
    )
    log.log(level, "payment callback %s: %s (log %s)", gw.name, outcome.value, entry.pk)
    error = _refusal(outcome)
    if error is not None:
        raise error
    return CallbackResult(outcome=outcome, payment=payment, log_id=entry.pk)


# --------------------------------------------------------------------------------------------------
# At the counter; refunds
# --------------------------------------------------------------------------------------------------


def may_collect(user: User, dossier: Dossier) -> bool:
    """Reception at the receiving or return unit, or finance at the competent agency."""
    unit = dossier.return_unit_id or dossier.received_at_unit_id
    return gate.allows(user, "dossier.collect_fee", one_stop_unit_id=unit) or gate.allows(
        user,
        "dossier.collect_fee",
        one_stop_unit_id=dossier.received_at_unit_id,
        agency_id=dossier.competent_agency_id,
    )


def record_counter_payment(
    *,
    dossier_id: int,
    actor: User,
    method: str,
    transfer_reference: str = "",
    payer_name: str = "",
    fee_line_ids: Sequence[int] | None = None,
    at: dt.datetime | None = None,
) -> Payment:
    """Fees paid at the counter in cash or by bank transfer (SPEC T22: on return), receipted at once."""
    if method not in COUNTER_METHODS:
        raise ValidationFailed(
            "Hình thức nộp tiền không hợp lệ (tiền mặt hoặc chuyển khoản).",
            "Invalid payment method (cash or transfer).",
            code="invalid_method",
            field="method",
        )
    reference_text = transfer_reference.strip()
    if method == PaymentMethod.TRANSFER and not reference_text:
        raise ValidationFailed(
            "Cần ghi số giao dịch chuyển khoản.",
            "The bank transfer reference is required.",
            code="required",
            field="transfer_reference",
        )
    when = _instant(at)
    with transaction.atomic():
        dossier = dossier_for_user(actor, dossier_id)
        if not may_collect(actor, dossier):
            raise PermissionRefused(
                "Bạn không có quyền thu phí, lệ phí của hồ sơ này.",
                "You may not collect fees for this dossier.",
                code="permission_denied",
            )
        lines = _unpaid_lines(dossier, fee_line_ids)
        if not lines:
            raise _nothing_due()
        payment = Payment.objects.create(
            reference=new_reference(),
            dossier=dossier,
            amount=sum(line.amount for line in lines),
            method=method,
            transfer_reference=reference_text[:64],
            payer_name=(payer_name.strip() or dossier.applicant_name)[:255],
            recorded_by=actor,
            created_at=when,
        )
        payment.fee_lines.set(lines)
        _append(
            payment, EntryKind.INITIATED, at=when, state=PaymentState.PENDING, actor=actor, source="counter"
        )
        _mark_paid(payment, state=PaymentState.PAID, at=when, actor=actor, source="counter", data={})
    return payment


def refund_payment(*, reference: str, actor: User, reason: str, at: dt.datetime | None = None) -> Payment:
    """Finance refunds a paid payment: a negative entry; its fee lines are due again."""
    if not reason.strip():
        raise ValidationFailed(
            "Cần ghi lý do hoàn tiền.", "The refund reason is required.", code="required", field="reason"
        )
    when = _instant(at)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().select_related("dossier").filter(reference=reference).first()
        )
        if payment is None:
            raise NotFound("Không tìm thấy khoản thanh toán.", "Payment not found.", code="payment_not_found")
        gate.require(actor, "payments.reconcile", agency_id=payment.dossier.competent_agency_id)
        if payment.state not in PAID_STATES:
            raise Conflict(
                "Chỉ hoàn tiền khoản đã thanh toán.", "Only a paid payment can be refunded.", code="not_paid"
            )
        payment.refunded_at = when
        _append(
            payment,
            EntryKind.REFUNDED,
            at=when,
            state=PaymentState.REFUNDED,
            actor=actor,
            source="staff",
            data={"reason": reason.strip()[:500]},
        )
        if payment.settles_fees:
            dossier_services.settle_fee_lines(
                fee_line_ids=list(payment.fee_lines.values_list("pk", flat=True)), paid_at=None
            )
    return payment


# --------------------------------------------------------------------------------------------------
# The gateway's statement
# --------------------------------------------------------------------------------------------------


def record_statement_line(
    *, gateway_name: str, transaction_id: str, payment_reference: str, amount: int, settled_at: dt.datetime
) -> tuple[StatementLine, bool]:
    """One line of the gateway's own statement (idempotent on gateway, transaction and amount)."""
    if not transaction_id.strip() or amount == 0:
        raise ValidationFailed(
            "Dòng sao kê thiếu mã giao dịch hoặc số tiền.",
            "A statement line needs a transaction id and a non-zero amount.",
            code="invalid_statement_line",
        )
    return StatementLine.objects.get_or_create(
        gateway=gateway_name,
        transaction_id=transaction_id.strip()[:64],
        amount=amount,
        defaults={
            "payment_reference": payment_reference.strip()[:64],
            "settled_at": _instant(settled_at),
            "imported_at": clock.now(),
        },
    )


STATEMENT_COLUMNS: Final = ("transaction_id", "payment_reference", "amount", "settled_at")


def import_statement(*, gateway_name: str, csv_text: str, actor: User) -> int:
    """Load a gateway statement (CSV: transaction_id, payment_reference, amount, settled_at ISO 8601).

    All rows or none: a bad row refuses the file with its line number. Returns the lines added
    (lines already loaded are skipped, so loading a file twice adds nothing).
    """
    gate.require(actor, "payments.reconcile")
    reader = csv.DictReader(io.StringIO(csv_text))
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in STATEMENT_COLUMNS):
        raise ValidationFailed(
            "Tệp sao kê phải có các cột: " + ", ".join(STATEMENT_COLUMNS) + ".",
            "The statement must have the columns: " + ", ".join(STATEMENT_COLUMNS) + ".",
            code="statement_columns",
        )
    rows: list[tuple[str, str, int, dt.datetime]] = []
    for number, row in enumerate(reader, start=2):
        try:
            amount = int(row["amount"])
            settled = dt.datetime.fromisoformat(row["settled_at"])
            if settled.tzinfo is None:
                settled = settled.replace(tzinfo=VN_TZ)
        except (TypeError, ValueError):
            raise ValidationFailed(
                f"Dòng {number} của tệp sao kê không hợp lệ (số tiền là số nguyên VND, thời điểm ISO 8601).",
                f"Line {number} of the statement is invalid (amount in integer VND, time in ISO 8601).",
                code="statement_line_invalid",
                line=number,
            ) from None
        rows.append((row["transaction_id"], row["payment_reference"], amount, settled))
    added = 0
    with transaction.atomic():
        for txn, ref, amount, settled in rows:
            _line, created = record_statement_line(
                gateway_name=gateway_name,
                transaction_id=txn,
                payment_reference=ref,
                amount=amount,
                settled_at=settled,
            )
            added += int(created)
    return added


def unpaid_fee_lines(dossier: Dossier) -> Iterable[FeeLine]:
    return FeeLine.objects.filter(dossier=dossier, is_paid=False).order_by("pk")


def payments_needing_refund() -> Q:
    """Paid payments whose fee lines another payment had already paid (the money must go back)."""
    return Q(state__in=[s.value for s in PAID_STATES], settles_fees=False)
