"""SMS backends: the logging backend (outbox, masked log) and the HTTP gateway against a local server."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.notifications import sms
from motcua.notifications.services import notify
from motcua.notifications.sms import HttpSmsBackend, LoggingSmsBackend, SmsError

from .contexts import ACCEPTED


def test_logging_backend_records_in_the_outbox_and_masks_the_number_in_the_log(caplog):
    with caplog.at_level(logging.INFO, logger="motcua.notifications"):
        provider_id = LoggingSmsBackend().send(
            "+84912345678", "Hồ sơ đã được tiếp nhận.", reference="motcua-7"
        )

    assert sms.outbox == [
        sms.SentSms(
            phone="+84912345678",
            text="Hồ sơ đã được tiếp nhận.",
            reference="motcua-7",
            provider_id=provider_id,
        )
    ]
    assert caplog.messages == [
        f"SMS to +84******678 (24 characters), reference motcua-7, provider id {provider_id}"
    ]


@pytest.mark.django_db
def test_no_phone_number_or_text_in_any_log_line_of_a_notification(caplog, committed):
    with caplog.at_level(logging.DEBUG), committed():
        notify(
            template_key="dossier.accepted",
            channel="sms",
            recipient="0912 345 678",
            context=ACCEPTED,
            subject_ref="dossier:42",
            idempotency_key="k",
        )

    assert len(sms.outbox) == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "+84******678" in logged
    for secret in ("912345678", "912 345 678", "Nguyễn Thị Hoà", ACCEPTED["dossier_code"]):
        assert secret not in logged


# --- HttpSmsBackend against a gateway on 127.0.0.1 ---


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests: list[dict] = []
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class GatewayHandler(BaseHTTPRequestHandler):
    server: Gateway

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(
            {
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
                "content_type": self.headers.get("Content-Type"),
                "json": json.loads(body),
            }
        )
        if self.path == "/slow":
            self.server.release.wait(5)
        status, payload = {
            "/ok": (200, b'{"id": "gw-123", "status": "accepted"}'),
            "/ok-no-id": (202, b"accepted"),
            "/fail": (500, b'{"error": "internal"}'),
            "/bad-number": (400, b'{"error": "invalid destination"}'),
            "/busy": (429, b"{}"),
            "/moved": (302, b""),
            "/slow": (200, b'{"id": "late"}'),
        }[self.path]
        self.send_response(status)
        if self.path == "/moved":
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def gateway():
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def backend(gateway, path, **options):
    return HttpSmsBackend(url=gateway.url + path, token="bi-mat", sender="HATINH-DVC", **options)


def test_http_backend_posts_json_with_the_bearer_token(gateway):
    provider_id = backend(gateway, "/ok").send("+84912345678", "Hồ sơ đã có kết quả.", reference="motcua-9")

    assert provider_id == "gw-123"
    assert gateway.requests == [
        {
            "path": "/ok",
            "authorization": "Bearer bi-mat",
            "content_type": "application/json; charset=utf-8",
            "json": {
                "to": "+84912345678",
                "text": "Hồ sơ đã có kết quả.",
                "reference": "motcua-9",
                "sender": "HATINH-DVC",
            },
        }
    ]


def test_http_backend_accepts_a_2xx_without_an_id(gateway):
    assert backend(gateway, "/ok-no-id").send("+84912345678", "x") == ""


@pytest.mark.parametrize(
    ("path", "message", "permanent"),
    [
        ("/fail", "SMS gateway answered HTTP 500", False),
        ("/busy", "SMS gateway answered HTTP 429", False),
        ("/bad-number", "SMS gateway answered HTTP 400", True),
        ("/moved", "SMS gateway answered HTTP 302", False),
    ],
)
def test_http_backend_error_answers(gateway, path, message, permanent):
    with pytest.raises(SmsError) as failed:
        backend(gateway, path).send("+84912345678", "x")
    assert (str(failed.value), failed.value.permanent) == (message, permanent)
    assert len(gateway.requests) == 1  # the redirect was not followed


def test_http_backend_time_out(gateway):
    with pytest.raises(SmsError) as failed:
        backend(gateway, "/slow", timeout=0.3).send("+84912345678", "x")
    assert (str(failed.value), failed.value.permanent) == ("SMS gateway did not answer within 0.3 s", False)


def test_http_backend_unreachable():
    with pytest.raises(SmsError) as failed:
        HttpSmsBackend(url="http://127.0.0.1:9/sms", token="t", timeout=2).send("+84912345678", "x")
    assert str(failed.value).startswith("SMS gateway unreachable:")
    assert "+84912345678" not in str(failed.value)


@pytest.mark.parametrize("url", ["", "ftp://gateway/sms", "file:///etc/passwd", "gateway.local/sms"])
def test_http_backend_needs_an_http_url(url):
    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend(url=url)


@pytest.mark.django_db
def test_a_500_from_the_gateway_leaves_the_message_failed(gateway, settings, committed):
    settings.MOTCUA_SMS_BACKEND = "motcua.notifications.sms.HttpSmsBackend"
    settings.MOTCUA_SMS_GATEWAY_URL = gateway.url + "/fail"
    settings.MOTCUA_SMS_GATEWAY_TOKEN = "bi-mat"
    with committed():
        message = notify(
            template_key="dossier.accepted",
            channel="sms",
            recipient="0912345678",
            context=ACCEPTED,
            subject_ref="dossier:42",
            idempotency_key="k",
        )
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (
        "failed",
        1,
        "SmsError: SMS gateway answered HTTP 500",
    )
    assert gateway.requests[0]["json"]["reference"] == f"motcua-{message.pk}"
