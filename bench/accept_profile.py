"""Where the CPU of one act goes, in one process, on PostgreSQL: a counter acceptance and each
transition of the normal life cycle (forward, assign, appraise, approve, sign, issue, return).

    MOTCUA_BENCH_PG=postgres://…/motcua_fa_flow .venv/bin/python bench/accept_profile.py \
        [--n 50] [--sql] [--act accept] [--stages] [--what-if SQL]

Seeds a throwaway database the way ``bench/dossier_flow.py`` does (its ``setup``), warms the caches
with a few life cycles, then runs ``--n`` life cycles as one set of officers: the acceptance (3
components, code, ledger number, Form 01 data) and the seven transitions. For each act it prints the
statements of one run (``--sql``), their count, and the CPU time per act of this process and of its
PostgreSQL backend (read from /proc: the bench must run on the database's machine); then a cProfile
(CPU timer) of the Python side of ``--act``.

``--stages``: where the backend's CPU of ``--act`` goes, statement by statement. PostgreSQL's
``log_statement_stats`` (superuser only: the default URL connects as ``postgres``) is switched on for
the act's own connection around ``--n`` more runs of it, and its reports come back to the bench as
notices: the CPU of each protocol message (BEGIN and COMMIT as simple queries; each statement's
bind, where a statement planned again on every run is planned, and its execute). COMMIT includes
the checks of the deferred foreign keys. What is left of the backend's CPU (reading the messages,
and the reports themselves) is "between messages".

``--what-if SQL``: run SQL on the seeded database before the caches are warmed, to measure what a
change to the schema would give (``DROP INDEX …``, a constraint dropped) without a migration. The
database is thrown away at the end.

Details go to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
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
    parser.add_argument("--sql-width", type=int, default=200, help="characters of each statement printed")
    parser.add_argument("--act", choices=ACTS, default="accept", help="the act profiled by cProfile")
    parser.add_argument("--dump", help="also write the cProfile statistics to this file (pstats)")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--stages", action="store_true", help="the backend's CPU of --act, by message")
    parser.add_argument("--what-if", default="", help="SQL run on the seeded database before the runs")
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
            if args.what_if:
                cursor.execute(args.what_if)
                print(f"what if: {args.what_if}", file=sys.stderr)
        statements: dict[str, list[str]] = {}
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

        def run(
            act: str, fn: Callable[[], Any], *, measure: bool, capture: bool, prof: bool, stage: bool = False
        ) -> Any:
            if stage:
                return stage_of(connection, fn) if act == args.act else fn()
            if not measure:
                return fn()
            server_before = portal.cpu_s(backend)
            cpu_before = time.process_time()
            if capture:
                with CaptureQueriesContext(connection) as captured:
                    value = fn()
                statements[act] = [q["sql"] for q in captured.captured_queries]
                if args.sql:
                    print(f"== {act}", file=sys.stderr)
                    for q in captured.captured_queries:
                        print(f"   {q['sql'][: args.sql_width]}", file=sys.stderr)
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

        def life_cycle(
            i: int, *, measure: bool = True, capture: bool = False, prof: bool = False, stage: bool = False
        ) -> None:
            d = run(
                "accept",
                lambda: accept(i),
                measure=measure,
                capture=capture,
                prof=prof and args.act == "accept",
                stage=stage,
            )
            for act, fn in steps(d):
                run(act, fn, measure=measure, capture=capture, prof=prof and args.act == act, stage=stage)

        for i in range(10):  # warm the per-process caches, as a running server has them
            life_cycle(i, measure=False)
        life_cycle(10, capture=True)  # the statements of one run (and their count)
        for i in range(args.n):  # timed without the profiler or the query log
            life_cycle(1000 + i)
        timed_client, timed_server = dict(client_s), dict(server_s)
        for i in range(min(args.n, 50)):
            life_cycle(5000 + i, prof=True)
        stages: list[list[Any]] = []
        if args.stages:
            for i in range(args.n):
                life_cycle(9000 + i, stage=True)
            stages = stages_of(connection, statements[args.act])
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
    if stages:
        log_stages(args.act, stages)
    print(
        json.dumps(
            {
                "bench": "accept_profile",
                "n": args.n,
                "client_cpu_ms_per_accept": per["accept"]["client_cpu_ms"],
                "server_cpu_ms_per_accept": per["accept"]["server_cpu_ms"],
                "queries_per_accept": per["accept"]["queries"],
                "acts": per,
                **({"server_stages_us": {args.act: stages}} if stages else {}),
                "ok": True,
            }
        )
    )


# --------------------------------------------------------------------------------------------------
# --stages: the backend's CPU, protocol message by protocol message
# --------------------------------------------------------------------------------------------------

_USAGE = re.compile(r"([0-9.]+) s user, ([0-9.]+) s system, [0-9.]+ s elapsed")
_TOTAL = re.compile(r"\[([0-9.]+) s user, ([0-9.]+) s system total\]")
_MESSAGES = {"QUERY": "", "PARSE": "parse", "BIND": "bind", "EXECUTE": "execute"}


def stage_of(connection: Any, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with ``log_statement_stats`` on, its reports kept on ``connection`` as
    ``(message, cpu seconds, backend's cumulative cpu seconds)``."""
    reports = connection.__dict__.setdefault("_bench_stage_reports", [])
    notices: list[tuple[str, float, float]] = []

    def keep(diagnostic: Any) -> None:
        detail = diagnostic.message_detail or ""
        used, total = _USAGE.search(detail), _TOTAL.search(detail)
        if used and total:
            message = (diagnostic.message_primary or "").split(" ")[0]
            notices.append((message, float(used[1]) + float(used[2]), float(total[1]) + float(total[2])))

    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET client_min_messages = log")
        cursor.execute("SET log_statement_stats = on")
    connection.connection.add_notice_handler(keep)
    try:
        return fn()
    finally:
        connection.connection.remove_notice_handler(keep)
        with connection.cursor() as cursor:
            cursor.execute("SET log_statement_stats = off")
            cursor.execute("RESET client_min_messages")
        reports.append(list(notices))


def stages_of(connection: Any, statements: list[str]) -> list[list[Any]]:
    """``[[stage, µs per act], …]`` over the runs ``stage_of`` kept on ``connection``: BEGIN, each
    statement's messages named by its first words (``statements``: the act's, in order), COMMIT, and
    what the backend spent between messages."""
    reports = connection.__dict__.pop("_bench_stage_reports", [])
    middle = [sql for sql in statements if sql not in ("BEGIN", "COMMIT")]
    sums: dict[str, float] = {}
    between = 0.0
    for notices in reports:
        statement, last_kind = -1, ""
        for message, cpu, _ in notices:
            kind = _MESSAGES.get(message, message.lower())
            if message == "QUERY":
                name = "BEGIN" if statement < 0 else "COMMIT"
            else:
                if kind in ("parse", "bind") and (statement < 0 or last_kind == "execute"):
                    statement += 1
                text = " ".join(middle[statement].split()[:6]) if 0 <= statement < len(middle) else "?"
                name = f"{text} … ({kind})"
            last_kind = kind
            sums[name] = sums.get(name, 0.0) + cpu
        if len(notices) > 1:
            between += (notices[-1][2] - notices[0][2]) - sum(cpu for _, cpu, _ in notices[1:])
    count = max(len(reports), 1)
    found = [[name, round(total / count * 1e6, 1)] for name, total in sums.items()]
    return [*found, ["between messages", round(between / count * 1e6, 1)]]


def log_stages(act: str, stages: list[list[Any]]) -> None:
    print(f"backend CPU of {act}, µs per act:", file=sys.stderr)
    for name, us in stages:
        print(f"   {us:8.1f}  {name}", file=sys.stderr)


if __name__ == "__main__":
    main()
