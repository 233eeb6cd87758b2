"""SMS backends: the protocol, a logging backend for demo and tests, and a JSON-over-HTTP gateway.

``settings.MOTCUA_SMS_BACKEND`` names the class; ``get_sms_backend()`` builds it. A backend returns
the provider's message id, or raises ``SmsError`` (``permanent=True`` when retrying cannot help, for
example a number the gateway refuses). Nothing here logs a full phone number or a message text.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .recipients import mask_phone

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 64 * 1024


class SmsError(Exception):
    """The SMS was not accepted. The message must not contain the phone number or the text."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsBackend(Protocol):
    def send(self, phone: str, text: str, *, reference: str = "") -> str:
        """Send ``text`` to ``phone`` (+84xxxxxxxxx); return the provider's message id.

        ``reference`` is motcua's own id for the message, passed on so that a gateway that
        de-duplicates can drop a resend.
        """
        ...


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(str(settings.MOTCUA_SMS_BACKEND))()
    return backend


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    reference: str
    provider_id: str


# Like django.core.mail.outbox: every SMS the logging backend "sent", in order. Tests empty it.
outbox: list[SentSms] = []


class LoggingSmsBackend:
    """Sends nothing: appends to ``outbox`` and logs a line with the number masked and no text."""

    def send(self, phone: str, text: str, *, reference: str = "") -> str:
        provider_id = f"log-{uuid.uuid4().hex[:16]}"
        outbox.append(SentSms(phone=phone, text=text, reference=reference, provider_id=provider_id))
        logger.info(
            "SMS to %s (%d characters), reference %s, provider id %s",
            mask_phone(phone),
            len(text),
            reference or "-",
            provider_id,
        )
        return provider_id


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would re-send (or drop) the body and could carry the token elsewhere: refuse it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpSmsBackend:
    """POST ``{"to", "text", "reference"[, "sender"]}`` as JSON with ``Authorization: Bearer <token>``.

    A 2xx answer means the gateway accepted the message; its id is read from ``"id"`` or
    ``"message_id"`` in a JSON body (empty if absent: a 2xx is never treated as a failure, since a
    retry would send the SMS twice). 4xx answers other than 408 and 429 are permanent failures;
    5xx, 408, 429, time-outs and connection errors are retried by the caller.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        sender: str | None = None,
    ) -> None:
        self.url = url if url is not None else settings.MOTCUA_SMS_GATEWAY_URL or ""
        self.token = token if token is not None else settings.MOTCUA_SMS_GATEWAY_TOKEN or ""
        self.timeout = float(timeout if timeout is not None else settings.MOTCUA_SMS_GATEWAY_TIMEOUT)
        self.sender = sender if sender is not None else settings.MOTCUA_SMS_SENDER or ""
        if urlsplit(self.url).scheme not in ("http", "https") or not urlsplit(self.url).netloc:
            raise ImproperlyConfigured("MOTCUA_SMS_GATEWAY_URL must be an http(s) URL for HttpSmsBackend.")
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    def send(self, phone: str, text: str, *, reference: str = "") -> str:
        payload: dict[str, str] = {"to": phone, "text": text, "reference": reference}
        if self.sender:
            payload["sender"] = self.sender
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            self.url, data=json.dumps(payload).encode(), headers=headers, method="POST"
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw = response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as exc:
            exc.close()
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise SmsError(f"SMS gateway answered HTTP {exc.code}", permanent=permanent) from None
        except TimeoutError:
            raise SmsError(f"SMS gateway did not answer within {self.timeout:g} s") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise SmsError(f"SMS gateway did not answer within {self.timeout:g} s") from None
            raise SmsError(f"SMS gateway unreachable: {exc.reason}") from None
        except OSError as exc:
            raise SmsError(f"SMS gateway connection failed: {type(exc).__name__}") from None
        return _provider_id(raw)


def _provider_id(raw: bytes) -> str:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    value = data.get("id", data.get("message_id", ""))
    return str(value)[:200] if isinstance(value, str | int) else ""
