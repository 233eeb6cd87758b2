"""CPU and queries per request of the staff pages, in-process (issue #6, ADR 0039).

    DATABASE_URL=postgres://…/bo_1m .venv/bin/python bench/staff_pages_cpu.py [--n 15] [users…]
    .venv/bin/python bench/staff_pages_cpu.py --profile lanhdao:overview   # cProfile, CPU timer

For each demo staff member and page they may open (queues, overview, the three searches of
bench/backoffice.py): the mean CPU (``time.process_time()``) and wall time of ``--n`` requests after
two warm ones, through Django's test client (every middleware), then the queries of one more request
and their time. CPU per request is what a loaded, shared machine still measures fairly; alternate
old and new code to compare. Static files as bench/backoffice.py collects them (var/bench-static).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "queues": "/can-bo/viec/",
    "overview": "/can-bo/tong-quan/",
    "s_name": "/can-bo/tim-kiem/?name=Nguy%E1%BB%85n+V%C4%83n+An",
    "s_code": "/can-bo/tim-kiem/?code=000.00.",
    "s_proc": "/can-bo/tim-kiem/?procedure=khai+sinh",
}
USERS = ("tiepnhan", "tiepnhanxa", "giamdoc", "lanhdao", "chuyenvien", "pheduyet", "vanthu", "kiemsoat")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--profile", help="user:page, e.g. lanhdao:overview")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("users", nargs="*")
    args = parser.parse_args()
    os.environ.setdefault("MOTCUA_ENV", "dev")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_STATIC_ROOT", str(ROOT / "var" / "bench-static"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from motcua.accounts.models import User

    def client(username: str) -> Client:
        c = Client()
        c.force_login(User.objects.get(username=username))
        return c

    if args.profile:
        username, page = args.profile.split(":")
        c = client(username)
        for _ in range(3):
            c.get(PAGES[page])
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.n):
            c.get(PAGES[page])
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    for username in args.users or USERS:
        c = client(username)
        for page in args.pages.split(","):
            if c.get(PAGES[page]).status_code != 200:
                continue
            c.get(PAGES[page])
            cpu = wall = 0.0
            for _ in range(args.n):
                t0, w0 = time.process_time(), time.perf_counter()
                c.get(PAGES[page])
                cpu += time.process_time() - t0
                wall += time.perf_counter() - w0
            with CaptureQueriesContext(connection) as seen:
                c.get(PAGES[page])
            sql = sum(float(q["time"]) for q in seen.captured_queries)
            print(
                f"{username:11s} {page:9s} cpu {cpu / args.n * 1000:6.1f} ms"
                f"  wall {wall / args.n * 1000:6.1f} ms"
                f"  sql(1) {sql * 1000:6.1f} ms  queries {len(seen.captured_queries)}",
                flush=True,
            )


if __name__ == "__main__":
    main()
