"""Fees and payments through the API, with the same services as the pages.

- ``GET  /api/v1/dossiers/<id>/fees``: the dossier's fee lines, the amount due and its payments.
- ``POST /api/v1/dossiers/<id>/payments``: pay online (``method=gateway``: a pending payment and the
  gateway URL to send the payer to; a pending payment of the same fees is reused) or record a
  payment at the counter (``cash``/``transfer``: paid at once, receipted). Recording twice cannot
  count twice: once the fees are paid the second call is refused (409 ``nothing_due``).
- ``GET  /api/v1/payments/<reference>``: one payment and its ledger entries.
- ``GET  /api/v1/payments/<reference>/receipt``: the e-receipt PDF.
- ``POST /api/v1/payments/<reference>/refund``: finance refunds (``reason``).
- ``POST /api/v1/payments/callbacks/<gateway>``: the gateway's server-to-server callback, signed
  with HMAC-SHA256 over the raw body (header ``X-Motcua-Signature``); no session, the signature is
  the credential. Errors are problem details with the service's code (``bad_signature``,
  ``callback_replayed``, ``amount_mismatch``, ``payment_not_found``, ``callback_expired``).
- ``GET  /api/v1/payments/reconciliation?start=&end=``: the reconciliation report (finance).

Payments are addressed by their public reference only; one the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.core.errors import ValidationFailed
from motcua.dossiers import access_log
from motcua.paperwork.receipt import receipt_pdf
from motcua.payments import services
from motcua.payments.models import Payment, PaymentMethod
from motcua.payments.selectors import amount_due, fee_lines_of, payment_for_user, payments_of, reconcile

from .dossiers import dossier_of
from .forms import PdfRenderer


class FeeLineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    description = serializers.CharField()
    amount = serializers.IntegerField()
    collect_at = serializers.CharField()
    is_paid = serializers.BooleanField()
    paid_at = serializers.DateTimeField(allow_null=True)


class EntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    seq = serializers.IntegerField()
    kind = serializers.CharField()
    amount = serializers.IntegerField()
    state_after = serializers.CharField()
    at = serializers.DateTimeField()
    origin = serializers.CharField(source="source")


class PaymentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reference = serializers.CharField()
    dossier = serializers.IntegerField(source="dossier_id")
    amount = serializers.IntegerField()
    collected = serializers.IntegerField()
    method = serializers.CharField()
    gateway = serializers.CharField()
    state = serializers.CharField()
    receipt_number = serializers.CharField(allow_null=True)
    gateway_transaction_id = serializers.CharField()
    transfer_reference = serializers.CharField()
    needs_refund = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    refunded_at = serializers.DateTimeField(allow_null=True)
    fee_lines = serializers.SerializerMethodField()

    def get_needs_refund(self, payment: Payment) -> bool:
        return payment.is_paid and not payment.settles_fees

    def get_fee_lines(self, payment: Payment) -> list[int]:
        return sorted(payment.fee_lines.values_list("pk", flat=True))


class PaymentDetailSerializer(PaymentSerializer):
    entries = EntrySerializer(many=True, source="entries.all")


class NewPaymentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    method = serializers.ChoiceField(choices=[m.value for m in PaymentMethod])
    transfer_reference = serializers.CharField(required=False, allow_blank=True, default="")
    payer_name = serializers.CharField(required=False, allow_blank=True, default="")


class RefundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField()


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class DossierFees(APIView):
    """The dossier's fee lines, the amount still due, and its payments."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_of(request, dossier_id)  # the token's agencies too (decision 0024)
        access_log.note_read(
            _user(request),
            kind=access_log.AccessKind.API,
            address=request.META.get("REMOTE_ADDR"),
            dossier_id=dossier.pk,
            detail="fees",
        )
        return Response(
            {
                "dossier": dossier.pk,
                "due": amount_due(dossier),
                "fee_lines": FeeLineSerializer(fee_lines_of(dossier), many=True).data,
                "payments": PaymentSerializer(payments_of(dossier), many=True).data,
            }
        )


class DossierPayments(APIView):
    """Pay the dossier's unpaid fees online, or record a payment at the counter."""

    @extend_schema(request=NewPaymentSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, dossier_id: int) -> Response:
        body = NewPaymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        user = _user(request)
        if data["method"] == PaymentMethod.GATEWAY:
            payment, url = services.start_online_payment(
                dossier_id=dossier_id,
                actor=user,
                return_url=lambda ref: request.build_absolute_uri(
                    reverse("portal:payment_return", args=[ref])
                ),
            )
            return Response(
                {**PaymentSerializer(payment).data, "checkout_url": request.build_absolute_uri(url)},
                status=201,
            )
        payment = services.record_counter_payment(
            dossier_id=dossier_id,
            actor=user,
            method=data["method"],
            transfer_reference=data["transfer_reference"],
            payer_name=data["payer_name"],
        )
        return Response(PaymentSerializer(payment).data, status=201)


class PaymentDetail(APIView):
    """One payment and its ledger entries (their sum is ``collected``)."""

    @extend_schema(responses={200: PaymentDetailSerializer})
    def get(self, request: Request, reference: str) -> Response:
        return Response(PaymentDetailSerializer(payment_for_user(_user(request), reference)).data)


class PaymentReceipt(APIView):
    """The e-receipt of a paid (or refunded) payment, as PDF."""

    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request: Request, reference: str) -> HttpResponse:
        payment = payment_for_user(_user(request), reference)
        response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.receipt_number}.pdf"'
        return response


class PaymentRefund(APIView):
    """Finance refunds a paid payment; its fee lines are due again."""

    @extend_schema(request=RefundSerializer, responses={200: PaymentDetailSerializer})
    def post(self, request: Request, reference: str) -> Response:
        body = RefundSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = _user(request)
        payment_for_user(user, reference)
        payment = services.refund_payment(
            reference=reference, actor=user, reason=body.validated_data["reason"]
        )
        return Response(PaymentDetailSerializer(payment).data)


class GatewayCallback(APIView):
    """The gateway's signed callback (HMAC-SHA256 of the raw body in ``X-Motcua-Signature``)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("X-Motcua-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, gateway: str) -> Response:
        result = services.handle_callback(
            gateway_name=gateway,
            body=request.body,
            signature=str(request.headers.get("X-Motcua-Signature", "")),
            remote_addr=str(request.META.get("REMOTE_ADDR", "")),
        )
        return Response({"outcome": result.outcome.value, "changed": result.changed})


def _date(request: Request, name: str) -> dt.date:
    raw = str(request.query_params.get(name, "")).strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            f"Cần ngày {name} dạng YYYY-MM-DD.", f"The {name} date (YYYY-MM-DD) is required.", field=name
        ) from None


class Reconciliation(APIView):
    """Ledger vs gateway statement per day, with the mismatches (finance)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
            OpenApiParameter("gateway", OpenApiTypes.STR),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        report = reconcile(
            user=_user(request),
            gateway_name=str(request.query_params.get("gateway", "sandbox")),
            start=_date(request, "start"),
            end=_date(request, "end"),
        )
        return Response(
            {
                "gateway": report.gateway,
                "start": report.start,
                "end": report.end,
                "ledger_total": report.ledger_total,
                "statement_total": report.statement_total,
                "counter_total": report.counter_total,
                "days": [
                    {
                        "day": d.day,
                        "ledger": d.ledger,
                        "statement": d.statement,
                        "difference": d.difference,
                        "cash": d.cash,
                        "transfer": d.transfer,
                    }
                    for d in report.days
                ],
                "mismatches": [
                    {
                        "kind": m.kind,
                        "day": m.day,
                        "transaction_id": m.transaction_id,
                        "payment_reference": m.payment_reference,
                        "dossier": m.dossier_code,
                        "ledger_amount": m.ledger_amount,
                        "statement_amount": m.statement_amount,
                    }
                    for m in report.mismatches
                ],
            }
        )
