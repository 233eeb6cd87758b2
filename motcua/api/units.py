from __future__ import annotations

from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny

from motcua.units.selectors import current_provinces


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
