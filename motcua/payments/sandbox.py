"""The sandbox payment gateway: a real page served by motcua, for the demo and the tests.

It plays the part of an outside gateway and knows nothing of motcua's database: it checks the
signed checkout request (reference, amount, return address), shows the amount, and lets the payer
click "pay" or "fail". On "pay" it writes the line of its own statement (what the reconciliation
report compares the ledger with); either way it signs the callback with the shared key and sends
the payer's browser back to the return address, which POSTs the signed callback to motcua (an
auto-submitted form: the page carries no inline script, decision 0018).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.core import clock

from . import services
from .gateways import SANDBOX, SandboxGateway, callback_body, checkout_message, sign, signature_matches


def _checked(request: HttpRequest) -> tuple[str, int, str] | None:
    source = request.POST if request.method == "POST" else request.GET
    reference, raw_amount, return_url = (
        source.get("ref", ""),
        source.get("amount", ""),
        source.get("return", ""),
    )
    if not raw_amount.isdigit() or not reference:
        return None
    amount = int(raw_amount)
    parts = urlsplit(return_url)
    # The browser is sent back only to this site (and the page's CSP allows forms to post only here).
    if parts.netloc and parts.netloc != request.get_host():
        return None
    gw = SandboxGateway()
    if not signature_matches(
        gw.secret(), checkout_message(reference, amount, return_url), source.get("sig", "")
    ):
        return None
    return reference, amount, return_url


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    if not settings.MOTCUA_PAYMENT_SANDBOX_ENABLED:
        raise Http404("the sandbox gateway is off")
    checked = _checked(request)
    if checked is None:
        return render(request, "payments/sandbox/invalid.html", status=400)
    reference, amount, return_url = checked
    if request.method == "GET":
        return render(
            request,
            "payments/sandbox/checkout.html",
            {"reference": reference, "amount": amount, "return_url": return_url, "sig": request.GET["sig"]},
        )
    status = "paid" if request.POST.get("action") == "pay" else "failed"
    transaction_id = f"SBX{secrets.token_hex(8).upper()}"
    if status == "paid":
        services.record_statement_line(
            gateway_name=SANDBOX,
            transaction_id=transaction_id,
            payment_reference=reference,
            amount=amount,
            settled_at=clock.now(),
        )
    body = callback_body(
        reference=reference,
        transaction_id=transaction_id,
        amount=amount,
        status=status,
        timestamp=int(clock.now().timestamp()),
        nonce=secrets.token_hex(16),
    )
    return render(
        request,
        "payments/sandbox/redirect.html",
        {
            "return_url": return_url,
            "payload": body.decode(),
            "signature": sign(SandboxGateway().secret(), body),
            "paid": status == "paid",
        },
    )
