"""Webhook deliveries: signed JSON POSTs to subscribed systems (ADR 0022).

Headers: ``X-Motcua-Delivery`` (the delivery's UUID, the same on every attempt: receivers
deduplicate on it), ``X-Motcua-Event``, ``X-Motcua-Timestamp`` (Unix seconds) and
``X-Motcua-Signature: sha256=<hex>``, the HMAC-SHA256 with the subscription's secret of
``<timestamp>.<body bytes>``. The body names the event and the dossier by id and code only: no
applicant data leaves through a webhook.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from motcua.core import clock
from motcua.workflow import State
from motcua.workflow.states import national_status

from .http import dumps, post_json
from .models import Delivery
from .outbox import NO_ANSWER, Outcome


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and what the tests do): constant-time comparison."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(delivery: Delivery) -> dict[str, Any]:
    from motcua.dossiers.models import Dossier, DossierEvent

    outbox = delivery.outbox_event
    event = DossierEvent.objects.get(pk=outbox.event_id)
    code = Dossier.objects.filter(pk=outbox.dossier_id).values_list("code", flat=True).first()
    after = State(event.state_after)
    return {
        "id": str(delivery.uid),
        "type": f"dossier.{event.name}",
        "occurred_at": event.at.isoformat(),
        "dossier": {"id": outbox.dossier_id, "code": code or ""},
        "event": {
            "seq": event.seq,
            "name": event.name,
            "act": event.act,
            "actor_role": event.actor_role,
            "state_before": event.state_before,
            "state_after": event.state_after,
            "step_after": event.step_after,
            "national_status": national_status(after),
        },
    }


def send(delivery: Delivery) -> Outcome:
    sub = delivery.subscription
    if sub is None:
        return Outcome(ok=False, error="subscription missing", permanent=True)
    body_obj = payload(delivery)
    body = dumps(body_obj)
    timestamp = str(int(clock.now().timestamp()))
    headers = {
        "X-Motcua-Delivery": str(delivery.uid),
        "X-Motcua-Event": body_obj["type"],
        "X-Motcua-Timestamp": timestamp,
        "X-Motcua-Signature": sign(sub.secret, timestamp, body),
        "User-Agent": "motcua-webhook/1",
    }
    answer = post_json(sub.url, body, headers=headers, timeout=float(settings.MOTCUA_WEBHOOK_TIMEOUT))
    if 200 <= answer.status < 300:
        return Outcome(ok=True, status=str(answer.status), request=body_obj, response=answer.body[:2000])
    error = answer.error or f"HTTP {answer.status}"
    return Outcome(
        ok=False,
        status=str(answer.status) if answer.status else NO_ANSWER,
        error=error,
        request=body_obj,
        response=answer.body[:2000],
    )
