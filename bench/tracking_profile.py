"""Where the CPU of one tracking look-up goes, in one process, with the production settings, on
PostgreSQL (issue #7; decisions 0036, 0040).

    MOTCUA_BENCH_PG=postgres://…/motcua_tracking_profile .venv/bin/python bench/tracking_profile.py \
        [--n 2000] [--reuse] [--top 40]

Seeds the database the way ``bench/portal.py`` does (its ``setup``, in a child process; ``--reuse``
keeps a database seeded before), then, in this process with ``MOTCUA_ENV=production``, calls the WSGI
application (all the middleware, the URL resolver, the view, the template) with the tracking POST the
bench sends (form fields, CSRF cookie and token, Referer, Accept-Encoding), each for a known dossier
with its right 4 digits. What it reports per look-up: the CPU time of this process
(``time.process_time``), the CPU time of its PostgreSQL backend (from /proc: run it on the
database's machine), the queries, and the cProfile of the Python side (stderr). No HTTP server: the
gunicorn part is measured by ``bench/portal.py``. The last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import multiprocessing as mp
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import portal  # noqa: E402 - the same seed as the HTTP bench

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_tracking_profile"


Call = Callable[[str, str, bytes, dict[str, str]], tuple[int, list[str], bytes]]


def _caller(application: Callable[..., Any]) -> Call:
    """Calls the WSGI application as gunicorn does: status, Set-Cookie values, body."""

    def call(method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, list[str], bytes]:
        status: list[str] = []
        response_headers: list[tuple[str, str]] = []

        def start_response(line: str, head: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(line)
            response_headers.extend(head)

        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8121",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "40000",
            "RAW_URI": path,
            "HTTP_HOST": "127.0.0.1:8121",
            "HTTP_ACCEPT_ENCODING": "gzip",
            "HTTP_CONNECTION": "close",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)) if body else "",
            **headers,
        }
        result = application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        cookies = [value.strip() for key, value in response_headers if key.lower() == "set-cookie"]
        return int(status[0][:3]), cookies, content

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="the database is seeded already")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--no-profile", action="store_true", help="timings only, no cProfile")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    admin, name = portal.admin_url(url)
    if not args.reuse:
        portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
        portal.psql(admin, f"CREATE DATABASE {name}")
        ctx = mp.get_context("spawn")
        result = ctx.Queue()
        seeding = ctx.Process(target=portal.setup, args=(url, 1, result))
        seeding.start()
        portal.result_of(result, seeding)
        seeding.join()

    os.environ.update(portal.production_env(url, Path(tempfile.gettempdir()) / f"{name}-files"))
    # The production static storage needs its manifest: collected once into a folder kept between runs.
    static = Path(tempfile.gettempdir()) / f"{name}-static"
    os.environ["DJANGO_STATIC_ROOT"] = str(static)
    if not (static / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True
        )
    from django.db import connection

    from config.wsgi import application  # the production WSGI application, warmed up
    from motcua.dossiers.models import Dossier

    lookups = [(code, phone[-4:]) for code, phone in Dossier.objects.values_list("code", "applicant_phone")]
    call = _caller(application)
    _status, cookies, _body = call("GET", "/tra-cuu/", b"", {})
    token = next(c.split(";", 1)[0].split("=", 1)[1] for c in cookies if c.startswith("csrftoken="))

    def look_up(i: int) -> None:
        code, factor = lookups[(i * 31) % len(lookups)]
        body = urlencode({"csrfmiddlewaretoken": token, "ma": code, "so": factor}).encode()
        status, _cookies, content = call(
            "POST",
            "/tra-cuu/",
            body,
            {
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "HTTP_COOKIE": f"csrftoken={token}",
                "HTTP_REFERER": "http://127.0.0.1:8121/tra-cuu/",
            },
        )
        if status != 200 or b'id="tracking-state"' not in content:
            raise RuntimeError(f"look-up {code}: {status}")

    for i in range(200):
        look_up(i)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        look_up(0)
    collections: dict[int, list[float]] = {0: [], 1: [], 2: []}
    began: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            collections[info["generation"]].append(time.perf_counter() - began[0])

    gc.callbacks.append(on_gc)
    backend_before = portal.cpu_s(backend)
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(args.n):
        look_up(i)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    backend_cpu = portal.cpu_s(backend) - backend_before
    gc.callbacks.remove(on_gc)
    gc_ms = {
        f"gen{g}": [len(times), round(sum(times) * 1000 / args.n, 3), round(max(times, default=0) * 1000, 2)]
        for g, times in collections.items()
    }
    if not args.no_profile:
        profile = cProfile.Profile()
        profile.enable()
        for i in range(args.n):
            look_up(i)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), file=sys.stderr)
        if os.environ.get("MOTCUA_PROFILE_DUMP"):
            profile.dump_stats(os.environ["MOTCUA_PROFILE_DUMP"])
    connection.close()
    per_lookup_ms = {
        "ms_per_lookup": elapsed,
        "cpu_ms_per_lookup": cpu,
        "postgres_cpu_ms_per_lookup": backend_cpu,
    }
    report: dict[str, Any] = {"bench": "tracking_profile", "n": args.n}
    report |= {key: round(seconds * 1000 / args.n, 3) for key, seconds in per_lookup_ms.items()}
    # gc: per generation, the collections, their ms per look-up and the longest one in ms
    report |= {
        "queries_per_lookup": len(statements),
        "gc": gc_ms,
        "gc_tracked_objects": len(gc.get_objects()),
    }
    report |= {"load_average_1min": round(os.getloadavg()[0], 1), "ok": True}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
