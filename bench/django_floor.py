"""What Django itself allows on this machine: the pgbench transaction of the two speed targets
(issues #5 and #9) written through a bare Django ORM, in-process and over HTTP under gunicorn.

    .venv/bin/python bench/django_floor.py [--seconds 10] [--pgbench-seconds 10]
                                           [--clients 16] [--processes N] [--http-clients 32]
                                           [--gunicorn-workers N]

Both targets are ratios to ``pgbench`` running a bare two-row insert transaction
(``bench/dossier_flow.py``'s script): #5 asks for counter acceptances in-process at 10 % of it (16
clients), #9 for intakes over HTTP at 8 % (32 clients). Issue #5 sets its target from "a bare
Django view doing the same two inserts under gunicorn", about 19 % of pgbench on the machine it was
written on. This bench measures that floor here, with nothing of motcua in it
(``bench/_floor_app.py``: no middleware, no template, two ``objects.create`` in one transaction):

1. in-process: ``--clients`` clients call it in a loop, as ``bench/dossier_flow.py``'s clients call
   the acceptance, laid out as they are: threads (each its own connection) spread over
   ``--processes`` processes (spawn), by default as many as gunicorn starts here (2 × cores + 1,
   decision 0059);
2. over HTTP: gunicorn with ``deploy/gunicorn.conf.py`` (``--gunicorn-workers`` sync workers, by
   default 2 × cores + 1, as
   ``bench/load.py`` runs motcua) and ``--http-clients`` keep-alive clients (threads in four
   processes) POST to it, as ``bench/load.py``'s clients do;
3. ``pgbench`` at both concurrencies, in the same run, on the same database.

A throwaway database (MOTCUA_BENCH_PG, default postgres://motcua:motcua@127.0.0.1:5432/
motcua_bench_floor) is created and dropped. It has no target of its own: ``ok`` says that it ran
without an error. Compare its ratios with those of ``bench/dossier_flow.py`` and ``bench/load.py``
run on the same machine. Details go to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

import dossier_flow  # noqa: E402 - the pgbench script, its tables and runner
import portal  # noqa: E402 - bench/portal.py: the web tier's process count

from tests import prodstack as ps  # noqa: E402 - database set-up, free port

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_floor"
PORTS = range(8190, 8200)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _summed(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One process's report: its clients' counts added up, their latencies together."""
    return {
        "done": sum(r["done"] for r in results),
        "latencies": [v for r in results for v in r["latencies"]],
        "errors": sum(r["errors"] for r in results),
    }


def in_process(url: str, clients: list[int], ready: Any, start: Any, seconds: float, out: Any) -> None:
    """One process calling the bare transaction: each client of ``clients`` in a thread of its own
    (one client: in this thread), each thread with its own connection, as in ``bench/dossier_flow.py``."""
    os.environ["FLOOR_DATABASE_URL"] = url
    sys.path.insert(0, str(BENCH))
    import _floor_app

    results: list[dict[str, Any]] = []
    # The phase's barrier, passed once all of this process's clients reach it (twice: all warm, then
    # the start time is set).
    here = threading.Barrier(len(clients), action=ready.wait)

    def one(n: int) -> None:
        for _ in range(20):  # warm: the connection, prepared statements
            _floor_app.two_inserts(n)
        here.wait()
        here.wait()
        while time.time() < start.value:
            time.sleep(0.001)
        stop_at = start.value + seconds
        done, latencies = 0, []
        while time.time() < stop_at:
            began = time.perf_counter()
            _floor_app.two_inserts(n)
            latencies.append((time.perf_counter() - began) * 1000)
            done += 1
        results.append({"done": done, "latencies": latencies, "errors": 0})

    portal.in_threads(one, [(n,) for n in clients])
    out.put(_summed(results))


def http_clients(port: int, threads: int, ready: Any, start: Any, seconds: float, out: Any) -> None:
    results: list[dict[str, Any]] = []

    def one() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done, errors, latencies = 0, 0, []
        while time.time() < start.value:
            time.sleep(0.001)
        stop_at = start.value + seconds
        while time.time() < stop_at:
            began = time.perf_counter()
            try:
                conn.request("POST", "/two/", body=b"", headers={"Host": f"127.0.0.1:{port}"})
                answer = conn.getresponse()
                answer.read()
                ok = answer.status == 201
                if answer.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            latencies.append((time.perf_counter() - began) * 1000)
            done += ok
            errors += not ok
        conn.close()
        results.append({"done": done, "latencies": latencies, "errors": errors})

    ready.wait()
    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    ready.wait()
    for worker in workers:
        worker.join()
    out.put(_summed(results))


def run_phase(target: Any, args_of: list[tuple[Any, ...]], seconds: float) -> dict[str, Any]:
    """Start one process per ``args_of`` entry, release them together, collect their counts."""
    ctx = mp.get_context("spawn")
    ready = ctx.Barrier(len(args_of) + 1)
    start = ctx.Value("d", 0.0)
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, ready, start, seconds, out)) for a in args_of]
    for proc in procs:
        proc.start()
    ready.wait()
    start.value = time.time() + 0.5
    ready.wait()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
    latencies = [v for r in results for v in r["latencies"]]
    done = sum(r["done"] for r in results)
    return {
        "per_s": round(done / seconds, 1),
        "p99_ms": round(portal.percentile(latencies, 99), 1),
        "errors": sum(r["errors"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=16, help="in-process clients (#5: 16)")
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="processes the in-process clients run in, as threads (default: 2 × cores + 1, as gunicorn)",
    )
    parser.add_argument("--http-clients", type=int, default=32, help="HTTP clients (#9: 32)")
    parser.add_argument("--gunicorn-workers", type=int, default=portal.web_workers())
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    ps.recreate_database(url)
    ps.psql(url, dossier_flow.PGBENCH_TABLES)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-floor-"))
    web: subprocess.Popen[bytes] | None = None
    try:
        processes = max(1, min(args.processes or portal.web_workers(), args.clients))
        groups = [list(range(args.clients))[i::processes] for i in range(processes)]
        inproc = run_phase(in_process, [(url, g) for g in groups], args.seconds)
        log(f"in-process, {args.clients} clients in {processes} processes: {json.dumps(inproc)}")

        port = ps.free_port(PORTS)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_", "GUNICORN_"))}
        env.update(
            FLOOR_DATABASE_URL=url,
            PYTHONPATH=str(BENCH),
            GUNICORN_BIND=f"127.0.0.1:{port}",
            GUNICORN_WORKERS=str(args.gunicorn_workers),
            GUNICORN_THREADS="1",
            GUNICORN_ERROR_LOG=str(workdir / "gunicorn.log"),
        )
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "_floor_app:application",
            ],
            cwd=BENCH,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/two/")
                status = probe.getresponse().status
                probe.close()
                if status == 405:
                    break
            except OSError:
                pass
            if time.time() > deadline or web.poll() is not None:
                raise SystemExit(f"gunicorn did not answer; see {workdir / 'gunicorn.log'}")
            time.sleep(0.2)
        groups = 4
        threads = [len(range(i, args.http_clients, groups)) for i in range(groups)]
        over_http = run_phase(http_clients, [(port, t) for t in threads if t], args.seconds)
        log(
            f"over HTTP, {args.http_clients} clients, {args.gunicorn_workers} sync workers: "
            f"{json.dumps(over_http)}"
        )
        ps.Stack._kill(web, 15)
        web = None

        pg_in = dossier_flow.run_pgbench(url, args.clients, args.pgbench_seconds)
        pg_http = dossier_flow.run_pgbench(url, args.http_clients, args.pgbench_seconds)
    finally:
        if web is not None:
            ps.Stack._kill(web, 9)
        ps.drop_database(url)
    line = {
        "bench": "django_floor",
        "inprocess_clients": args.clients,
        "inprocess_processes": processes,
        "inprocess_two_inserts_per_s": inproc["per_s"],
        "inprocess_p99_ms": inproc["p99_ms"],
        "pgbench_tps_inprocess_clients": round(pg_in, 1),
        "inprocess_ratio": round(inproc["per_s"] / pg_in, 4),
        "http_clients": args.http_clients,
        "gunicorn_workers": args.gunicorn_workers,
        "http_two_inserts_per_s": over_http["per_s"],
        "http_p99_ms": over_http["p99_ms"],
        "pgbench_tps_http_clients": round(pg_http, 1),
        "http_ratio": round(over_http["per_s"] / pg_http, 4),
        "errors": inproc["errors"] + over_http["errors"],
        "target": None,
        "ok": inproc["errors"] + over_http["errors"] == 0,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
