"""Authentication for the API (decision 0024): pages' sessions, and bearer tokens for system clients.

``Authorization: Bearer mc_…`` (or ``Token mc_…``). A wrong, revoked or expired token is a 401
problem; after ``MOTCUA_API_TOKEN_FAILURE_LIMIT`` failures from one address within
``MOTCUA_API_TOKEN_LOCKOUT_SECONDS`` every token attempt from it is refused with 429 until the
window passes (the same idea as django-axes for the login form; the count lives in the cache).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from motcua.accounts.tokens import authenticate_token


class InvalidToken(exceptions.AuthenticationFailed):
    default_code = "invalid_token"


class TokenLockedOut(exceptions.APIException):
    status_code = 429
    default_code = "token_locked_out"
    default_detail = "Too many failed token attempts."


def client_address(request: Any) -> str:
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR", "") or "unknown")


def _failures_key(request: Request) -> str:
    return f"motcua:api-token-failures:{client_address(request)}"


class BearerTokenAuthentication(BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        key = _failures_key(request)
        limit = settings.MOTCUA_API_TOKEN_FAILURE_LIMIT
        if int(cache.get(key, 0)) >= limit:
            raise TokenLockedOut()
        user = authenticate_token(parts[1]) if len(parts) == 2 else None
        if user is None:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.MOTCUA_API_TOKEN_LOCKOUT_SECONDS)
            raise InvalidToken()
        return user, parts[1]

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="motcua"'


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "motcua.api.auth.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "mc_<prefix>_<secret>"}
