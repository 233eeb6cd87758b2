"""Citizen payment pages: the fees of one's dossier and paying them online; the payment's status
and its e-receipt; the return address where the gateway sends the payer back with the signed result.

Every page reads through the gates (``dossier_for_user``, ``payment_for_user``): a dossier or a
payment the user may not see answers 404, so ids and references cannot be probed. The return
address needs no session: what it carries is signed by the gateway, and it goes through the same
service as the gateway's server-to-server callback (``payments.services.handle_callback``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.models import User
from motcua.core.errors import MotcuaError, NotFound
from motcua.dossiers import access_log
from motcua.dossiers.selectors import dossier_for_user
from motcua.paperwork.receipt import receipt_pdf
from motcua.payments import services
from motcua.payments.selectors import amount_due, fee_lines_of, payment_for_user, payments_of


def _message(error: MotcuaError) -> str:
    return error.message(get_language())


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _not_found(request: HttpRequest, error: MotcuaError) -> HttpResponse:
    return render(request, "portal/payments/not_found.html", {"message": _message(error)}, status=404)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_fees(request: HttpRequest, dossier_id: int) -> HttpResponse:
    user = _user(request)
    try:
        dossier = dossier_for_user(user, dossier_id)
    except NotFound as error:
        return _not_found(request, error)
    if request.method == "GET":  # staff may read here too: an inspector's read is logged (decision 0061)
        access_log.note_read(
            user,
            kind=access_log.AccessKind.PAGE,
            address=request.META.get("REMOTE_ADDR"),
            dossier_id=dossier.pk,
            detail="fees (portal)",
        )
    error_message = ""
    status = 200
    if request.method == "POST":
        try:
            _payment, url = services.start_online_payment(
                dossier_id=dossier.pk,
                actor=user,
                return_url=lambda ref: request.build_absolute_uri(
                    reverse("portal:payment_return", args=[ref])
                ),
            )
        except MotcuaError as error:
            error_message, status = _message(error), error.status
        else:
            return HttpResponseRedirect(url, status=303)
    context = {
        "dossier": dossier,
        "fee_lines": fee_lines_of(dossier),
        "payments": payments_of(dossier),
        "due": amount_due(dossier),
        "error_message": error_message,
    }
    return render(request, "portal/payments/dossier_fees.html", context, status=status)


@csrf_exempt  # the gateway's signature is the proof; no session or form of ours is involved
@require_POST
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        services.handle_callback(
            gateway_name=str(settings.MOTCUA_PAYMENT_GATEWAY),
            body=request.POST.get("payload", "").encode(),
            signature=request.POST.get("signature", ""),
            remote_addr=request.META.get("REMOTE_ADDR", ""),
        )
    except MotcuaError as error:
        # Logged by the service; a payment already recorded stays recorded.
        return render(
            request,
            "portal/payments/return_refused.html",
            {"message": _message(error), "reference": reference},
            status=error.status,
        )
    return HttpResponseRedirect(reverse("portal:payment", args=[reference]), status=303)


@login_required
def payment_page(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        payment = payment_for_user(_user(request), reference)
    except NotFound as error:
        return _not_found(request, error)
    return render(
        request,
        "portal/payments/payment.html",
        {"payment": payment, "dossier": payment.dossier, "lines": payment.fee_lines.order_by("pk")},
    )


@login_required
def payment_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        payment = payment_for_user(_user(request), reference)
        content = receipt_pdf(payment)
    except NotFound as error:
        return _not_found(request, error)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.receipt_number}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response
