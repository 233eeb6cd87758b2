"""The transactional outbox (ADR 0022), webhook subscriptions and the national portal sync state.

``OutboxEvent`` is written by the ``event_recorded`` receiver inside the dossier act's transaction:
one plain INSERT per event, nothing read. The worker fans each event out into one ``Delivery`` per
destination (each active webhook subscription, and the national portal when configured) and
delivers them in order per (destination, dossier).
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NATIONAL = "national"


def _new_secret() -> str:
    return secrets.token_hex(32)


class OutboxEvent(models.Model):
    """One dossier event waiting to be fanned out to the destinations (append-only, tiny)."""

    dossier_id = models.BigIntegerField()
    event_id = models.BigIntegerField(unique=True)
    seq = models.PositiveIntegerField()
    name = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], condition=Q(dispatched_at__isnull=True), name="outbox_event_undispatched"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.name}"


class WebhookSubscription(models.Model):
    """Another system that wants dossier events, POSTed as signed JSON (HMAC-SHA256)."""

    name = models.CharField(_("tên hệ thống nhận"), max_length=120)
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    # Event names (``accepted``, ``forwarded`` …); empty: every event.
    events = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def wants(self, event_name: str) -> bool:
        return not self.events or event_name in self.events


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERING = "delivering", _("Đang gửi")
    DELIVERED = "delivered", _("Đã gửi")
    DEAD = "dead", _("Gửi lỗi, chờ xử lý")
    SKIPPED = "skipped", _("Đã bỏ qua")


# States that let the next delivery of the same dossier to the same destination go.
SETTLED = (DeliveryState.DELIVERED, DeliveryState.SKIPPED)


class Delivery(models.Model):
    """One outbox event to one destination; retried with back-off, then dead-lettered."""

    outbox_event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    destination = models.CharField(max_length=40, help_text="'national' or 'webhook:<id>'")
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    dossier_id = models.BigIntegerField()
    # The id receivers deduplicate on: the same for every attempt of this delivery.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=12, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_status = models.CharField(max_length=40, blank=True, help_text="HTTP status or portal error_code")
    last_request = models.JSONField(null=True, blank=True)
    last_response = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=150, blank=True, help_text="operator who retried or skipped")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outbox_event", "destination"], name="delivery_once_per_destination"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in DeliveryState]), name="delivery_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state="delivered") | Q(delivered_at__isnull=False),
                name="delivery_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["destination", "dossier_id", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.destination} {self.outbox_event_id} {self.state}"


class NationalSyncState(models.Model):
    """Per dossier: the ``MaHoSo`` sent to the national portal and whether it exists there."""

    dossier_id = models.BigIntegerField(unique=True)
    ma_ho_so = models.CharField(max_length=60)
    created_on_portal = models.BooleanField(default=False)
    last_synced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.ma_ho_so} ({'created' if self.created_on_portal else 'not yet'})"


class PumpSchedule(models.Model):
    """A single row: when the next deferred pump run is already enqueued (so it is enqueued once)."""

    next_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"next pump run at {self.next_run_at}"
