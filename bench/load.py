"""Load benchmark of the production configuration: gunicorn (N workers) on PostgreSQL, over HTTP.

    .venv/bin/python bench/load.py [--clients 32] [--seconds 20] [--intake-seconds 15]
                                   [--gunicorn-workers 5] [--pgbench-seconds 10] [--profile]

A throwaway database (MOTCUA_BENCH_PG, default postgres://motcua:motcua@127.0.0.1:5432/
motcua_bench_load) is created and seeded through the real code (``tests/prodstack.py``: demo
units, calendars, one published procedure, reception officers with passwords); static files are
collected; gunicorn runs with ``deploy/gunicorn.conf.py`` in the production profile, with the worker
(``db_worker``) beside it. Clients are threads in a few processes (``http.client`` with keep-alive,
cookies and CSRF, like a browser form), each logged in as a reception officer.

1. Mixed phase (``--seconds``): each client loops over a realistic mix — tracking lookups (the public
   tracking page when it exists, else the staff search by code), catalogue pages (list, search,
   procedure page), counter intake (GET the form, POST accept: code, ledger number, Form 01 record;
   no PDF) and a processing act through the dossier page (GET the page, POST forward). Throughput,
   p50/p95/p99 latency per kind and errors.
2. Intake phase (``--intake-seconds``): every client only accepts dossiers. Accepted dossiers per
   second through HTTP, compared with ``pgbench`` running the bare two-row insert transaction of
   ``bench/dossier_flow.py`` (imported, not copied) at the same concurrency on the same database.

Each phase also reports the CPU milliseconds per request (mixed) and per accepted dossier (intake) of
each side: gunicorn, the task worker (notifications, the outbox), the PostgreSQL backends and the
clients, read from /proc (run the bench on the database's machine): on a 2-core machine the sum is
what bounds the throughput, whatever the latencies say.

Target: intake/pgbench >= 8 %, no errors, p99 < 250 ms at 32 clients. ``--profile`` then accepts 30
dossiers in-process with the Django test client and prints where the time of one intake request
goes (SQL queries and their time, template rendering, the rest). Details go to stderr; the last line
on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - bench/dossier_flow.py: the pgbench script, tables and runner
import portal  # noqa: E402 - bench/portal.py: CPU seconds of gunicorn and PostgreSQL backends from /proc

from tests import prodstack as ps  # noqa: E402

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_load"
TARGET_RATIO = 0.08
TARGET_P99_MS = 250.0
PORTS = range(8180, 8190)
# kind: weight in the mixed phase
MIX = {"tracking": 30, "catalog": 30, "intake": 25, "act": 15}
SEEN_CODES: list[str] = []  # dossier codes seen by this client process, for tracking lookups


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Clients (threads inside a few processes)
# --------------------------------------------------------------------------------------------------


class Runner:
    def __init__(self, port: int, world: dict[str, Any], n: int, tracking: bool) -> None:
        self.world = world
        self.officer = world["officers"][n % len(world["officers"])]
        self.browser = ps.Client(port, timeout=30)
        self.n = n
        self.tracking = tracking
        self.count = 0
        self.mine: list[tuple[int, str]] = []  # (dossier id, code) accepted by this client
        self.samples: list[tuple[str, float, bool]] = []
        self.errors: list[str] = []
        self.random = random.Random(n)

    def timed(
        self, kind: str, method: str, path: str, data: dict[str, Any] | None = None
    ) -> ps.Response | None:
        started = time.perf_counter()
        try:
            response = self.browser.request(method, path, data)
        except Exception as error:
            self.samples.append((kind, (time.perf_counter() - started) * 1000, False))
            self.errors.append(f"{kind} {path}: {type(error).__name__}: {error}")
            return None
        ok = response.status < 400
        self.samples.append((kind, (time.perf_counter() - started) * 1000, ok))
        if not ok:
            self.errors.append(f"{kind} {path}: HTTP {response.status} {response.text[:160]!r}")
        return response

    def intake(self) -> None:
        page = self.timed("counter_form", "GET", f"/can-bo/quay/?procedure={self.world['procedure']}")
        match = ps.TOKEN.search(page.text) if page is not None else None
        if match is None:
            return
        self.count += 1
        identifier = f"0{self.n:03d}{os.getpid() % 100:02d}{self.count:06d}"
        form = ps.intake_form(self.world, self.officer, match.group(1), identifier)
        form["csrfmiddlewaretoken"] = self.browser.cookies.get("csrftoken", "")
        done = self.timed("intake", "POST", "/can-bo/quay/", form)
        found = ps.DONE.search(done.headers.get("location", "")) if done is not None else None
        if found:
            self.mine.append((int(found.group(1)), ""))

    def act(self) -> None:
        if not self.mine:
            self.intake()
            return
        dossier_id, _ = self.mine.pop(0)
        page = self.timed("dossier_page", "GET", f"/can-bo/ho-so/{dossier_id}/")
        match = re.search(r'name="forward-version" value="(\d+)"', page.text) if page is not None else None
        if match is None:
            return
        code = re.search(r"\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4,}", page.text) if page is not None else None
        self.timed(
            "act",
            "POST",
            f"/can-bo/ho-so/{dossier_id}/thao-tac/",
            {
                "csrfmiddlewaretoken": self.browser.cookies.get("csrftoken", ""),
                "act": "forward",
                "forward-version": match.group(1),
            },
        )
        if code:
            SEEN_CODES.append(code.group(0))

    def lookup(self) -> None:
        code = self.random.choice(SEEN_CODES) if SEEN_CODES else "000.00.01.H42-000000-0000"
        if self.tracking:
            self.timed("tracking", "GET", f"/tra-cuu/?ma={code}")
        else:
            self.timed("tracking", "GET", f"/can-bo/tim-kiem/?q={code}")

    def catalog(self) -> None:
        choice = self.random.randrange(3)
        if choice == 0:
            self.timed("catalog", "GET", "/thu-tuc/")
        elif choice == 1:
            self.timed("catalog", "GET", "/thu-tuc/?q=kiem+thu")
        else:
            self.timed("catalog", "GET", f"/thu-tuc/{self.world['procedure']}/")


def watch_cpu(
    stack: Any, url: str, clients: list[Any], phases: list[tuple[float, float]], out: list[dict[str, float]]
) -> None:
    """CPU seconds spent in each phase by gunicorn (master and workers), the task worker, the
    PostgreSQL backends of the bench database and the client processes (from /proc: run the bench on
    the database's machine). What a request costs, whatever else the machine is doing."""
    admin, name = ps.admin_url(url)
    for start_at, stop_at in phases:
        time.sleep(max(0.0, start_at - time.time()))
        meter = portal.CpuMeter(stack.web.pid, admin, name)
        first = meter.sample()
        worker = portal.cpu_s(stack.worker.pid, children=True)
        users = sum(portal.cpu_s(c.pid) for c in clients)
        time.sleep(max(0.0, stop_at - time.time()))
        last = meter.sample()
        out.append(
            {
                "web": last["gunicorn"] - first["gunicorn"],
                "worker": portal.cpu_s(stack.worker.pid, children=True) - worker,
                "postgres": last["postgres"] - first["postgres"],
                "clients": sum(portal.cpu_s(c.pid) for c in clients) - users,
            }
        )


def per(cpu: dict[str, float], count: int) -> dict[str, float]:
    """CPU milliseconds per ``count`` (requests, dossiers) of each side, and their sum."""
    parts = {k: round(v * 1000 / max(1, count), 2) for k, v in cpu.items()}
    return {**parts, "total": round(sum(cpu.values()) * 1000 / max(1, count), 2)}


def client_process(
    port: int,
    world: dict[str, Any],
    ns: list[int],
    tracking: bool,
    durations: list[float],
    start: Any,
    out: Any,
    ready: Any,
) -> None:
    runners = [Runner(port, world, n, tracking) for n in ns]
    for runner in runners:
        runner.browser.login(runner.officer["username"])
        runner.intake()  # warm: one dossier each, so that acts and lookups have something
        runner.samples.clear()
    ready.wait()  # every client logged in
    ready.wait()  # the parent has set the start time
    results: dict[str, Any] = {}
    begin = start.value
    phases = [
        (begin, begin + durations[0]),
        (begin + durations[0] + 1, begin + durations[0] + 1 + durations[1]),
    ]
    for phase, (start_at, stop_at) in enumerate(phases):
        while time.time() < start_at:
            time.sleep(0.005)

        def loop(runner: Runner, phase: int = phase, stop_at: float = stop_at) -> None:
            kinds = list(MIX)
            weights = [MIX[k] for k in kinds]
            while time.time() < stop_at:
                if phase == 1:
                    runner.intake()
                    continue
                kind = runner.random.choices(kinds, weights)[0]
                {
                    "tracking": runner.lookup,
                    "catalog": runner.catalog,
                    "intake": runner.intake,
                    "act": runner.act,
                }[kind]()

        threads = [threading.Thread(target=loop, args=(r,)) for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results[str(phase)] = {
            "samples": [s for r in runners for s in r.samples],
            "errors": [e for r in runners for e in r.errors][:20],
            "error_count": sum(len(r.errors) for r in runners),
        }
        for runner in runners:
            runner.samples.clear()
            runner.errors.clear()
    for runner in runners:
        runner.browser.close()
    out.put(results)


# --------------------------------------------------------------------------------------------------


def summarise(samples: list[tuple[str, float, bool]], seconds: float) -> dict[str, Any]:
    by_kind: dict[str, list[float]] = {}
    for kind, ms, _ok in samples:
        by_kind.setdefault(kind, []).append(ms)
    every = [ms for _, ms, _ in samples]
    return {
        "requests": len(samples),
        "requests_per_s": round(len(samples) / seconds, 1),
        "p50_ms": round(portal.percentile(every, 50), 1),
        "p95_ms": round(portal.percentile(every, 95), 1),
        "p99_ms": round(portal.percentile(every, 99), 1),
        "errors": sum(1 for *_, ok in samples if not ok),
        "by_kind": {
            kind: {
                "n": len(v),
                "per_s": round(len(v) / seconds, 1),
                "p50_ms": round(portal.percentile(v, 50), 1),
                "p95_ms": round(portal.percentile(v, 95), 1),
                "p99_ms": round(portal.percentile(v, 99), 1),
            }
            for kind, v in sorted(by_kind.items())
        },
    }


PROFILE = r"""
import cProfile, io, json, pstats, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.template import Template
from tests import prodstack as ps
from motcua.accounts.models import User

world = json.loads(sys.argv[1])
officer = world["officers"][0]
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username=officer["username"]))
render_time = [0.0]
original = Template.render
def timed_render(self, context):
    started = time.perf_counter()
    try:
        return original(self, context)
    finally:
        render_time[0] += time.perf_counter() - started
Template.render = timed_render
totals = {"requests": 0, "seconds": 0.0, "queries": 0, "sql_seconds": 0.0}
tables = {}
profile = cProfile.Profile()
for i in range(30):
    page = client.get(f"/can-bo/quay/?procedure={world['procedure']}")
    token = ps.TOKEN.search(page.content.decode()).group(1)
    form = ps.intake_form(world, officer, token, f"09{i:010d}")
    render_time[0] = 0.0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if i >= 10:
            profile.enable()
        response = client.post("/can-bo/quay/", form)
        if i >= 10:
            profile.disable()
        elapsed = time.perf_counter() - started
    assert response.status_code == 303, response.status_code
    if i >= 10:  # the first ten warm the caches
        totals["requests"] += 1
        totals["seconds"] += elapsed
        totals["queries"] += len(queries.captured_queries)
        totals["sql_seconds"] += sum(float(q["time"]) for q in queries.captured_queries)
        for q in queries.captured_queries:
            words = q["sql"].replace('"', "").split()
            verb = words[0].upper()
            after = ("FROM", "INTO", "UPDATE")
            target = next((words[j + 1] for j, w in enumerate(words[:-1]) if w.upper() in after), "")
            key = f"{verb} {target}"
            tables[key] = tables.get(key, 0) + 1
        totals.setdefault("render_seconds", 0.0)
        totals["render_seconds"] += render_time[0]
n = totals["requests"]
out = io.StringIO()
stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
stats.print_stats(25)
stats.print_stats("motcua", 40)
for key, count in sorted(tables.items(), key=lambda kv: -kv[1]):
    print(f"{count / n:5.1f} per request  {key}", file=out)
print(out.getvalue(), file=sys.stderr)
print("PROFILE " + json.dumps({
    "intake_post_ms": round(totals["seconds"] / n * 1000, 1),
    "queries": round(totals["queries"] / n, 1),
    "sql_ms": round(totals["sql_seconds"] / n * 1000, 1),
    "template_ms": round(totals["render_seconds"] / n * 1000, 1),
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0, help="mixed phase")
    parser.add_argument("--intake-seconds", type=float, default=15.0, help="intake-only phase")
    parser.add_argument("--gunicorn-workers", type=int, default=portal.web_workers())
    # 1: sync workers, which close each connection after its answer, so requests spread over the
    # workers as the reverse proxy spreads them; with gthread keep-alive each client's connection
    # stays pinned to one worker (bench/portal.py measured tracking p95 569 ms that way).
    parser.add_argument("--gunicorn-threads", type=int, default=1)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="profile the intake request afterwards")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    ps.recreate_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-load-"))
    stack = ps.Stack(
        url, workdir, ps.free_port(PORTS), workers=args.gunicorn_workers, threads=args.gunicorn_threads
    )
    line: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        world = stack.prepare(officers=min(args.clients, 8))
        ps.psql(url, dossier_flow.PGBENCH_TABLES)
        log(f"prepared in {time.perf_counter() - started:.0f} s")
        stack.start_web()
        stack.start_worker()
        stack.wait_ready()
        probe = ps.Client(stack.port).get("/tra-cuu/?ma=x")
        tracking = probe.status != 404
        log(
            f"gunicorn {args.gunicorn_workers} workers x {args.gunicorn_threads} threads on :{stack.port}; "
            f"tracking lookups via {'/tra-cuu/' if tracking else '/can-bo/tim-kiem/ (no /tra-cuu/ yet)'}"
        )

        ctx = mp.get_context("spawn")
        procs_n = max(1, min(args.client_processes, args.clients))
        groups = [list(range(i, args.clients, procs_n)) for i in range(procs_n)]
        ready = ctx.Barrier(procs_n + 1)
        start = ctx.Value("d", 0.0)
        out = ctx.Queue()
        procs = []
        durations = [args.seconds, args.intake_seconds]
        for group in groups:
            proc = ctx.Process(
                target=client_process, args=(stack.port, world, group, tracking, durations, start, out, ready)
            )
            proc.start()
            procs.append(proc)
        ready.wait()
        start.value = time.time() + 1
        ready.wait()
        begin = start.value  # the clients' phases (client_process), watched from here
        cpu: list[dict[str, float]] = []
        watcher = threading.Thread(
            target=watch_cpu,
            args=(
                stack,
                url,
                procs,
                [(begin, begin + durations[0]), (begin + durations[0] + 1, begin + sum(durations) + 1)],
                cpu,
            ),
        )
        watcher.start()
        log(
            f"{args.clients} clients logged in; mixed phase {args.seconds:.0f} s, "
            f"then intake {args.intake_seconds:.0f} s"
        )
        results = [out.get() for _ in procs]
        for proc in procs:
            proc.join()
        watcher.join()

        mixed_samples = [s for r in results for s in r["0"]["samples"]]
        intake_samples = [s for r in results for s in r["1"]["samples"]]
        errors = [e for r in results for phase in ("0", "1") for e in r[phase]["errors"]]
        for error in errors[:10]:
            log(f"error: {error}")
        mixed = summarise(mixed_samples, args.seconds)
        intake = summarise(intake_samples, args.intake_seconds)
        accepted = sum(1 for kind, _, ok in intake_samples if kind == "intake" and ok)
        accepted_per_s = accepted / args.intake_seconds
        log(f"mixed: {json.dumps(mixed)}")
        log(f"intake: {json.dumps(intake)}")
        mixed_cpu = per(cpu[0], len(mixed_samples)) if len(cpu) > 0 else {}
        intake_cpu = per(cpu[1], accepted) if len(cpu) > 1 else {}
        log(f"CPU ms per request, mixed phase: {json.dumps(mixed_cpu)}")
        log(f"CPU ms per accepted dossier (its form and its POST), intake phase: {json.dumps(intake_cpu)}")
        stack.stop()

        tps = dossier_flow.run_pgbench(url, args.clients, args.pgbench_seconds)
        ratio = accepted_per_s / tps if tps else 0.0
        log(
            f"intake {accepted_per_s:.1f} accepted/s over HTTP; pgbench two-row insert {tps:.0f} tps; "
            f"ratio {ratio:.4f}"
        )
        line = {
            "bench": "load",
            "clients": args.clients,
            "gunicorn_workers": args.gunicorn_workers,
            "gunicorn_threads": args.gunicorn_threads,
            "cpus": os.cpu_count(),
            "python": portal.interpreter(),
            "mixed_requests_per_s": mixed["requests_per_s"],
            "mixed_p50_ms": mixed["p50_ms"],
            "mixed_p95_ms": mixed["p95_ms"],
            "mixed_p99_ms": mixed["p99_ms"],
            "mixed_errors": mixed["errors"],
            "mixed_by_kind": mixed["by_kind"],
            "intake_accepted_per_s": round(accepted_per_s, 1),
            "intake_p50_ms": intake["by_kind"].get("intake", {}).get("p50_ms", 0.0),
            "intake_p99_ms": intake["by_kind"].get("intake", {}).get("p99_ms", 0.0),
            "intake_phase_p99_ms": intake["p99_ms"],
            "intake_errors": intake["errors"],
            "mixed_cpu_ms_per_request": mixed_cpu,
            "intake_cpu_ms_per_dossier": intake_cpu,
            "pgbench_tps": round(tps, 1),
            "ratio": round(ratio, 4),
            "target_ratio": TARGET_RATIO,
            "target_p99_ms": TARGET_P99_MS,
            "ok": ratio >= TARGET_RATIO
            and mixed["errors"] == 0
            and intake["errors"] == 0
            and mixed["p99_ms"] < TARGET_P99_MS
            and intake["p99_ms"] < TARGET_P99_MS,
        }
        if args.profile:
            done = subprocess.run(
                [sys.executable, "-c", PROFILE, json.dumps(world)],
                cwd=ROOT,
                env=stack.env(),
                capture_output=True,
                text=True,
                check=False,
            )
            log(done.stderr[-6000:])
            found = re.search(r"^PROFILE (.+)$", done.stdout, re.M)
            if found:
                line["profile_intake"] = json.loads(found.group(1))
    finally:
        stack.stop()
        if not args.keep:
            ps.drop_database(url)
            shutil.rmtree(workdir, ignore_errors=True)  # static files, media, logs of this run
    print(json.dumps(line))


if __name__ == "__main__":
    main()
