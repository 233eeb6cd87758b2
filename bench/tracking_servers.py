"""The tracking look-up under 32 clients, HTTP servers side by side: each named server in turn on the
same seeded database, round after round, so that they share the machine's load (issue #7, decision 0042).

    MOTCUA_BENCH_PG=postgres://…/motcua_tracking_servers .venv/bin/python bench/tracking_servers.py \
        [--servers gunicorn,gunicorn-log,granian] [--rounds 3] [--seconds 15] [--reuse] [--port 8161]

Seeds the database as ``bench/portal.py`` does (``--reuse`` keeps one seeded before), collects the
static files, then for each round and each server: starts it with the production settings profile,
primes 32 anonymous clients with their CSRF cookie, runs ``bench/portal.py``'s tracking phase (the
same request, the same clients, no think time, timed from connect to the last byte) and stops it.
Servers:
- ``gunicorn``: deploy/gunicorn.conf.py with one thread per worker (sync workers), as
  ``bench/portal.py`` runs it, without an access log (the production default, decision 0042);
- ``gunicorn-log``: the same writing gunicorn's access log (to /dev/null), as up to decision 0041;
- ``granian``: granian 2.8 (not installed by the project) with the same number of worker processes,
  one application thread each, Django warmed in the master before the fork, its access log on.
Each run prints one line on stderr and the whole ends with one JSON line on stdout: per run, the
load average (1 min) at its start and end, p50/p95, look-ups per second and the CPU per look-up of
the server (master and workers), the PostgreSQL backends and this client.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import portal  # noqa: E402 - the same seed, client and phase as the HTTP bench

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_tracking_servers"


def server_command(kind: str, port: int, env: dict[str, str]) -> list[str]:
    python = sys.executable
    if kind in ("gunicorn", "gunicorn-log"):
        access_log = os.devnull if kind == "gunicorn-log" else ""
        env.update({"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": access_log})
        env.update({"GUNICORN_LOG_LEVEL": "warning", "GUNICORN_ERROR_LOG": "-", "GUNICORN_THREADS": "1"})
        return portal.gunicorn_command()
    if kind == "granian":
        # Not a dependency of the project (decision 0042 keeps gunicorn): pip install granian to compare.
        # Django set up and warmed in the master before it forks the workers, as gunicorn's preload.
        workers = portal.web_workers()
        launcher = (
            "import config.wsgi\n"
            "from granian import Granian\n"
            "from granian.constants import HTTPModes, Interfaces\n"
            f"Granian('config.wsgi:application', address='127.0.0.1', port={port}, "
            "interface=Interfaces.WSGI, http=HTTPModes.http1, websockets=False, "
            f"workers={workers}, blocking_threads=1, "
            f"backpressure={int(os.environ.get('GRANIAN_BACKPRESSURE', '2'))}, log_access=True).serve()\n"
        )
        return [python, "-c", launcher]
    raise SystemExit(f"unknown server {kind!r}")


def run_one(
    kind: str, args: argparse.Namespace, env: dict[str, str], admin: str, name: str, seed: Any
) -> dict:
    env = dict(env)
    command = server_command(kind, args.port, env)
    load_start = os.getloadavg()[0]
    # The access log goes to the server's stdout: thrown away here, written (formatted) all the same.
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                probe.request("GET", "/tra-cuu/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        clients = [portal.Browser(args.port) for _ in range(args.clients)]
        for browser in clients:
            browser.request("GET", "/tra-cuu/")
        lookups = seed["lookups"]

        def tracking(browser: portal.Browser, me: int, i: int) -> tuple[bool, float]:
            code, factor = lookups[(me * 7919 + i * 31) % len(lookups)]
            status, body, ms = browser.lean_form("/tra-cuu/", {"ma": code, "so": factor})
            return status == 200 and b'id="tracking-state"' in body, ms

        # A short warm phase (first connections, the workers' first requests), then the timed one.
        portal.run_phase(f"{kind} warm", clients, 2.0, tracking)
        meter = portal.CpuMeter(server.pid, admin, name)
        before = meter.sample()
        latencies, errors = portal.run_phase(kind, clients, args.seconds, tracking)
        after = meter.sample()
        cpu = {
            ("server" if k == "gunicorn" else k): round(
                (after[k] - before[k]) * 1000 / max(1, len(latencies)), 2
            )
            for k in after
        }
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    ordered = sorted(latencies)
    result = {
        "server": kind,
        "load_1min": [round(load_start, 1), round(os.getloadavg()[0], 1)],
        "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else 0.0,
        "p95_ms": round(portal.p95(latencies), 1),
        "lookups_per_s": round(len(latencies) / args.seconds, 1),
        "cpu_ms_per_lookup": cpu,
        "errors": errors,
    }
    portal.log(json.dumps(result))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--servers", default="gunicorn,gunicorn-log")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--port", type=int, default=8161)
    parser.add_argument("--reuse", action="store_true", help="the database is seeded already")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    admin, name = portal.admin_url(url)
    ctx = mp.get_context("spawn")
    if not args.reuse:
        portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
        portal.psql(admin, f"CREATE DATABASE {name}")
        queue = ctx.Queue()
        seeding = ctx.Process(target=portal.setup, args=(url, args.clients, queue))
        seeding.start()
        portal.result_of(queue, seeding)
        seeding.join()
    codes = subprocess.run(
        ["psql", url, "-At", "-c", "SELECT code, applicant_phone FROM dossiers_dossier ORDER BY id"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    seed = {"lookups": [(line.split("|")[0], line.split("|")[1][-4:]) for line in codes]}
    tmp = Path(tempfile.mkdtemp(prefix="motcua-tracking-servers-"))
    env = {**os.environ, **portal.production_env(url, tmp)}
    runs: list[dict] = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for _round in range(args.rounds):
            for kind in args.servers.split(","):
                runs.append(run_one(kind, args, env, admin, name, seed))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
    print(
        json.dumps(
            {"bench": "tracking_servers", "clients": args.clients, "seconds": args.seconds, "runs": runs}
        )
    )


if __name__ == "__main__":
    main()
