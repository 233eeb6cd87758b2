"""Where the CPU of one act goes, in one process, on PostgreSQL: a counter acceptance and each
transition of the normal life cycle (forward, assign, appraise, approve, sign, issue, return).

    MOTCUA_BENCH_PG=postgres://…/motcua_fa_flow .venv/bin/python bench/accept_profile.py \
        [--n 50] [--sql] [--act accept]

Seeds a throwaway database the way ``bench/dossier_flow.py`` does (its ``setup``), warms the caches
with a few life cycles, then runs ``--n`` life cycles as one set of officers: the acceptance (3
components, code, ledger number, Form 01 data) and the seven transitions. For each act it prints the
statements of one run (``--sql``), their count, and the CPU time per act of this process and of its
PostgreSQL backend (read from /proc: the bench must run on the database's machine); then a cProfile
(CPU timer) of the Python side of ``--act``. Details go to stderr; the last line on stdout is one
JSON object.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - the same seed as the concurrent bench
import portal  # noqa: E402 - bench/portal.py: CPU seconds from /proc

ACTS = dossier_flow.ACTS


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--sql", action="store_true", help="print the statements of one run of each act")
    parser.add_argument("--act", choices=ACTS, default="accept", help="the act profiled by cProfile")
    parser.add_argument("--dump", help="also write the cProfile statistics to this file (pstats)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", dossier_flow.DEFAULT_URL)
    with dossier_flow.seeded_here(url) as seed:
        me = seed["plan"][0]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from motcua.accounts.models import User
        from motcua.dossiers import services
        from motcua.paperwork.from_dossier import form01_for

        u = {k: User.objects.get(pk=me[k]) for k in ("reception", "leader", "handler", "approver", "clerk")}
        template = dossier_flow.counter_intake(seed, me, "00000000")  # read once, outside the timing
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        client_s = dict.fromkeys(ACTS, 0.0)
        server_s = dict.fromkeys(ACTS, 0.0)
        queries = dict.fromkeys(ACTS, 0)
        profile = cProfile.Profile(time.process_time)

        def accept(i: int) -> int:
            intake = dossier_flow.renumbered(template, f"{i:08d}")
            dossier = services.receive_at_counter(intake=intake, actor=u["reception"])
            form01_for(dossier)
            return int(dossier.pk)

        def steps(d: int) -> list[tuple[str, Callable[[], Any]]]:
            return [
                ("forward", lambda: services.forward_dossier(dossier_id=d, actor=u["reception"])),
                (
                    "assign",
                    lambda: services.assign_handler(
                        dossier_id=d, actor=u["leader"], handler_id=u["handler"].pk
                    ),
                ),
                ("appraise", lambda: services.appraise(dossier_id=d, actor=u["handler"], opinion="Đủ")),
                ("approve", lambda: services.approve(dossier_id=d, actor=u["approver"])),
                ("sign", lambda: services.sign_result(dossier_id=d, actor=u["approver"])),
                ("issue", lambda: services.issue_result(dossier_id=d, actor=u["clerk"], number=f"{d}/QĐ")),
                ("return", lambda: services.return_result(dossier_id=d, actor=u["reception"])),
            ]

        def run(act: str, fn: Callable[[], Any], *, measure: bool, capture: bool, prof: bool) -> Any:
            if not measure:
                return fn()
            server_before = portal.cpu_s(backend)
            cpu_before = time.process_time()
            if capture:
                with CaptureQueriesContext(connection) as captured:
                    value = fn()
                if args.sql:
                    print(f"== {act}", file=sys.stderr)
                    for q in captured.captured_queries:
                        print(f"   {q['sql'][:200]}", file=sys.stderr)
                queries[act] += len(captured.captured_queries)
                return value
            if prof:
                profile.enable()
            value = fn()
            if prof:
                profile.disable()
            client_s[act] += time.process_time() - cpu_before
            server_s[act] += portal.cpu_s(backend) - server_before
            return value

        def life_cycle(i: int, *, measure: bool = True, capture: bool = False, prof: bool = False) -> None:
            d = run(
                "accept",
                lambda: accept(i),
                measure=measure,
                capture=capture,
                prof=prof and args.act == "accept",
            )
            for act, fn in steps(d):
                run(act, fn, measure=measure, capture=capture, prof=prof and args.act == act)

        for i in range(10):  # warm the per-process caches, as a running server has them
            life_cycle(i, measure=False)
        life_cycle(10, capture=True)  # the statements of one run (and their count)
        for i in range(args.n):  # timed without the profiler or the query log
            life_cycle(1000 + i)
        timed_client, timed_server = dict(client_s), dict(server_s)
        for i in range(min(args.n, 50)):
            life_cycle(5000 + i, prof=True)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), file=sys.stderr)
        if args.dump:
            stats.dump_stats(args.dump)
        connection.close()
    per = {
        act: {
            "client_cpu_ms": round(timed_client[act] / args.n * 1000, 2),
            "server_cpu_ms": round(timed_server[act] / args.n * 1000, 2),
            "queries": queries[act],
        }
        for act in ACTS
    }
    print(
        json.dumps(
            {
                "bench": "accept_profile",
                "n": args.n,
                "client_cpu_ms_per_accept": per["accept"]["client_cpu_ms"],
                "server_cpu_ms_per_accept": per["accept"]["server_cpu_ms"],
                "queries_per_accept": per["accept"]["queries"],
                "acts": per,
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
