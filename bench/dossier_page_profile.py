"""Where the web CPU of the staff dossier page and its forward act goes, in one process, in the
production configuration on PostgreSQL (issue #9): the dossier page of a freshly accepted dossier
(GET ``/can-bo/ho-so/<id>/``) and the forward act posted from it (POST
``/can-bo/ho-so/<id>/thao-tac/``, ``act=forward``), what ``bench/load.py``'s act loop does.

    .venv/bin/python bench/dossier_page_profile.py [--n 60] [--top 30] [--keep] [--reuse] [--profile]
                                                   [--sql] [--root /other/checkout]

A throwaway database (MOTCUA_BENCH_PG, default postgres://motcua:motcua@127.0.0.1:5432/
motcua_bench_page) is created, migrated and seeded as ``bench/load.py`` does (``tests/prodstack.py``:
production settings, collected static files, one published procedure with 3 components, a reception
officer of a one-stop unit). A child process with the production environment signs the officer in
(Django's test client, every middleware) and, for each round, accepts a dossier at the counter (not
timed: the counter's GET and POST), then GETs the dossier page and POSTs the forward act with the
version the page showed (as a browser posts it: urlencoded). The forward of an accepted dossier is
the reception officer's act (T9), so the page is the one the officer sees with the act's form.
After a few warm rounds, one round counts the statements, ``--n`` rounds are timed by
``time.process_time`` and, with ``--profile``, ``--n`` more run under cProfile (CPU timer), whose
top is printed for both requests. ``--root`` runs the child on another checkout of the code (same
database: for alternating old/new runs); ``--keep`` keeps the database and its work folder,
``--reuse`` takes them again. Details go to stderr; the last line on stdout is one JSON object.
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

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_page"
WORKDIR = Path(tempfile.gettempdir()) / "motcua-bench-page"

CHILD = r"""
import cProfile, io, json, pstats, re, sys, time
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from urllib.parse import urlencode
from tests import prodstack as ps
from motcua.accounts.models import User

world, n, top = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
offset, workdir = int(sys.argv[4]), sys.argv[5]
profile = "--profile" in sys.argv
officer = world["officers"][0]
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username=officer["username"]))
form_url = f"/can-bo/quay/?procedure={world['procedure']}"
STEPS = ("page", "act")
cpu = dict.fromkeys(STEPS, 0.0)
queries = dict.fromkeys(STEPS, 0)
calls = dict.fromkeys(STEPS, 0)
profiles = {step: cProfile.Profile(time.process_time) for step in STEPS}
counter = [offset]
URLENCODED = "application/x-www-form-urlencoded"
VERSION = re.compile(r'name="forward-version" value="(\d+)"')

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

def accepted():
    counter[0] += 1
    page = client.get(form_url)
    assert page.status_code == 200, page.status_code
    token = ps.TOKEN.search(page.content.decode()).group(1)
    form = ps.intake_form(world, officer, token, f"0{counter[0] % 10**11:011d}")
    done = client.post("/can-bo/quay/", urlencode(form), content_type=URLENCODED)
    assert done.status_code == 303, (done.status_code, done.content[:500])
    return int(ps.DONE.search(done["Location"]).group(1))

def round_(mode):
    dossier_id = accepted()
    url = f"/can-bo/ho-so/{dossier_id}/"
    page = step("page", lambda: client.get(url), mode)
    assert page.status_code == 200, page.status_code
    version = VERSION.search(page.content.decode()).group(1)
    body = urlencode({"act": "forward", "forward-version": version})
    done = step("act", lambda: client.post(url + "thao-tac/", body, content_type=URLENCODED), mode)
    assert done.status_code == 303 and done["Location"] == url, (done.status_code, done.content[:500])

for _ in range(10):  # the per-process caches warm, as in a running server
    round_("warm")
round_("sql")
for _ in range(n):
    round_("time")
if profile:
    for _ in range(n):
        round_("profile")
    for name in STEPS:
        out = io.StringIO()
        stats = pstats.Stats(profiles[name], stream=out)
        calls[name] = round(stats.total_calls / n)
        stats.dump_stats(f"{workdir}/{name}.prof")
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)
        print(f"######## {name}: {stats.total_calls / n:.0f} calls per request", file=sys.stderr)
        print(out.getvalue(), file=sys.stderr)
print("RESULT " + json.dumps({
    "cpu_ms": {k: round(v / n * 1000, 2) for k, v in cpu.items()},
    "queries": queries,
    "calls": calls if profile else None,
}))
"""


def main() -> None:
    parser = in_process.options(
        (__doc__ or "").splitlines()[0], n=60, top=30, sql_help="print the statements of one round"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile both requests and print the top")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    result = in_process.run_child(
        args,
        url=url,
        workdir=WORKDIR,
        child=CHILD,
        dump=str(WORKDIR),
        extra=["--profile"] if args.profile else [],
    )
    cpu = result["cpu_ms"]
    print(
        json.dumps(
            {
                "bench": "dossier_page_profile",
                "root": str(args.root),
                "n": args.n,
                "page_cpu_ms": cpu["page"],
                "act_cpu_ms": cpu["act"],
                "queries": result["queries"],
                "calls": result["calls"],
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
