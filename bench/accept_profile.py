"""Where the time of one counter acceptance goes, in one process, on PostgreSQL.

    MOTCUA_BENCH_PG=postgres://…/motcua_fa_flow .venv/bin/python bench/accept_profile.py [--n 50] [--sql]

Seeds a throwaway database the way ``bench/dossier_flow.py`` does (its ``setup``), warms the caches
with a few acceptances, then accepts ``--n`` dossiers (3 components, code, ledger number, Form 01
data) as one reception officer: the statements of one acceptance (``--sql``), their count, the time
spent in SQL, the CPU time per acceptance of this process and of its PostgreSQL backend (read from
/proc: the bench must run on the database's machine), and the cProfile of the Python side.
Details go to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - the same seed as the concurrent bench


class _Box:
    value: Any = None

    def put(self, value: Any) -> None:
        self.value = value


def _server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of the PostgreSQL backend serving this connection, from /proc
    (the bench runs beside the server, as CI does)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print the statements of one acceptance")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", dossier_flow.DEFAULT_URL)
    admin, name = dossier_flow._admin_url(url)
    dossier_flow._psql(admin, f"DROP DATABASE IF EXISTS {name}")
    dossier_flow._psql(admin, f"CREATE DATABASE {name}")
    try:
        box = _Box()
        dossier_flow.setup(url, 1, box)
        seed = box.value
        me = seed["plan"][0]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from motcua.accounts.models import User
        from motcua.dossiers import services
        from motcua.paperwork.from_dossier import form01_for

        officer = User.objects.get(pk=me["reception"])
        template = dossier_flow.counter_intake(seed, me, "00000000")  # read once, outside the timing

        def accept(i: int) -> None:
            intake = dossier_flow.renumbered(template, f"{i:08d}")
            dossier = services.receive_at_counter(intake=intake, actor=officer)
            form01_for(dossier)

        for i in range(10):
            accept(i)
        with CaptureQueriesContext(connection) as one:
            accept(10)
        if args.sql:
            for q in one.captured_queries:
                print(f"{float(q['time']) * 1000:6.2f} ms  {q['sql'][:220]}", file=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        server_before = _server_cpu_s(backend)
        started, cpu_started = time.perf_counter(), time.process_time()
        for i in range(args.n):  # timed without the profiler or the query log
            accept(1000 + i)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        server = _server_cpu_s(backend) - server_before
        sql_s = 0.0
        queries = 0
        profile = cProfile.Profile()
        for i in range(args.n):
            with CaptureQueriesContext(connection) as captured:
                profile.enable()
                accept(100 + i)
                profile.disable()
            queries += len(captured.captured_queries)
            sql_s += sum(float(q["time"]) for q in captured.captured_queries)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), file=sys.stderr)
        connection.close()
    finally:
        dossier_flow._psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(
        json.dumps(
            {
                "bench": "accept_profile",
                "n": args.n,
                "ms_per_accept": round(elapsed / args.n * 1000, 2),
                "client_cpu_ms_per_accept": round(cpu / args.n * 1000, 2),
                "server_cpu_ms_per_accept": round(server / args.n * 1000, 2),
                "queries_per_accept": round(queries / args.n, 1),
                "sql_ms_per_accept": round(sql_s / args.n * 1000, 2),
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
