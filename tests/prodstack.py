"""The production configuration as real processes, for tests and ``bench/load.py``.

``Stack`` runs motcua the way ``deploy/`` does on a server: MOTCUA_ENV=production (DEBUG off, secret
key and allowed hosts given, secure cookies), PostgreSQL, ``collectstatic`` then whitenoise serving
the hashed files, gunicorn started with ``deploy/gunicorn.conf.py`` and ``manage.py db_worker`` as
subprocesses. ``seed()`` runs inside a child process with the same environment and builds a small
real world through the services (demo units of Hà Tĩnh, calendars, one published procedure, staff
with passwords). ``Client`` is a keep-alive HTTP client (``http.client``) with cookies and CSRF, so a
test or a benchmark thread talks to gunicorn exactly as a browser form does.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "mat-khau-trien-khai-9"
PROCEDURE_CODE = "1.000001.DEPLOY"
PORTS = range(8170, 8190)


_HELD: dict[int, Any] = {}


def free_port(ports: range = PORTS) -> int:
    """A port of ``ports`` nobody listens on, reserved for this process: a lock file held until the
    process ends keeps parallel test workers (pytest-xdist) from starting two servers on one port."""
    for port in ports:
        if port in _HELD:
            continue
        lock = open(f"/tmp/motcua-port-{port}.lock", "w")  # noqa: S108, SIM115 - held on purpose
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                lock.close()
                continue
        _HELD[port] = lock
        return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


def admin_url(url: str) -> tuple[str, str]:
    """The maintenance-database URL of ``url``'s server, and ``url``'s database name."""
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"refusing a database name that is not a plain identifier: {name!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def psql(url: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],  # noqa: S607 - psql from PATH
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip()


def recreate_database(url: str) -> None:
    admin, name = admin_url(url)
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(admin, f"CREATE DATABASE {name}")


def drop_database(url: str) -> None:
    admin, name = admin_url(url)
    psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --------------------------------------------------------------------------------------------------
# The world (runs inside Django, in a child process of the stack's environment)
# --------------------------------------------------------------------------------------------------


def seed(officers: int = 1) -> dict[str, Any]:
    """Units, calendars, one published procedure with 3 components, ``officers`` reception officers
    at the demo one-stop units (round robin) and a leader, handler, approver and clerk."""
    import datetime as dt

    from motcua.accounts.models import Role, User
    from motcua.accounts.services import grant_membership
    from motcua.catalog.models import (
        Channel,
        ChannelOffer,
        ComponentTemplate,
        Procedure,
        ProcedureCase,
        ProcedureVersion,
    )
    from motcua.catalog.services import publish_version
    from motcua.core import clock
    from motcua.deadlines.seed import seed_calendars
    from motcua.units.demo import load_demo_units
    from motcua.units.models import Agency, OneStopUnit

    load_demo_units()
    today = clock.today()
    seed_calendars(range(today.year - 1, today.year + 2))
    procedure = Procedure.objects.create(code=PROCEDURE_CODE, name="Cấp phiếu kiểm thử triển khai")
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, name="Cấp phiếu kiểm thử triển khai", decision="QĐ 1/2025"
    )
    case = ProcedureCase.objects.create(version=version, name="Trường hợp chung")
    for i in range(3):
        ComponentTemplate.objects.create(case=case, name=f"Thành phần {i + 1}", position=i, is_required=True)
    for position, channel in enumerate((Channel.IN_PERSON, Channel.ONLINE)):
        ChannelOffer.objects.create(
            version=version,
            channel=channel,
            time_limit_amount=10,
            time_limit_unit="working_day",
            position=position,
        )
    version = publish_version(
        version_id=version.pk, actor=None, effective_from=today - dt.timedelta(days=30), at=clock.now()
    )
    units = [u for u in OneStopUnit.objects.select_related("agency").order_by("pk") if u.is_valid_on(today)]
    competent = (
        Agency.objects.filter(kind="department", valid_to__isnull=True)
        .exclude(identifier_code="000.00.01.H42")
        .order_by("identifier_code")
        .first()
    )
    assert competent is not None and units

    def person(username: str, role: Role, **place: int) -> str:
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=username.title())
        grant_membership(user=user, role=role, **place)
        return username

    plan = [
        {
            "username": person(
                f"tiepnhan{n}", Role.RECEPTION_OFFICER, one_stop_unit_id=units[n % len(units)].pk
            ),
            "unit": units[n % len(units)].pk,
            "agency": units[n % len(units)].agency.identifier_code,
        }
        for n in range(officers)
    ]
    return {
        "procedure": PROCEDURE_CODE,
        "version": version.pk,
        "case": case.pk,
        "templates": list(case.components.order_by("position").values_list("pk", flat=True)),
        "competent": competent.pk,
        "officers": plan,
        "leader": person("lanhdao", Role.DEPT_LEADER, agency_id=competent.pk),
        "handler": person("chuyenvien", Role.HANDLER, agency_id=competent.pk),
        "handler_id": User.objects.get(username="chuyenvien").pk,
    }


def _seed_main() -> None:  # python -c "import tests.prodstack as s; s._seed_main()" N
    import django

    django.setup()
    world = seed(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print("WORLD " + json.dumps(world))


# --------------------------------------------------------------------------------------------------
# The processes
# --------------------------------------------------------------------------------------------------


@dataclass
class Stack:
    database_url: str
    workdir: Path
    port: int
    workers: int = 2
    threads: int = 2
    static_root: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    restarts: dict[str, int] = field(default_factory=lambda: {"web": 0, "worker": 0})
    _supervisor: threading.Event | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_", "GUNICORN_"))}
        env.update(
            MOTCUA_ENV="production",
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_SECRET_KEY=getattr(self, "_secret", None) or self._new_secret(),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=self.database_url,
            MOTCUA_DATA_DIR=str(self.workdir / "data"),
            DJANGO_STATIC_ROOT=str(self.static_root or self.workdir / "static"),
            MOTCUA_PUBLIC_URL=self.base,
            # Mail leaves nothing on the machine: the worker "sends" into its own memory.
            DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_ACCESS_LOG=str(self.workdir / "access.log"),
            GUNICORN_ERROR_LOG=str(self.workdir / "gunicorn.log"),
            DJANGO_LOG_LEVEL="ERROR",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        return env

    def _new_secret(self) -> str:
        self._secret = secrets.token_urlsafe(50)
        return self._secret

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def prepare(self, officers: int = 1, collectstatic: bool = True) -> dict[str, Any]:
        """Migrate, collect the static files, seed; returns the world."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        for args in (
            ("migrate", "--no-input", "-v", "0"),
            ("createcachetable",),
            ("check", "--deploy", "--fail-level", "ERROR"),
        ):
            done = self.manage(*args)
            if done.returncode:
                raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        static = self.static_root or self.workdir / "static"
        if collectstatic and not (static / "staticfiles.json").exists():
            done = self.manage("collectstatic", "--no-input", "-v", "0")
            if done.returncode:
                raise RuntimeError(f"collectstatic failed:\n{done.stderr}")
        done = subprocess.run(
            [PYTHON, "-c", "import tests.prodstack as s; s._seed_main()", str(officers)],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WORLD ")), None)
        if done.returncode or line is None:
            raise RuntimeError(f"seeding failed:\n{done.stdout}\n{done.stderr}")
        world: dict[str, Any] = json.loads(line[len("WORLD ") :])
        return world

    def start_web(self) -> None:
        log = open(self.workdir / "web.log", "ab")  # noqa: SIM115 - kept by the child
        self.web = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a kill reaches master and workers
        )

    def start_worker(self) -> None:
        log = open(self.workdir / "worker.log", "ab")  # noqa: SIM115 - kept by the child
        self.worker = subprocess.Popen(
            [PYTHON, "manage.py", "db_worker", "--interval", "0.5"],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.web is not None and self.web.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.web.returncode}); see {self.workdir / 'gunicorn.log'}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/thu-tuc/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.base} within {timeout} s")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes] | None, sig: int) -> None:
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def kill_web(self, sig: int = signal.SIGKILL) -> None:
        self._kill(self.web, sig)

    def kill_worker(self, sig: int = signal.SIGKILL) -> None:
        self._kill(self.worker, sig)

    def supervise(self, restart_after: float = 1.0) -> None:
        """Restart the web server or the worker whenever one exits, as systemd's ``Restart=always``
        with ``RestartSec`` does on a server (deploy/systemd/)."""
        stop = self._supervisor = threading.Event()

        def watch() -> None:
            while not stop.wait(0.2):
                for name, start in (("web", self.start_web), ("worker", self.start_worker)):
                    process = getattr(self, name)
                    if process is not None and process.poll() is not None and not stop.wait(restart_after):
                        start()
                        self.restarts[name] += 1

        self._watcher = threading.Thread(target=watch, daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.set()
            self._watcher.join(timeout=30)  # a restart in progress ends before the kill
        self.kill_web(signal.SIGTERM)
        self.kill_worker(signal.SIGTERM)


# --------------------------------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


IDLE_SECONDS = 4.0


class Client:
    """One browser: keep-alive connection, cookies, the CSRF token of Django's forms."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.used_at = 0.0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, data: dict[str, Any] | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "vi"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if self.conn is not None and time.monotonic() - self.used_at > IDLE_SECONDS:
            self.close()  # gunicorn closes idle keep-alive connections (keepalive = 5 s): as browsers do
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers)
            raw = self.conn.getresponse()
            payload = raw.read()
        except Exception:
            self.close()  # a fresh connection next time
            raise
        finally:
            self.used_at = time.monotonic()
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if raw.getheader("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, payload)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, Any]) -> Response:
        return self.request("POST", path, {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data})

    def login(self, username: str, password: str = PASSWORD) -> None:
        page = self.get("/tai-khoan/dang-nhap/")
        assert page.status == 200, page.status
        done = self.post("/tai-khoan/dang-nhap/", {"username": username, "password": password})
        if done.status != 302:
            raise AssertionError(f"login of {username} answered {done.status}: {done.text[:300]}")


TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')
DONE = re.compile(r"/can-bo/quay/ket-qua/(\d+)/$")


def intake_form(
    world: dict[str, Any], officer: dict[str, Any], token: str, identifier: str
) -> dict[str, Any]:
    """The counter form as the officer fills it: every component ticked, the applicant typed in."""
    data: dict[str, Any] = {
        "token": token,
        "version": world["version"],
        "case": world["case"],
        "unit": officer["unit"],
        "competent_agency": world["competent"],
        "kind": "person",
        "identifier_type": "citizen_id",
        "identifier_number": identifier,
        "full_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "email": "an@example.vn",
        "result_delivery": "counter",
        "action": "accept",
    }
    for template in world["templates"]:
        data[f"c{template}"] = "on"
        data[f"c{template}_originals"] = "1"
        data[f"c{template}_copies"] = "0"
    return data


def open_counter(client: Client, world: dict[str, Any]) -> str:
    """GET the counter with the procedure chosen; the form's idempotency token."""
    page = client.get(f"/can-bo/quay/?procedure={world['procedure']}")
    if page.status != 200:
        raise AssertionError(f"counter page answered {page.status}")
    match = TOKEN.search(page.text)
    if match is None:
        raise AssertionError("no intake token on the counter page")
    return match.group(1)


def accept(
    client: Client, world: dict[str, Any], officer: dict[str, Any], token: str, identifier: str
) -> int:
    """POST the accept; the new dossier's id (AssertionError unless the answer is the 303 to it)."""
    done = client.post("/can-bo/quay/", intake_form(world, officer, token, identifier))
    match = DONE.search(done.headers.get("location", "")) if done.status == 303 else None
    if match is None:
        raise AssertionError(f"accept answered {done.status}: {done.text[:300]}")
    return int(match.group(1))
