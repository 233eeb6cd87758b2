from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from motcua.accounts.models import Role
from motcua.accounts.services import grant_membership
from motcua.catalog.models import Field
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.integration import national
from motcua.integration.standin import StandIn


class Receiver:
    """A real HTTP webhook receiver: records every request and deduplicates by delivery id.

    ``plan`` is consumed one item per request: an int status to answer, or ("hang", seconds) to
    sleep before answering 200. When the plan is empty it answers 200.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.accepted: Counter[str] = Counter()  # id -> times processed (first time only counts)
        self.seen: Counter[str] = Counter()  # id -> times received
        self.plan: list[Any] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    step = receiver.plan.pop(0) if receiver.plan else 200
                    uid = self.headers.get("X-Motcua-Delivery", "")
                    receiver.seen[uid] += 1
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = 200
                if isinstance(step, tuple) and step[0] == "hang":
                    time.sleep(step[1])
                else:
                    status = int(step)
                if 200 <= status < 300:
                    with receiver.lock:
                        if receiver.accepted[uid] == 0:
                            receiver.accepted[uid] = 1
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the client gave up (timeout)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def operator(make_user):
    user = make_user("quantri")
    grant_membership(user=user, role=Role.SYSTEM_ADMIN)
    return user


@pytest.fixture
def outbox_settings(settings):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""
    settings.MOTCUA_OUTBOX_MAX_ATTEMPTS = 4
    settings.MOTCUA_OUTBOX_RETRY_SECONDS = 30
    settings.MOTCUA_OUTBOX_RETRY_MAX_SECONDS = 3600
    settings.MOTCUA_WEBHOOK_TIMEOUT = 1.0
    return settings


@pytest.fixture
def standin(settings, world):  # noqa: F811
    """The national portal stand-in on a free port, the adapter pointed at it, the procedure's field set."""
    server = StandIn(units={"000.00.00.H42"}).start()
    settings.MOTCUA_NATIONAL_PORTAL_URL = server.url
    settings.MOTCUA_NATIONAL_PORTAL_UNIT_CODE = "000.00.00.H42"
    settings.MOTCUA_NATIONAL_PORTAL_TIMEOUT = 2.0
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.vn"
    settings.MOTCUA_NATIONAL_FILE_BASE_URL = "https://motcua.example.vn/can-bo"
    domain = Field.objects.create(code="G09-TP01", name="Hộ tịch")
    procedure = world.version.procedure
    procedure.field = domain
    procedure.save(update_fields=["field"])
    national.forget_session()
    yield server
    national.forget_session()
    server.stop()
