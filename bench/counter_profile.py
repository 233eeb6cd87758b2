"""Where the web CPU of one counter intake goes, in one process, in the production configuration on
PostgreSQL (issue #9): the counter form (GET ``/can-bo/quay/?procedure=…``), the accept (POST
``/can-bo/quay/``) and the page the browser loads after its 303 (``/can-bo/quay/ket-qua/<id>/``).

    .venv/bin/python bench/counter_profile.py [--n 60] [--top 30] [--keep] [--reuse]
                                              [--root /other/checkout]

A throwaway database (MOTCUA_BENCH_PG, default postgres://motcua:motcua@127.0.0.1:5432/
motcua_bench_counter) is created, migrated and seeded as ``bench/load.py`` does (``tests/prodstack.py``:
production settings, collected static files, one published procedure with 3 components, a
reception officer). A child process with the production environment then runs a few warm intakes,
``--n`` timed intakes through Django's test client (every middleware; the form posted urlencoded,
as a browser posts it) and ``--n`` more under cProfile
(CPU timer). It prints the CPU milliseconds (``time.process_time``) per GET, per POST and per done
page, the statements of each and a cProfile top. ``--root`` runs the child on another checkout of
the code (same database: for alternating old/new runs); ``--keep`` keeps the database and its
work folder, ``--reuse`` takes them again. Details go to stderr; the last line on stdout is one JSON
object.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import _in_process as in_process  # noqa: E402 - bench/ is on the path

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_counter"
WORKDIR = Path(tempfile.gettempdir()) / "motcua-bench-counter"

CHILD = r"""
import cProfile, io, json, pstats, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from urllib.parse import urlencode
from tests import prodstack as ps
from motcua.accounts.models import User

world, n, top, offset = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
officer = world["officers"][0]
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username=officer["username"]))
form_url = f"/can-bo/quay/?procedure={world['procedure']}"
STEPS = ("get", "post", "done")
cpu = dict.fromkeys(STEPS, 0.0)
queries = dict.fromkeys(STEPS, 0)
calls = dict.fromkeys(STEPS, 0)
profiles = {step: cProfile.Profile(time.process_time) for step in STEPS}
counter = [offset]
URLENCODED = "application/x-www-form-urlencoded"

def step(name, fn, mode):
    if mode == "time":
        started = time.process_time()
        response = fn()
        cpu[name] += time.process_time() - started
    elif mode == "sql":
        with CaptureQueriesContext(connection) as seen:
            response = fn()
        queries[name] += len(seen.captured_queries)
        if "--sql" in sys.argv:
            print(f"== {name}", file=sys.stderr)
            for q in seen.captured_queries:
                print("   " + q["sql"][:220], file=sys.stderr)
    elif mode == "profile":
        profiles[name].enable()
        response = fn()
        profiles[name].disable()
    else:
        response = fn()
    return response

def intake(mode):
    counter[0] += 1
    page = step("get", lambda: client.get(form_url), mode)
    assert page.status_code == 200, page.status_code
    token = ps.TOKEN.search(page.content.decode()).group(1)
    form = ps.intake_form(world, officer, token, f"0{counter[0] % 10**11:011d}")
    # As a browser posts a form without a file: urlencoded (the test client's default is multipart).
    body = urlencode(form)
    done = step("post", lambda: client.post("/can-bo/quay/", body, content_type=URLENCODED), mode)
    assert done.status_code == 303, (done.status_code, done.content[:500])
    assert ps.DONE.search(done["Location"]), done["Location"]
    after = step("done", lambda: client.get(done["Location"]), mode)
    assert after.status_code == 200, after.status_code

for _ in range(10):  # the per-process caches warm, as in a running server
    intake("warm")
intake("sql")
for _ in range(n):
    intake("time")
for _ in range(n):
    intake("profile")
for name in STEPS:
    out = io.StringIO()
    stats = pstats.Stats(profiles[name], stream=out)
    calls[name] = stats.total_calls
    stats.dump_stats(f"{sys.argv[5]}/{name}.prof")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"######## {name}: {stats.total_calls / n:.0f} calls per request", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
print("RESULT " + json.dumps({
    "cpu_ms": {k: round(v / n * 1000, 2) for k, v in cpu.items()},
    "queries": queries,
    "calls": {k: round(v / n) for k, v in calls.items()},
}))
"""


def main() -> None:
    parser = in_process.options(
        (__doc__ or "").splitlines()[0], n=60, top=30, sql_help="print the statements of one intake"
    )
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    result = in_process.run_child(args, url=url, workdir=WORKDIR, child=CHILD, dump=str(WORKDIR), extra=[])
    cpu = result["cpu_ms"]
    print(
        json.dumps(
            {
                "bench": "counter_profile",
                "root": str(args.root),
                "n": args.n,
                "get_cpu_ms": cpu["get"],
                "post_cpu_ms": cpu["post"],
                "done_cpu_ms": cpu["done"],
                "intake_cpu_ms": round(sum(cpu.values()), 2),
                "queries": result["queries"],
                "calls": result["calls"],
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
