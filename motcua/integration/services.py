"""Operator acts on the outbox and webhook subscriptions; every one asks the gate first.

Pages (``backoffice/outbox_views.py``) and the API call these; nothing else changes a delivery by
hand. Retry puts a dead (or waiting) delivery back in the queue now, with a fresh attempt count;
skip settles it without sending, so the dossier's later deliveries to that destination can go.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, ValidationFailed

from .models import Delivery, DeliveryState, WebhookSubscription

PERMISSION = "integration.operate"


def _require(actor: User | None) -> None:
    gate.require(actor, PERMISSION)


def _delivery(delivery_id: int) -> Delivery:
    found: Delivery | None = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if found is None:
        raise NotFound("Không tìm thấy lượt gửi này.", "No such delivery.", code="delivery_not_found")
    return found


def _who(actor: User) -> str:
    return (actor.get_full_name() or actor.username)[:150]


def retry_delivery(*, actor: User | None, delivery_id: int) -> Delivery:
    """Send a dead-lettered or waiting delivery again now (attempts start over)."""
    _require(actor)
    assert actor is not None
    with transaction.atomic():
        delivery = _delivery(delivery_id)
        if delivery.state not in (DeliveryState.DEAD, DeliveryState.PENDING):
            raise Conflict(
                "Chỉ gửi lại được lượt gửi lỗi hoặc đang chờ gửi lại.",
                "Only a failed or waiting delivery can be retried.",
                code="delivery_not_retryable",
                state=delivery.state,
            )
        delivery.state = DeliveryState.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = clock.now()
        delivery.settled_by = _who(actor)
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "settled_by", "updated_at"])
    return delivery


def skip_delivery(*, actor: User | None, delivery_id: int, reason: str) -> Delivery:
    """Settle a dead or waiting delivery without sending it; the reason is kept."""
    _require(actor)
    assert actor is not None
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            "Cần ghi lý do bỏ qua.",
            "A reason for skipping is required.",
            code="reason_required",
            field="reason",
        )
    with transaction.atomic():
        delivery = _delivery(delivery_id)
        if delivery.state not in (DeliveryState.DEAD, DeliveryState.PENDING):
            raise Conflict(
                "Chỉ bỏ qua được lượt gửi lỗi hoặc đang chờ gửi lại.",
                "Only a failed or waiting delivery can be skipped.",
                code="delivery_not_skippable",
                state=delivery.state,
            )
        delivery.state = DeliveryState.SKIPPED
        delivery.settled_by = _who(actor)
        delivery.last_error = f"{delivery.last_error}\n[skipped] {reason}".strip()[:4000]
        delivery.save(update_fields=["state", "settled_by", "last_error", "updated_at"])
    return delivery


def check_url(url: str) -> str:
    """A webhook address: absolute http(s) with a host, no credentials, at most 500 characters."""
    url = (url or "").strip()
    parts = urlsplit(url) if len(url) <= 500 else None
    host = parts.hostname if parts else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or parts.username
        or parts.password
        or any(c.isspace() for c in url)
    ):
        raise ValidationFailed(
            "Địa chỉ nhận không hợp lệ: cần một địa chỉ http:// hoặc https:// đầy đủ (tối đa 500 ký tự).",
            "Invalid receiving address: a full http:// or https:// URL is required (at most 500 characters).",
            code="invalid_webhook_url",
            field="url",
        )
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValidationFailed(
            "Địa chỉ nhận không hợp lệ: cổng (port) sai.",
            "Invalid receiving address: bad port.",
            code="invalid_webhook_url",
            field="url",
        ) from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if "." not in host and host != "localhost":
            raise ValidationFailed(
                "Địa chỉ nhận không hợp lệ: tên máy chủ không đầy đủ.",
                "Invalid receiving address: the host name is incomplete.",
                code="invalid_webhook_url",
                field="url",
            ) from None
    return url


def _events(events: Iterable[str]) -> list[str]:
    return sorted({e.strip() for e in events if e and e.strip()})


def create_subscription(
    *, actor: User | None, name: str, url: str, events: Iterable[str] = ()
) -> WebhookSubscription:
    _require(actor)
    name = name.strip()
    if not name:
        raise ValidationFailed(
            "Cần tên hệ thống nhận.",
            "The receiving system's name is required.",
            code="name_required",
            field="name",
        )
    return WebhookSubscription.objects.create(name=name[:120], url=check_url(url), events=_events(events))


def set_subscription_active(*, actor: User | None, subscription_id: int, active: bool) -> WebhookSubscription:
    """Pause or resume a subscription (events recorded while paused are not sent to it)."""
    _require(actor)
    sub = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(
            "Không tìm thấy đăng ký webhook.", "No such webhook subscription.", code="subscription_not_found"
        )
    sub.is_active = active
    sub.save(update_fields=["is_active"])
    return sub
