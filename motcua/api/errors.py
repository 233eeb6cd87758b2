"""RFC 9457 problem details for every API error, with a Vietnamese and an English message."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from motcua.core.errors import MotcuaError

PROBLEM = "application/problem+json"


def problem(
    *, status_code: int, code: str, message_vi: str, message_en: str, field: str | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://motcua.example/problems/{code}",
        "title": message_en,
        "status": status_code,
        "code": code,
        "detail": message_vi,
        "detail_vi": message_vi,
        "detail_en": message_en,
    }
    if field:
        body["field"] = field
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, MotcuaError):
        return problem(
            status_code=exc.status,
            code=exc.code,
            message_vi=exc.message_vi,
            message_en=exc.message_en,
            field=exc.field,
        )
    if isinstance(exc, Http404):
        return problem(
            status_code=404, code="not_found", message_vi="Không tìm thấy.", message_en="Not found."
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return problem(
            status_code=response.status_code,
            code="not_authenticated",
            message_vi="Cần đăng nhập.",
            message_en="Authentication required.",
        )
    if isinstance(exc, exceptions.PermissionDenied):
        return problem(
            status_code=status.HTTP_403_FORBIDDEN,
            code="permission_denied",
            message_vi="Bạn không có quyền thực hiện thao tác này.",
            message_en="You are not allowed to do this.",
        )
    if isinstance(exc, exceptions.Throttled):
        return problem(
            status_code=429,
            code="rate_limited",
            message_vi="Quá nhiều yêu cầu, vui lòng thử lại sau.",
            message_en="Too many requests, please retry later.",
        )
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status_code=400,
            code="validation_failed",
            message_vi="Dữ liệu không hợp lệ.",
            message_en="Invalid input.",
            errors=response.data,
        )
    return problem(
        status_code=response.status_code,
        code=getattr(exc, "default_code", "error"),
        message_vi=str(getattr(exc, "detail", "Lỗi.")),
        message_en=str(getattr(exc, "detail", "Error.")),
    )
