"""Payments (issue #7 part 5): payments of a dossier's fee lines, kept as a ledger.

A ``Payment`` is one attempt to pay some of a dossier's fee lines, online through a gateway or at
the counter (cash or bank transfer). Its money is the sum of its ``LedgerEntry`` rows, which are
append-only: ``initiated`` (0), ``paid`` (+amount), ``failed`` (0), ``refunded`` (-amount). The
payment row caches that sum (``collected``) and the state the last entry left; database constraints
keep one ``paid`` and one ``refunded`` entry per payment at most, so a payment is never counted
twice, whatever arrives twice. Every callback from a gateway is logged (``CallbackLog``) whatever
its fate, and the gateway's own statement (``StatementLine``) is kept beside the ledger for the
reconciliation report.

Money is integer VND everywhere (no floats). Nothing here decides anything: ``services.py`` is the
only code that changes a payment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import AppendOnly


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Đang chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Thanh toán không thành công")
    PAID_LATE = "paid_late", _("Đã thanh toán (sau lần báo không thành công)")
    REFUNDED = "refunded", _("Đã hoàn tiền")


PAID_STATES = (PaymentState.PAID, PaymentState.PAID_LATE)


class PaymentMethod(models.TextChoices):
    GATEWAY = "gateway", _("Trực tuyến qua cổng thanh toán")
    CASH = "cash", _("Tiền mặt tại quầy")
    TRANSFER = "transfer", _("Chuyển khoản")


class EntryKind(models.TextChoices):
    INITIATED = "initiated", _("Khởi tạo")
    PAID = "paid", _("Đã thu")
    FAILED = "failed", _("Không thành công")
    REFUNDED = "refunded", _("Hoàn tiền")


class Payment(models.Model):
    """One payment of some fee lines of one dossier; its money is the sum of its ledger entries."""

    # Public, unguessable: the only key in citizen-facing URLs and gateway messages (ids are never
    # shown, so payments cannot be found by guessing numbers).
    reference = models.CharField(max_length=32, unique=True)
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    fee_lines = models.ManyToManyField("dossiers.FeeLine", related_name="payments")
    amount = models.PositiveBigIntegerField(help_text="VND")
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    gateway = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING)
    collected = models.BigIntegerField(default=0, help_text="VND: the sum of the ledger entries")
    # True when this payment marked its fee lines paid; False for a second payment of lines already
    # paid by another one (the money is real and kept in the ledger, and must be refunded).
    settles_fees = models.BooleanField(default=False)
    gateway_transaction_id = models.CharField(max_length=64, blank=True)
    transfer_reference = models.CharField(max_length=64, blank=True)
    receipt_number = models.CharField(max_length=20, null=True, blank=True, unique=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payer_name = models.CharField(max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in PaymentState]), name="payment_state_known"
            ),
            # The cached sum agrees with the state: paid ⇔ all the money, otherwise none of it.
            models.CheckConstraint(
                condition=(Q(state__in=["paid", "paid_late"]) & Q(collected=models.F("amount")))
                | (Q(state__in=["pending", "failed", "refunded"]) & Q(collected=0)),
                name="payment_collected_matches_state",
            ),
            models.CheckConstraint(
                condition=Q(method="gateway", gateway__gt="") | (~Q(method="gateway") & Q(gateway="")),
                name="payment_gateway_only_online",
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_transaction_id"],
                condition=~Q(gateway_transaction_id=""),
                name="payment_gateway_transaction_unique",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "state"]), models.Index(fields=["paid_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount} {self.state}"

    @property
    def is_paid(self) -> bool:
        return self.state in PAID_STATES


class LedgerEntry(AppendOnly):
    """One movement of a payment, append-only: the sum of a payment's entries is its money."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=EntryKind.choices)
    amount = models.BigIntegerField(help_text="VND, signed: +paid, -refunded, 0 otherwise")
    state_after = models.CharField(max_length=10, choices=PaymentState.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=20, help_text="counter, callback, staff")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["payment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "seq"], name="ledger_entry_seq_unique"),
            # Never counted twice: at most one "paid" and one "refunded" entry per payment.
            models.UniqueConstraint(
                fields=["payment", "kind"],
                condition=Q(kind__in=["paid", "refunded"]),
                name="ledger_entry_one_paid_one_refund",
            ),
            models.CheckConstraint(
                condition=(Q(kind="paid") & Q(amount__gt=0))
                | (Q(kind="refunded") & Q(amount__lt=0))
                | (Q(kind__in=["initiated", "failed"]) & Q(amount=0)),
                name="ledger_entry_sign_by_kind",
            ),
        ]
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.payment_id}#{self.seq} {self.kind} {self.amount}"


class CallbackOutcome(models.TextChoices):
    APPLIED = "applied", _("Đã ghi nhận")
    DUPLICATE = "duplicate", _("Trùng, đã ghi nhận trước đó")
    REPLAY = "replay", _("Gửi lại (nonce đã dùng)")
    IGNORED = "ignored", _("Đến muộn, không thay đổi")
    BAD_SIGNATURE = "bad_signature", _("Chữ ký không hợp lệ")
    MALFORMED = "malformed", _("Nội dung không hợp lệ")
    EXPIRED = "expired", _("Quá hạn")
    UNKNOWN_PAYMENT = "unknown_payment", _("Không có khoản thanh toán")
    AMOUNT_MISMATCH = "amount_mismatch", _("Số tiền không khớp")


class CallbackLog(models.Model):
    """Every callback a gateway sent, with what motcua did with it (nothing is dropped silently)."""

    gateway = models.CharField(max_length=20)
    received_at = models.DateTimeField()
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="callbacks"
    )
    payment_reference = models.CharField(max_length=64, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    nonce = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, blank=True)
    amount = models.BigIntegerField(null=True, blank=True)
    signature_valid = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=CallbackOutcome.choices)
    body = models.TextField()
    remote_addr = models.CharField(max_length=45, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["gateway", "nonce"]), models.Index(fields=["received_at"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.payment_reference} {self.outcome}"


class StatementLine(models.Model):
    """One line of a gateway's statement (its own record of money received or refunded)."""

    gateway = models.CharField(max_length=20)
    transaction_id = models.CharField(max_length=64)
    payment_reference = models.CharField(max_length=64)
    amount = models.BigIntegerField(help_text="VND, signed: + received, - refunded")
    settled_at = models.DateTimeField()
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["settled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "transaction_id", "amount"], name="statement_line_unique"
            )
        ]
        indexes = [models.Index(fields=["gateway", "settled_at"])]

    def __str__(self) -> str:
        return f"{self.gateway} {self.transaction_id} {self.amount}"


class ReceiptCounter(models.Model):
    """The last e-receipt number given per year (gap-free, like dossier codes)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
