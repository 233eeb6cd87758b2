"""Payment gateways: where the payer is sent, and how a gateway's signed callback is checked.

The flow (decision 0018) is redirect-and-signed-callback, as the Vietnamese gateways and the
national payment platform do it: motcua creates a pending payment and redirects the payer to the
gateway with a signed checkout request (reference, amount, return address); the gateway takes the
money and sends back a callback whose body is signed with HMAC-SHA256 under the shared key. The
callback carries the payment reference, the gateway's transaction id, the amount, the status, a
timestamp and a nonce; ``services.handle_callback`` checks the signature (constant time), the age,
the nonce, the payment and the amount before anything is written.

One gateway exists today, the sandbox (``/cong-thanh-toan-thu-nghiem/``), served by motcua itself
for the demo and the tests; a real gateway is a second class with the same three methods.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from motcua.core.errors import NotFound

SANDBOX = "sandbox"


def sign(secret: str, message: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of ``message`` under ``secret``."""
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), (signature or "").strip().lower())


def checkout_message(reference: str, amount: int, return_url: str) -> bytes:
    return f"{reference}|{amount}|{return_url}".encode()


def callback_body(
    *, reference: str, transaction_id: str, amount: int, status: str, timestamp: int, nonce: str
) -> bytes:
    """The canonical callback body (compact JSON, sorted keys): what is signed is what is sent."""
    payload = {
        "amount": amount,
        "nonce": nonce,
        "payment_reference": reference,
        "status": status,
        "timestamp": timestamp,
        "transaction_id": transaction_id,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    reference: str
    amount: int
    return_url: str


class Gateway(Protocol):
    name: str

    def checkout_url(self, request: CheckoutRequest) -> str: ...

    def verify(self, body: bytes, signature: str) -> bool: ...

    def secret(self) -> str: ...


class SandboxGateway:
    """The test gateway at ``/cong-thanh-toan-thu-nghiem/``: the payer clicks pay or fail."""

    name = SANDBOX

    def secret(self) -> str:
        return str(settings.MOTCUA_PAYMENT_SANDBOX_SECRET)

    def checkout_url(self, request: CheckoutRequest) -> str:
        query = {
            "ref": request.reference,
            "amount": str(request.amount),
            "return": request.return_url,
            "sig": sign(
                self.secret(), checkout_message(request.reference, request.amount, request.return_url)
            ),
        }
        return f"{reverse('payments_sandbox:checkout')}?{urlencode(query)}"

    def verify(self, body: bytes, signature: str) -> bool:
        return signature_matches(self.secret(), body, signature)


def gateway(name: str | None = None) -> Gateway:
    """The gateway called ``name`` (default: ``MOTCUA_PAYMENT_GATEWAY``), or NotFound."""
    wanted = name or str(settings.MOTCUA_PAYMENT_GATEWAY)
    if wanted == SANDBOX and settings.MOTCUA_PAYMENT_SANDBOX_ENABLED:
        return SandboxGateway()
    raise NotFound(
        "Không có cổng thanh toán này.", "No such payment gateway.", code="unknown_gateway", gateway=wanted
    )


def parse_callback(body: bytes) -> dict[str, Any] | None:
    """The callback's fields, or None when the body is not the expected JSON object."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    types = {
        "payment_reference": str,
        "transaction_id": str,
        "amount": int,
        "status": str,
        "timestamp": int,
        "nonce": str,
    }
    for key, kind in types.items():
        value = data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            return None
    return data
