"""Public procedure catalog: list with search and filters (cursor pagination), and detail."""

from __future__ import annotations

import base64
import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureVersion, levels_from_text
from motcua.catalog.representation import prefetched, version_detail
from motcua.catalog.selectors import public_version, published_procedures, search_procedure_ids
from motcua.catalog.services import apply_boundary_independent_list
from motcua.core.errors import NotFound, ValidationFailed

PAGE_SIZE = 20


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(data, dict):
            raise ValueError
        return data
    except ValueError as error:
        raise ValidationFailed("Con trỏ trang không hợp lệ.", "Invalid cursor.", field="cursor") from error


def _summary(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "levels": levels_from_text(procedure.levels),
        "field": procedure.field.name if procedure.field else None,
        "online_level": procedure.online_level,
    }


class ProcedureSummarySerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name = serializers.CharField()
    levels = serializers.ListField(child=serializers.CharField())
    field = serializers.CharField(allow_null=True)
    online_level = serializers.CharField()


class ProcedurePageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    results = ProcedureSummarySerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ProcedureList(APIView):
    """Published procedures; with ``search``, ranked by relevance (accents and small typos tolerated)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="procedures_list",
        parameters=[
            OpenApiParameter("search", OpenApiTypes.STR),
            OpenApiParameter(
                "level", OpenApiTypes.STR, enum=["ministry", "province", "district", "commune", "other"]
            ),
            OpenApiParameter("field", OpenApiTypes.STR, description="field id, code or name"),
            OpenApiParameter("agency", OpenApiTypes.STR, description="agency name (accents optional)"),
            OpenApiParameter("online_level", OpenApiTypes.STR, enum=["full", "partial", "none"]),
            OpenApiParameter("cursor", OpenApiTypes.STR),
        ],
        responses=ProcedurePageSerializer,
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        filters = {key: params.get(key, "").strip() for key in ("level", "field", "agency", "online_level")}
        qs = published_procedures(**filters)
        cursor = _decode(params["cursor"]) if params.get("cursor") else {}
        search = params.get("search", "").strip()
        if search:
            ids = search_procedure_ids(search, within=qs if any(filters.values()) else None)
            offset = int(cursor.get("o", 0))
            page_ids = ids[offset : offset + PAGE_SIZE]
            by_id = {p.pk: p for p in Procedure.objects.filter(pk__in=page_ids).select_related("field")}
            results = [by_id[pk] for pk in page_ids if pk in by_id]
            more = offset + PAGE_SIZE < len(ids)
            next_cursor = _encode({"o": offset + PAGE_SIZE}) if more else None
        else:
            if "c" in cursor:
                qs = qs.filter(code__gt=str(cursor["c"]))
            results = list(qs.order_by("code")[: PAGE_SIZE + 1])
            next_cursor = _encode({"c": results[PAGE_SIZE - 1].code}) if len(results) > PAGE_SIZE else None
            results = results[:PAGE_SIZE]
        next_url = None
        if next_cursor:
            query = params.copy()
            query["cursor"] = next_cursor
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response({"results": [_summary(p) for p in results], "next": next_url})


class ProcedureDetail(APIView):
    """The procedure as published now: channels with time limit and fees, cases with components …"""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, code: str) -> Response:
        version = public_version(code)
        if version is None:
            raise NotFound(
                f"Không có thủ tục mã {code}.", f"No procedure with code {code}.", code="procedure_not_found"
            )
        full = prefetched(ProcedureVersion.objects.filter(pk=version.pk)).get()
        return Response(version_detail(full))


class BoundaryListInput(serializers.Serializer):  # type: ignore[type-arg]
    codes = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20000)
    decision = serializers.CharField(max_length=200)
    replace = serializers.BooleanField(required=False, default=False)


class BoundaryListOutput(serializers.Serializer):  # type: ignore[type-arg]
    listed = serializers.IntegerField()
    newly_listed = serializers.IntegerField()
    unlisted = serializers.IntegerField()


class BoundaryIndependentList(APIView):
    """Apply the province's list of boundary-independent procedures (the procedure controller,
    ``catalog.edit``; decision 0063): all or nothing, as ``manage.py load_boundary_independent_list``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=BoundaryListInput, responses={200: BoundaryListOutput}, tags=["catalog"])
    def post(self, request: Request) -> Response:
        serializer = BoundaryListInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        done = apply_boundary_independent_list(
            actor=request.user if isinstance(request.user, User) else None,
            codes=list(data["codes"]),
            decision=data["decision"],
            replace=data["replace"],
        )
        return Response(BoundaryListOutput(done).data)
