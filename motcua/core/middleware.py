"""Security headers every response carries: a strict Content-Security-Policy without inline scripts;
the client's address behind the reverse proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)


class ClientAddressMiddleware:
    """Behind the reverse proxy (deploy/nginx/motcua.conf) every request comes from nginx, so
    ``REMOTE_ADDR`` is nginx's own address and every per-client limit (tracking failures, login
    lockout, API rate limits, the payment log) would be shared by all citizens. When the direct peer
    is one of ``MOTCUA_TRUSTED_PROXIES``, the client's address is taken from ``X-Real-IP``, which nginx
    sets to the address it saw (replacing whatever the client sent); ``X-Forwarded-For`` is not used
    (a client can put anything at its front). A peer not in the list, or a header that is not one IP
    address, leaves ``REMOTE_ADDR`` as it is. The proxy's address stays in ``MOTCUA_PROXY_ADDR``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = frozenset(settings.MOTCUA_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        forwarded = meta.get("HTTP_X_REAL_IP", "").strip()
        if forwarded and peer in self.trusted:
            try:
                client = str(ipaddress.ip_address(forwarded))
            except ValueError:
                client = ""
            if client:
                meta["MOTCUA_PROXY_ADDR"] = peer
                meta["REMOTE_ADDR"] = client
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(("/api/docs", "/admin/")):
            # The admin and the browsable API docs use their own inline scripts and styles.
            response.setdefault(
                "Content-Security-Policy",
                CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        else:
            response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose English with the language switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones in Vietnam
    are set to English: a public service portal must still speak Vietnamese first.

    The response's headers are what Django's LocaleMiddleware adds without ``i18n_patterns``
    (``Vary: Accept-Language``, ``Content-Language``), written directly rather than through its
    checks of the URL for a language prefix on every request (decision 0050); with language
    prefixes in the URLs this middleware would be wrong, so it refuses to start then.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = frozenset(code for code, _name in settings.LANGUAGES)
        if is_language_prefix_patterns_used(settings.ROOT_URLCONF)[0]:
            raise ImproperlyConfigured("VietnameseFirstLocaleMiddleware does not handle i18n_patterns.")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        translation.activate(chosen if chosen in self.languages else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class RefuseNullCharactersMiddleware:
    """A page request whose query or form fields hold a NUL character (U+0000) is refused with a 400
    before any view sees it. PostgreSQL cannot store that character in text or JSON, so a view that
    keeps what was typed without a Django form (the online draft, for one) would end in a 500; no
    legitimate field contains it. Files are not looked at. The API has its own answer (a 400 problem
    from ``api.errors``), so ``/api/`` is left to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _holds_null(request):
            return render(
                request,
                "bad_request.html",
                {
                    "message_vi": "Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL); hãy nhập lại.",
                    "message_en": "The data sent contains an invalid character (NUL); please type it again.",
                },
                status=400,
            )
        return self.get_response(request)


def _holds_null(request: HttpRequest) -> bool:
    fields = [request.GET]
    if request.method == "POST":
        fields.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for data in fields
        for key, values in data.lists()
    )
