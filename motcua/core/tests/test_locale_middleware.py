"""The language middleware (decision 0050): the language and the headers Django's LocaleMiddleware
gave with the old subclass, for every kind of request, without its per-request URL checks."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.middleware.locale import LocaleMiddleware
from django.test import RequestFactory
from django.utils import translation

from motcua.core.middleware import VietnameseFirstLocaleMiddleware


class Before(LocaleMiddleware):
    """The middleware as it was before decision 0050."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _through(middleware_class, request, respond):
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        seen["code"] = request.LANGUAGE_CODE
        return respond()

    response = middleware_class(view)(request)
    return seen, dict(response.headers), response.status_code


RESPONSES = {
    "page": lambda: HttpResponse("x"),
    "varied": lambda: HttpResponse("x", headers={"Vary": "Cookie"}),
    "own language": lambda: HttpResponse("x", headers={"Content-Language": "fr"}),
    "missing": lambda: HttpResponseNotFound("x"),
    "stream": lambda: StreamingHttpResponse(iter([b"x"])),
}


@pytest.mark.parametrize("cookie", [None, "vi", "en", "fr", ""])
@pytest.mark.parametrize("accept", [None, "en-US,en;q=0.9", "vi"])
@pytest.mark.parametrize("path", ["/tra-cuu/", "/en/tra-cuu/", "/khong-co"])
@pytest.mark.parametrize("kind", sorted(RESPONSES))
def test_the_same_language_and_headers_as_before(cookie, accept, path, kind):
    factory = RequestFactory()
    extra = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    results = []
    for middleware_class in (Before, VietnameseFirstLocaleMiddleware):
        request = factory.get(path, **extra)
        if cookie is not None:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = cookie
        with translation.override("vi"):
            results.append(_through(middleware_class, request, RESPONSES[kind]))
    assert results[0] == results[1]
    seen, headers, _status = results[1]
    assert seen["language"] == seen["code"] == ("en" if cookie == "en" else "vi")
    assert "Accept-Language" in headers["Vary"]
    assert headers["Content-Language"] == ("fr" if kind == "own language" else seen["language"])
