from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.core.errors import NotFound
from motcua.units.models import Counter, OneStopUnit
from motcua.units.selectors import current_provinces
from motcua.units.services import set_counter


class ProvinceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    name_en = serializers.CharField()


class ProvinceList(ListAPIView):  # type: ignore[type-arg]
    """The current provinces (two-tier set, from 01/07/2025) with their official codes."""

    permission_classes = [AllowAny]
    serializer_class = ProvinceSerializer
    pagination_class = None

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return current_provinces()


class CounterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.IntegerField()
    name = serializers.CharField()
    field_codes = serializers.ListField(child=serializers.CharField())
    queue_prefix = serializers.CharField(allow_blank=True)
    is_active = serializers.BooleanField()


class CounterInput(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=160)
    field_codes = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list
    )
    queue_prefix = serializers.CharField(max_length=3, required=False, default="", allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


def _managed_unit(request: Request, unit_id: int) -> OneStopUnit:
    """The one-stop unit, if the caller may set its counters (the page's rule: ``units.counters``)."""
    user = request.user if isinstance(request.user, User) else None
    unit = OneStopUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise NotFound("Không tìm thấy bộ phận một cửa.", "One-stop unit not found.", code="unit_not_found")
    gate.require(user, "units.counters", one_stop_unit_id=unit.pk)
    return unit


class CounterList(APIView):
    """The counters of a one-stop unit, by number (the head of the unit, ``units.counters``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: CounterSerializer(many=True)}, tags=["units"])
    def get(self, request: Request, unit_id: int) -> Response:
        unit = _managed_unit(request, unit_id)
        counters = Counter.objects.filter(one_stop_unit=unit).order_by("number")
        return Response(CounterSerializer(counters, many=True).data)


class CounterDetail(APIView):
    """Create or replace counter ``number`` of a one-stop unit (``units.services.set_counter``, as the
    counters page does)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CounterInput, responses={200: CounterSerializer}, tags=["units"])
    def put(self, request: Request, unit_id: int, number: int) -> Response:
        unit = _managed_unit(request, unit_id)
        serializer = CounterInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        counter = set_counter(
            one_stop_unit=unit,
            number=number,
            name=data["name"],
            field_codes=data["field_codes"],
            queue_prefix=data["queue_prefix"],
            is_active=data["is_active"],
        )
        return Response(CounterSerializer(counter).data)
