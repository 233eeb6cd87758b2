"""Where the task worker's CPU goes per accepted dossier, in one process, on PostgreSQL.

    MOTCUA_BENCH_PG=postgres://…/motcua_bench_worker .venv/bin/python bench/worker_profile.py \
        [--n 200] [--sql] [--top 30]

Seeds a throwaway database the way ``bench/dossier_flow.py`` does (``seeded_here``), with the
production configuration of ``bench/load.py`` for what the worker does: the database task queue,
e-mail kept in memory, the logging SMS backend, no national portal, log level ERROR. Then, three
times (timed; statements; cProfile), it accepts ``--n`` dossiers through
``services.receive_at_counter`` (not measured), waits until every queued task is due, and runs the
queue to empty with django_tasks_db's own ``Worker`` (the loop of ``manage.py db_worker``) in this
process. It prints the CPU milliseconds per dossier of this process and of its PostgreSQL backend
(from /proc: run beside the server), the statements per dossier, the tasks run by name, and a
cProfile (CPU timer) top list. Details go to stderr; the last line on stdout is one JSON object.

The outbox pump is woken at most once per second and process (``outbox.wake``), so its share per
dossier depends on the acceptance rate; ``tasks`` gives how many pump runs the figure includes.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - the same seed as the concurrent bench
import portal  # noqa: E402 - bench/portal.py: CPU seconds from /proc

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_worker"


def _shape(sql: str) -> str:
    """A statement without its values, to group them."""
    sql = re.sub(r'"s\d+_x\d+"', "?", sql)  # savepoint names
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return sql[:150]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="dossiers per pass")
    parser.add_argument("--sql", action="store_true", help="print the statements, grouped by shape")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", help="also write the cProfile statistics to this file (pstats)")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    # bench/load.py's production environment, as far as the worker sees it.
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["MOTCUA_SMS_BACKEND"] = "motcua.notifications.sms.LoggingSmsBackend"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    os.environ["MOTCUA_OUTBOX_AUTOWAKE"] = "1"
    with dossier_flow.seeded_here(url) as seed:
        from django.conf import settings
        from django.core import mail
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult, get_date_max

        from motcua.accounts.models import User
        from motcua.core import clock
        from motcua.dossiers import services
        from motcua.notifications import sms
        from motcua.notifications.models import Message, MessageState

        settings.MOTCUA_NATIONAL_PORTAL_URL = ""  # bench/load.py runs without the portal sync
        connection.settings_dict["CONN_MAX_AGE"] = None  # one backend for the whole bench
        connection.close()
        me = seed["plan"][0]
        reception = User.objects.get(pk=me["reception"])
        template = dossier_flow.counter_intake(seed, me, "00000000")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        numbers = iter(range(1, 10**7))

        def accept(n: int) -> None:
            for _ in range(n):
                intake = dossier_flow.renumbered(template, f"{next(numbers):08d}")
                services.receive_at_counter(intake=intake, actor=reception)
            # Every task queued so far is due (the outbox pump is deferred to the next second).
            deferred = DBTaskResult.objects.filter(status="READY").exclude(run_after=get_date_max())
            when = deferred.order_by("-run_after").values_list("run_after", flat=True).first()
            if when is not None:
                time.sleep(max(0.0, (when - clock.now()).total_seconds()) + 0.05)

        def drain() -> collections.Counter[str]:
            before = set(DBTaskResult.objects.exclude(status="READY").values_list("id", flat=True))
            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=None,
                worker_id="worker-profile",
                excluded_queue_names=[],
            ).run()
            ran = DBTaskResult.objects.exclude(id__in=before).exclude(status="READY")
            paths = ran.values_list("task_path", flat=True)
            return collections.Counter(path.rsplit(".", 1)[1] for path in paths)

        def settle() -> None:
            mail.outbox.clear()
            sms.outbox.clear()

        accept(10)  # warm the caches and prepared statements, as a running worker has them
        drain()
        settle()

        # 1. timed
        accept(args.n)
        ready = DBTaskResult.objects.filter(status="READY").count()
        server_before, cpu_before = portal.cpu_s(backend), time.process_time()
        tasks = drain()
        worker_s = time.process_time() - cpu_before
        server_s = portal.cpu_s(backend) - server_before
        sent = (len(mail.outbox), len(sms.outbox))
        settle()
        assert sum(tasks.values()) >= ready, (tasks, ready)

        # 2. statements
        accept(args.n)
        with CaptureQueriesContext(connection) as captured:
            drain()
        settle()
        statements = len(captured.captured_queries)
        shapes = collections.Counter(_shape(q["sql"]) for q in captured.captured_queries)
        if args.sql:
            for shape, count in shapes.most_common():
                print(f"{count / args.n:7.2f}  {shape}", file=sys.stderr)

        # 3. profile
        accept(args.n)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        drain()
        profile.disable()
        settle()
        if args.dump:
            profile.dump_stats(args.dump)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
        stats.print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue(), file=sys.stderr)
        calls = sum(s[1] for s in stats.stats.values())  # type: ignore[attr-defined]

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            if cursor.fetchone()[0] != backend:
                raise SystemExit("the database connection changed during the bench: figures unreliable")
        unsent = Message.objects.exclude(state=MessageState.SENT).count()
        connection.close()
    line: dict[str, Any] = {
        "bench": "worker_profile",
        "n": args.n,
        "worker_cpu_ms_per_dossier": round(worker_s / args.n * 1000, 2),
        "pg_cpu_ms_per_dossier": round(server_s / args.n * 1000, 2),
        "statements_per_dossier": round(statements / args.n, 2),
        "python_calls_per_dossier": round(calls / args.n),
        "tasks": dict(tasks),
        "sent": {"email": sent[0], "sms": sent[1]},
        "unsent_messages": unsent,
        "ok": unsent == 0 and sent == (args.n, args.n),
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
