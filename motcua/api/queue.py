"""Queue numbers for the kiosk and the waiting-room display: /api/v1/queue/tickets.

POST ``{"counter": <id>}`` takes the next number for that counter (201; a retry with the same
``Idempotency-Key`` header gets the same ticket with 200). GET ``?counter=<id>`` lists today's waiting
numbers, lowest first. Both are open to the kiosk and the display in the hall without an account:
a ticket carries no personal data, and requests are throttled like every public endpoint.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from motcua.core.errors import ValidationFailed
from motcua.dossiers.queues import waiting_tickets
from motcua.units.models import QueueTicket
from motcua.units.services import take_ticket

from .strict import id_field


class TicketSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    counter = serializers.IntegerField(source="counter_id")
    counter_name = serializers.CharField(source="counter.name")
    day = serializers.DateField()
    number = serializers.IntegerField()
    display = serializers.CharField()
    status = serializers.CharField()
    taken_at = serializers.DateTimeField()


class TicketListSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = TicketSerializer(many=True)


class TakeTicketSerializer(serializers.Serializer):  # type: ignore[type-arg]
    counter = id_field()


def _counter_param(request: Request) -> int:
    raw = str(request.query_params.get("counter", "")).strip()
    if not raw.isdigit() or len(raw) > 18:
        raise ValidationFailed(
            "Cần chọn quầy (tham số counter).", "The counter parameter is required.", field="counter"
        )
    return int(raw)


class QueueTickets(APIView):
    """Take a queue number at the kiosk; list the numbers waiting at a counter."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "public"
    # The ticket keeps its own Idempotency-Key (a retry answers 200 with the same ticket).
    idempotency_exempt = True

    @extend_schema(
        parameters=[OpenApiParameter("counter", OpenApiTypes.INT, required=True)],
        responses={200: TicketListSerializer},
    )
    def get(self, request: Request) -> Response:
        tickets = waiting_tickets(_counter_param(request))
        return Response({"results": TicketSerializer(tickets, many=True).data})

    @extend_schema(
        request=TakeTicketSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: TicketSerializer, 200: TicketSerializer},
    )
    def post(self, request: Request) -> Response:
        body = TakeTicketSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key = str(request.headers.get("Idempotency-Key", ""))
        before = QueueTicket.objects.filter(idempotency_key=key).exists() if key.strip() else False
        ticket = take_ticket(counter_id=body.validated_data["counter"], idempotency_key=key)
        return Response(TicketSerializer(ticket).data, status=200 if before else 201)
