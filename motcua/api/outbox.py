"""The outbox operator's API (``integration.operate``): the same acts as ``/can-bo/dong-bo/``.

``GET outbox/deliveries?state=&destination=``, ``POST outbox/deliveries/<id>/retry``,
``POST outbox/deliveries/<id>/skip`` ``{reason}``, ``GET|POST outbox/webhooks`` ``{name, url, events}``,
``POST outbox/webhooks/<id>/active`` ``{active}``. Errors are problem details (vi and en).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.integration import selectors, services
from motcua.integration.models import Delivery, WebhookSubscription


class DeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    event = serializers.CharField(source="outbox_event.name")
    seq = serializers.IntegerField(source="outbox_event.seq")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "uid",
            "destination",
            "dossier_id",
            "event",
            "seq",
            "state",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_status",
            "last_error",
            "settled_by",
        ]


class SubscriptionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "is_active", "secret", "created_at"]
        read_only_fields = fields


class SubscriptionInput(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=120, allow_blank=True, trim_whitespace=False)
    url = serializers.CharField(max_length=2000, allow_blank=True, trim_whitespace=False)
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)


class SkipInput(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class ActiveInput(serializers.Serializer):  # type: ignore[type-arg]
    active = serializers.BooleanField()


def _operator(request: Request) -> User | None:
    user = request.user
    gate.require(user if isinstance(user, User) else None, services.PERMISSION)
    return user if isinstance(user, User) else None


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:  # type: ignore[type-arg]
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class DeliveryList(APIView):
    @extend_schema(responses=DeliverySerializer(many=True))
    def get(self, request: Request) -> Response:
        _operator(request)
        rows = selectors.deliveries(
            state=request.query_params.get("state", ""),
            destination=request.query_params.get("destination", ""),
        )
        return Response(DeliverySerializer(rows, many=True).data)


class DeliveryRetry(APIView):
    @extend_schema(request=None, responses=DeliverySerializer)
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = services.retry_delivery(actor=_operator(request), delivery_id=delivery_id)
        return Response(
            DeliverySerializer(Delivery.objects.select_related("outbox_event").get(pk=delivery.pk)).data
        )


class DeliverySkip(APIView):
    @extend_schema(request=SkipInput, responses=DeliverySerializer)
    def post(self, request: Request, delivery_id: int) -> Response:
        actor = _operator(request)
        data = _valid(SkipInput, request.data)
        delivery = services.skip_delivery(actor=actor, delivery_id=delivery_id, reason=data["reason"])
        return Response(
            DeliverySerializer(Delivery.objects.select_related("outbox_event").get(pk=delivery.pk)).data
        )


class SubscriptionList(APIView):
    @extend_schema(responses=SubscriptionSerializer(many=True))
    def get(self, request: Request) -> Response:
        _operator(request)
        return Response(SubscriptionSerializer(WebhookSubscription.objects.all(), many=True).data)

    @extend_schema(request=SubscriptionInput, responses={201: SubscriptionSerializer})
    def post(self, request: Request) -> Response:
        actor = _operator(request)
        data = _valid(SubscriptionInput, request.data)
        sub = services.create_subscription(
            actor=actor, name=data["name"], url=data["url"], events=data["events"]
        )
        return Response(SubscriptionSerializer(sub).data, status=201)


class SubscriptionActive(APIView):
    @extend_schema(request=ActiveInput, responses=SubscriptionSerializer)
    def post(self, request: Request, subscription_id: int) -> Response:
        actor = _operator(request)
        data = _valid(ActiveInput, request.data)
        sub = services.set_subscription_active(
            actor=actor, subscription_id=subscription_id, active=data["active"]
        )
        return Response(SubscriptionSerializer(sub).data)
