"""RFC 9457 problem details for every API error, with a Vietnamese and an English message."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

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


def problem_response(
    *, status_code: int, code: str, message_vi: str, message_en: str, **extra: Any
) -> HttpResponse:
    """The same problem document as a plain Django response, for middleware (outside DRF views)."""
    body = problem(
        status_code=status_code, code=code, message_vi=message_vi, message_en=message_en, **extra
    ).data
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status_code, content_type=PROBLEM)


# DRF's own errors: (code, Vietnamese, English) by exception class, checked in order.
_DRF_ERRORS: tuple[tuple[type[Exception], str, str, str], ...] = (
    (
        exceptions.ParseError,
        "malformed_request",
        "Nội dung gửi lên không đọc được (JSON không hợp lệ).",
        "The request body could not be parsed (malformed JSON).",
    ),
    (
        exceptions.UnsupportedMediaType,
        "unsupported_media_type",
        "Kiểu nội dung không được hỗ trợ; hãy gửi application/json.",
        "Unsupported content type; send application/json.",
    ),
    (
        exceptions.MethodNotAllowed,
        "method_not_allowed",
        "Phương thức không được hỗ trợ tại địa chỉ này.",
        "Method not allowed here.",
    ),
    (
        exceptions.NotAcceptable,
        "not_acceptable",
        "Không có định dạng trả lời phù hợp với Accept.",
        "No response format matches the Accept header.",
    ),
)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, MotcuaError):
        refused = problem(
            status_code=exc.status,
            code=exc.code,
            message_vi=exc.message_vi,
            message_en=exc.message_en,
            field=exc.field,
            **{k: v for k, v in exc.extra.items() if isinstance(v, str | int | float | bool)},
        )
        if exc.status == 429 and isinstance(exc.extra.get("retry_after"), int):
            refused["Retry-After"] = str(exc.extra["retry_after"])
        return refused
    if isinstance(exc, Http404):
        return problem(
            status_code=404, code="not_found", message_vi="Không tìm thấy.", message_en="Not found."
        )
    if isinstance(exc, OverflowError | DataError):
        # A number no column can hold, reaching the database despite validation: the caller's error.
        set_rollback()
        return problem(
            status_code=400,
            code="value_out_of_range",
            message_vi="Giá trị số vượt quá giới hạn.",
            message_en="A number is out of range.",
        )
    if isinstance(exc, RequestDataTooBig):
        return problem(
            status_code=413,
            code="payload_too_large",
            message_vi="Nội dung gửi lên quá lớn.",
            message_en="The request body is too large.",
        )
    response = exception_handler(exc, context)
    if response is None:
        return None
    if (
        isinstance(exc, exceptions.AuthenticationFailed)
        and getattr(exc, "default_code", "") == "invalid_token"
    ):
        return _with_auth_header(
            problem(
                status_code=response.status_code,
                code="invalid_token",
                message_vi="Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.",
                message_en="The token is invalid, expired or revoked.",
            ),
            response,
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return _with_auth_header(
            problem(
                status_code=response.status_code,
                code="not_authenticated",
                message_vi="Cần đăng nhập.",
                message_en="Authentication required.",
            ),
            response,
        )
    if getattr(exc, "default_code", "") == "token_locked_out":
        return problem(
            status_code=429,
            code="token_locked_out",
            message_vi="Quá nhiều lần dùng mã truy cập sai; địa chỉ này tạm bị khóa.",
            message_en="Too many failed token attempts; this address is locked out for a while.",
        )
    for kind, code, vi, en in _DRF_ERRORS:
        if isinstance(exc, kind):
            return problem(status_code=response.status_code, code=code, message_vi=vi, message_en=en)
    if isinstance(exc, exceptions.PermissionDenied):
        return problem(
            status_code=status.HTTP_403_FORBIDDEN,
            code="permission_denied",
            message_vi="Bạn không có quyền thực hiện thao tác này.",
            message_en="You are not allowed to do this.",
        )
    if isinstance(exc, exceptions.Throttled):
        throttled = problem(
            status_code=429,
            code="rate_limited",
            message_vi="Quá nhiều yêu cầu, vui lòng thử lại sau.",
            message_en="Too many requests, please retry later.",
        )
        if "Retry-After" in response:
            throttled["Retry-After"] = response["Retry-After"]
        return throttled
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


def _with_auth_header(problem_response: Response, original: Response) -> Response:
    if "WWW-Authenticate" in original:
        problem_response["WWW-Authenticate"] = original["WWW-Authenticate"]
    return problem_response


@csrf_exempt
def not_found(request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """No such address under /api/: a 404 problem (ids that do not parse, unknown routes)."""
    return problem_response(
        status_code=404,
        code="not_found",
        message_vi="Không tìm thấy địa chỉ này.",
        message_en="No such address.",
    )
