"""Two guards in front of every API view, so every endpoint (present or added later) has them.

``BodyLimitMiddleware``: a body larger than allowed is a 413 problem before anything reads it
(JSON bodies: ``MOTCUA_API_MAX_JSON_BYTES``; multipart uploads: the file limit plus 1 MiB).

``IdempotencyMiddleware`` (decision 0025): a POST, PUT, PATCH or DELETE under ``/api/`` sent with an
``Idempotency-Key`` header runs once per (client, key). Its success is stored
(``core.IdempotencyRecord``) and replayed for the same key and the same method, path and body (with
``Idempotent-Replayed: true``); the same key with another body is a 422 problem; a key whose first
request is still running is a 409 problem. A failed request (4xx/5xx) keeps nothing, so it may be
retried with the same key after fixing it. Keys expire after ``MOTCUA_IDEMPOTENCY_TTL_HOURS``; an
expired key starts afresh. A view opts out with ``idempotency_exempt = True`` (the kiosk ticket,
which keeps its key on the ticket itself).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from motcua.core import clock
from motcua.core.models import IdempotencyRecord

from .auth import client_address
from .errors import problem_response

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
# A first request still "in progress" after this long is taken as abandoned (its worker died).
ABANDONED_AFTER = dt.timedelta(minutes=2)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _body_limit(request: HttpRequest) -> int:
    if (request.content_type or "").startswith("multipart/"):
        return int(settings.MOTCUA_DOSSIER_FILE_MAX_BYTES) + 1024 * 1024
    return int(settings.MOTCUA_API_MAX_JSON_BYTES)


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if _is_api(request) and request.method in UNSAFE:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = _body_limit(request)
            if length > limit:
                return problem_response(
                    status_code=413,
                    code="payload_too_large",
                    message_vi=f"Nội dung gửi lên quá lớn; tối đa {limit:,} byte.".replace(",", "."),
                    message_en=f"The request body is too large; the limit is {limit:,} bytes.",
                )
        return self.get_response(request)


def _owner(request: HttpRequest) -> str:
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{client_address(request)}"[:80]


def _read_body(request: HttpRequest) -> bytes:
    """The raw body, also for uploads above DATA_UPLOAD_MAX_MEMORY_SIZE (the body limit above has
    already bounded it); the request stays readable for the parsers afterwards."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        return request.body
    raw = request.read()
    # What HttpRequest.body itself does, without its DATA_UPLOAD_MAX_MEMORY_SIZE check.
    request._body = raw
    request._stream = io.BytesIO(raw)
    request._read_started = False  # type: ignore[attr-defined]
    return raw


def _fingerprint(request: HttpRequest, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\n")
    digest.update(body)
    return digest.hexdigest()


def _bad_key() -> HttpResponse:
    return problem_response(
        status_code=400,
        code="invalid_idempotency_key",
        message_vi="Idempotency-Key phải gồm 1–255 ký tự ASCII in được.",
        message_en="The Idempotency-Key must be 1-255 printable ASCII characters.",
    )


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code or 200, content_type=record.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not _is_api(request) or request.method not in UNSAFE or HEADER not in request.headers:
            return None
        view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
        if getattr(view_class, "idempotency_exempt", False):
            return None
        key = request.headers[HEADER]
        if not (1 <= len(key) <= 255) or not key.isascii() or not key.isprintable():
            return _bad_key()
        owner = _owner(request)
        fingerprint = _fingerprint(request, _read_body(request))
        now = clock.now()
        IdempotencyRecord.objects.filter(owner=owner, key=key, expires_at__lte=now).delete()
        IdempotencyRecord.objects.filter(
            owner=owner, key=key, status_code__isnull=True, created_at__lte=now - ABANDONED_AFTER
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    fingerprint=fingerprint,
                    method=request.method or "",
                    path=request.path[:500],
                    created_at=now,
                    expires_at=now + dt.timedelta(hours=settings.MOTCUA_IDEMPOTENCY_TTL_HOURS),
                )
        except IntegrityError:
            found = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if found is None:  # expired and purged by a concurrent request in between
                return problem_response(
                    status_code=409,
                    code="idempotency_key_in_use",
                    message_vi="Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau.",
                    message_en="A request with this Idempotency-Key is in progress; retry later.",
                )
            return self._answer_for(found, fingerprint)
        try:
            response: HttpResponseBase = view_func(request, *view_args, **view_kwargs)
            render = getattr(response, "render", None)
            if callable(render) and not getattr(response, "is_rendered", True):
                response = render()
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 400 or not isinstance(response, HttpResponse):
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
        return response

    def _answer_for(self, found: IdempotencyRecord, fingerprint: str) -> HttpResponse:
        if found.fingerprint != fingerprint:
            return problem_response(
                status_code=422,
                code="idempotency_key_reused",
                message_vi=(
                    "Idempotency-Key này đã được dùng cho một yêu cầu khác; "
                    "hãy dùng khóa mới cho yêu cầu mới."
                ),
                message_en="This Idempotency-Key was used for a different request; use a new key.",
            )
        if found.status_code is None:
            return problem_response(
                status_code=409,
                code="idempotency_key_in_use",
                message_vi="Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau.",
                message_en="A request with this Idempotency-Key is in progress; retry later.",
            )
        return _replay(found)
