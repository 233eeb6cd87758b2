"""What counter acceptances alone cost PostgreSQL, in one process: CPU per accept and the size of
the dossier table and its indexes afterwards (ADR 0044).

    MOTCUA_BENCH_PG=postgres://…/motcua_accept_sizes .venv/bin/python bench/accept_sizes.py [--n 2000]

Seeds a throwaway database as ``bench/dossier_flow.py`` does (its ``setup``), warms the caches with
20 acceptances, then accepts ``--n`` dossiers (3 components, code, ledger number) with nothing
else in between, so the PostgreSQL backend's CPU (from /proc: the bench must run on the database's
machine) is the acceptances' own, over enough of them for the 10 ms clock tick not to matter. The
index bytes per dossier show the index entries each acceptance leaves (an INSERT then a non-HOT
UPDATE leaves two per index). Details go to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - the same seed as the concurrent bench
import portal  # noqa: E402 - bench/portal.py: CPU seconds from /proc

WARM = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", dossier_flow.DEFAULT_URL)
    with dossier_flow.seeded_here(url) as seed:
        me = seed["plan"][0]
        from django.db import connection

        from motcua.accounts.models import User
        from motcua.dossiers import services

        reception = User.objects.get(pk=me["reception"])
        template = dossier_flow.counter_intake(seed, me, "00000000")

        def accept(i: int) -> None:
            services.receive_at_counter(intake=dossier_flow.renumbered(template, f"{i:08d}"), actor=reception)

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        for i in range(WARM):
            accept(i)
        server, client = portal.cpu_s(backend), time.process_time()
        for i in range(args.n):
            accept(100_000 + i)
        server, client = portal.cpu_s(backend) - server, time.process_time() - client
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_relation_size('dossiers_dossier'), pg_indexes_size('dossiers_dossier'), "
                "(SELECT count(*) FROM pg_indexes WHERE tablename = 'dossiers_dossier')"
            )
            heap, indexes, count = cursor.fetchone()
        connection.close()
    rows = args.n + WARM
    print(
        json.dumps(
            {
                "bench": "accept_sizes",
                "n": args.n,
                "client_cpu_ms_per_accept": round(client / args.n * 1000, 2),
                "server_cpu_ms_per_accept": round(server / args.n * 1000, 2),
                "indexes": count,
                "index_bytes_per_dossier": round(indexes / rows),
                "heap_bytes_per_dossier": round(heap / rows),
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
