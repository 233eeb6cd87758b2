"""Staff pages under load: p95 of the work queues, the overview and staff search (issue #6).

    .venv/bin/python bench/backoffice.py [--count 1000000] [--users 8] [--seconds 60] [--port 8110]

Uses MOTCUA_BENCH_REPORTS_PG (default postgres://motcua:motcua@127.0.0.1:5432/motcua_reports_bench):
migrates it, loads the demo province if missing and generates dossiers (``generate_dossiers``) until
it holds ``--count``; collects static files into var/bench-static; starts gunicorn with the
production configuration (deploy/gunicorn.conf.py) on 127.0.0.1:``--port``; logs ``--users`` demo
staff in over real HTTP (login form, CSRF, session cookie), one per demo role; each user then
requests, of /can-bo/viec/,
/can-bo/tong-quan/ and /can-bo/tim-kiem/ (a name search, a code-prefix search and a procedure search
in turn), the pages their role may open, without pause, for ``--seconds``.
Ends with one JSON line (target: every page under 300 ms p95).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portal

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_reports_bench"
TARGET_P95_MS = 300
# Demo staff (motcua.demo.loader.DEMO_STAFF), password DEMO_PASSWORD.
USERS = ("tiepnhan", "tiepnhanxa", "giamdoc", "lanhdao", "chuyenvien", "pheduyet", "vanthu", "kiemsoat")
SEARCHES = ("name=Nguy%E1%BB%85n+V%C4%83n+An", "code=000.00.", "procedure=khai+sinh")


NOTES: list[str] = []
DEBUG = {"value": "0"}


def env(url: str) -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        {
            "DATABASE_URL": url,
            "MOTCUA_ENV": "dev",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": DEBUG["value"],
            "DJANGO_STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        }
    )
    return out


def prepare(url: str, count: int, years: int, seed: int) -> int:
    os.environ.update(env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.demo.generator import Generator
    from motcua.dossiers.models import Dossier
    from motcua.units.models import OneStopUnit

    call_command("migrate", verbosity=0)
    if not OneStopUnit.objects.exists():
        call_command("load_demo", verbosity=0)
    have = Dossier.objects.count()
    if have < count:
        print(f"generating {count - have} dossiers…", file=sys.stderr, flush=True)
        Generator(count=count - have, years=years, seed=seed).run(
            progress=lambda n: print(f"  {n}", file=sys.stderr, flush=True)
        )
    try:
        call_command("collectstatic", "--no-input", verbosity=0)
    except Exception as error:
        # Serve with DEBUG on (plain static storage) rather than not measure at all; say so.
        DEBUG["value"] = "1"
        NOTES.append(f"collectstatic failed, pages served with DJANGO_DEBUG=1: {str(error)[:160]}")
    return Dossier.objects.count()


class Browser:
    """One logged-in staff member: a cookie jar and a CSRF-aware login."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/tai-khoan/dang-nhap/", timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            f"{base}/tai-khoan/dang-nhap/", data=body, headers={"Referer": f"{base}/tai-khoan/dang-nhap/"}
        )
        self.opener.open(request, timeout=60).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"login failed for {username}")

    def get(self, path: str) -> float:
        start = time.perf_counter()
        with self.opener.open(f"{self.base}{path}", timeout=60) as response:
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}")
        return (time.perf_counter() - start) * 1000


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/tai-khoan/dang-nhap/", timeout=5).read()  # noqa: S310
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8110)
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_REPORTS_PG", DEFAULT_URL)
    dossiers = prepare(url, args.count, args.years, args.seed)
    from motcua.demo.loader import DEMO_PASSWORD

    base = f"http://127.0.0.1:{args.port}"
    # The production gunicorn configuration (deploy/gunicorn.conf.py), on the bench's port.
    server_env = env(url) | {
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_ACCESS_LOG": os.devnull,
        "GUNICORN_LOG_LEVEL": "warning",
    }
    server = subprocess.Popen(
        portal.gunicorn_command(),
        cwd=ROOT,
        env=server_env,
    )
    timings: dict[str, list[float]] = {"queues": [], "overview": [], "search": []}
    errors: list[str] = []
    lock = threading.Lock()
    try:
        wait_until_up(base)
        # Every demo staff member, each timing the pages their role may open (a reception officer
        # has no overview, a handler no province-wide search): 8 users, 8 roles.
        pages_of: dict[str, list[str]] = {}
        for username in USERS:
            probe = Browser(base, username, DEMO_PASSWORD)
            pages_of[username] = []
            for name, path in (
                ("queues", "/can-bo/viec/"),
                ("overview", "/can-bo/tong-quan/"),
                ("search", f"/can-bo/tim-kiem/?{SEARCHES[0]}"),
            ):
                try:
                    probe.get(path)
                except OSError:
                    continue
                pages_of[username].append(name)
        staff = [u for u in USERS if pages_of[u]]
        if not staff:
            raise RuntimeError("no demo staff member may open the staff pages")
        browsers = [Browser(base, staff[i % len(staff)], DEMO_PASSWORD) for i in range(args.users)]
        stop = time.monotonic() + args.seconds
        paths = {"queues": "/can-bo/viec/", "overview": "/can-bo/tong-quan/"}

        def run(browser: Browser, offset: int) -> None:
            i = offset
            mine = pages_of[browser.username]
            while time.monotonic() < stop:
                name = mine[i % len(mine)]
                path = paths.get(name) or f"/can-bo/tim-kiem/?{SEARCHES[(i // len(mine)) % len(SEARCHES)]}"
                try:
                    ms = browser.get(path)
                    with lock:
                        timings[name].append(ms)
                except Exception as error:
                    with lock:
                        errors.append(f"{path}: {error}")
                i += 1

        threads = [threading.Thread(target=run, args=(b, n)) for n, b in enumerate(browsers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures: dict[str, Any] = {
        "bench": "backoffice",
        "dossiers": dossiers,
        "users": args.users,
        "staff": {b.username: pages_of[b.username] for b in browsers},
    }
    for name, values in timings.items():
        figures[f"{name}_p95_ms"] = round(portal.percentile(values, 95), 1)
        figures[f"{name}_requests"] = len(values)
    figures["errors"] = len(errors)
    if errors:
        figures["first_error"] = errors[0][:200]
    if NOTES:
        figures["notes"] = NOTES
    figures["targets"] = {"p95_ms": TARGET_P95_MS}
    figures["ok"] = not errors and all(figures[f"{n}_p95_ms"] < TARGET_P95_MS for n in timings)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
