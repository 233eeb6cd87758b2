"""What every request pays around its view, in one process, in the production configuration on
PostgreSQL (issue #9, decision 0050): the middleware stack, the session and user reads, the
context processors and the base template, against the view itself.

    .venv/bin/python bench/request_overhead.py [--n 200] [--top 25] [--sql] [--dump DIR]
                                               [--keep] [--reuse] [--root /other/checkout]

A throwaway database (MOTCUA_BENCH_PG, default postgres://motcua:motcua@127.0.0.1:5432/
motcua_bench_overhead) is created, migrated and seeded as ``bench/load.py`` does
(``tests/prodstack.py``: production settings, collected static files, one published procedure, a
reception officer). A child process with the production environment then accepts one dossier at
the counter (so the counter's per-process caches are warm, as in a running server) and sends
``--n`` GETs of each kind to the production WSGI application as gunicorn would (every middleware,
the URL resolver, the view, the template), anonymous and with the officer's session
(``bench/load.py``'s clients are all signed in, also on the public pages). The GETs go in five
rounds over all the kinds, so that a burst of load from other processes falls on every kind alike;
``cpu_ms`` is the median round, ``cpu_min_ms`` the fastest:

- ``tracking``: ``/tra-cuu/?ma=<code>``, the public tracking form (no query of its own: all overhead);
- ``catalog``, ``search``, ``detail``: ``/thu-tuc/``, ``/thu-tuc/?q=kiem+thu``, ``/thu-tuc/<code>/``;
- ``counter`` (signed in only): the counter form ``/can-bo/quay/?procedure=<code>``.

A probe middleware placed last in the child's MIDDLEWARE calls the view (and renders a template
response) itself, so each figure is split into ``view`` (the view and its template, with the context
processors and the base template) and ``around`` (everything else: the middleware, the handler, the
URL resolver). The session and user reads are lazy: they fall in the view, when its template asks
for the user. CPU is ``time.process_time`` of the child; statements
are counted in a separate pass; ``calls`` is the cProfile call count of a third pass (top functions
to stderr). ``--root`` runs the child on another checkout of the code (same database: for
alternating old/new runs). The last line on stdout is one JSON object.
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

DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_bench_overhead"
WORKDIR = Path(tempfile.gettempdir()) / "motcua-bench-overhead"

CHILD = r"""
import cProfile, io, json, pstats, re, sys, time
import django
django.setup()
from django.conf import settings
from django.db import connection, reset_queries

world, n, top, offset = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
SQL = "--sql" in sys.argv
DUMP = "" if sys.argv[5] == "-" else sys.argv[5]
state = {"view_cpu": 0.0, "view_sql": 0, "mode": "warm"}


class Probe:
    # Last in MIDDLEWARE: runs the view (and renders its template) itself, so what it measures is
    # the view alone and what lies outside it is the rest of the request.
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        before_sql = len(connection.queries_log)
        started = time.process_time()
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
            response = response.render()
        state["view_cpu"] += time.process_time() - started
        state["view_sql"] += len(connection.queries_log) - before_sql
        return response


sys.modules["motcua_overhead_probe"] = sys.modules["__main__"]
settings.MIDDLEWARE = [*settings.MIDDLEWARE, "motcua_overhead_probe.Probe"]

from django.test import Client
from urllib.parse import urlencode
from config.wsgi import application  # the production WSGI application, as gunicorn calls it
from tests import prodstack as ps
from motcua.accounts.models import User

officer = world["officers"][0]
staff = Client(HTTP_HOST="127.0.0.1")
staff.force_login(User.objects.get(username=officer["username"]))

# One dossier, accepted at the counter as a browser does: its code is what tracking looks up.
page = staff.get(f"/can-bo/quay/?procedure={world['procedure']}")
token = ps.TOKEN.search(page.content.decode()).group(1)
form = ps.intake_form(world, officer, token, f"0{offset % 10**11:011d}")
done = staff.post("/can-bo/quay/", urlencode(form), content_type="application/x-www-form-urlencoded")
assert done.status_code == 303, (done.status_code, done.content[:300])
receipt = staff.get(done["Location"]).content.decode()
code = re.search(r"\d{3}\.\d{2}\.\d{2}\.H\d{2}-\d{6}-\d{4,}", receipt).group(0)
csrf = staff.cookies["csrftoken"].value
SESSION = settings.SESSION_COOKIE_NAME
COOKIES = {
    "anon": f"csrftoken={csrf}",
    "staff": f"csrftoken={csrf}; {SESSION}={staff.cookies[SESSION].value}",
}

PATHS = {
    "tracking": f"/tra-cuu/?ma={code}",
    "catalog": "/thu-tuc/",
    "search": "/thu-tuc/?q=kiem+thu",
    "detail": f"/thu-tuc/{world['procedure']}/",
    "counter": f"/can-bo/quay/?procedure={world['procedure']}",
}
KINDS = [("anon", k) for k in ("tracking", "catalog", "search", "detail")] + [
    ("staff", k) for k in ("tracking", "catalog", "search", "detail", "counter")
]


def get(who, kind):
    # A browser's GET as gunicorn hands it to the WSGI application (a keep-alive connection).
    path, _, query = PATHS[kind].partition("?")
    status = []
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8170", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "RAW_URI": PATHS[kind],
        "HTTP_HOST": "127.0.0.1:8170", "HTTP_ACCEPT_LANGUAGE": "vi", "HTTP_ACCEPT_ENCODING": "identity",
        "HTTP_COOKIE": COOKIES[who], "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": True,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "CONTENT_LENGTH": "",
    }
    result = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        body = b"".join(result)
    finally:
        result.close()
    assert status[0].startswith("200"), (who, kind, status, body[:300])
    return body


result = {}
ROUNDS = 5
rounds = {f"{who}_{kind}": [] for who, kind in KINDS}
split = {f"{who}_{kind}": [0.0, 0.0] for who, kind in KINDS}  # total CPU, view CPU

for who, kind in KINDS:
    name = f"{who}_{kind}"
    for _ in range(20):  # the per-process caches warm, as in a running server
        get(who, kind)
    # statements, once, around and in the view
    state["view_sql"] = 0
    connection.force_debug_cursor = True
    reset_queries()
    get(who, kind)
    connection.force_debug_cursor = False
    total_sql = len(connection.queries_log)
    if SQL:
        print(f"== {name}", file=sys.stderr)
        for q in connection.queries_log:
            print("   " + q["sql"][:200], file=sys.stderr)
    result[name] = {"queries": total_sql, "around_queries": total_sql - state["view_sql"]}

# CPU: ROUNDS rounds over every kind in turn (n requests of each kind in all), so that a burst of
# load from other processes falls on every kind alike; the median round per kind is reported.
per_round = max(n // ROUNDS, 1)
for _ in range(ROUNDS):
    for who, kind in KINDS:
        name = f"{who}_{kind}"
        state["view_cpu"] = 0.0
        started = time.process_time()
        for _ in range(per_round):
            get(who, kind)
        spent = time.process_time() - started
        rounds[name].append(spent / per_round * 1000)
        split[name][0] += spent
        split[name][1] += state["view_cpu"]

for who, kind in KINDS:
    name = f"{who}_{kind}"
    # calls
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for _ in range(n):
        get(who, kind)
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    if DUMP:
        stats.dump_stats(f"{DUMP}/{name}.prof")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(f"######## {name}: {stats.total_calls / n:.0f} calls per request", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
    total_cpu, view_cpu = split[name]
    result[name] |= {
        "cpu_ms": round(sorted(rounds[name])[len(rounds[name]) // 2], 3),
        "cpu_min_ms": round(min(rounds[name]), 3),
        "around_cpu_ms": round((total_cpu - view_cpu) / (per_round * ROUNDS) * 1000, 3),
        "view_cpu_ms": round(view_cpu / (per_round * ROUNDS) * 1000, 3),
        "calls": round(stats.total_calls / n),
    }
print("RESULT " + json.dumps(result))
"""


def main() -> None:
    parser = in_process.options(
        (__doc__ or "").splitlines()[0], n=200, top=25, sql_help="print the statements of each kind"
    )
    parser.add_argument("--dump", default="", help="a folder for the cProfile dumps (<kind>.prof)")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    result = in_process.run_child(
        args, url=url, workdir=WORKDIR, child=CHILD, dump=args.dump or "-", extra=[]
    )
    print(
        json.dumps(
            {
                "bench": "request_overhead",
                "root": str(args.root),
                "n": args.n,
                "cpu_ms": {name: r["cpu_ms"] for name, r in result.items()},
                "cpu_min_ms": {name: r["cpu_min_ms"] for name, r in result.items()},
                "around_cpu_ms": {name: r["around_cpu_ms"] for name, r in result.items()},
                "view_cpu_ms": {name: r["view_cpu_ms"] for name, r in result.items()},
                "queries": {name: r["queries"] for name, r in result.items()},
                "around_queries": {name: r["around_queries"] for name, r in result.items()},
                "calls": {name: r["calls"] for name, r in result.items()},
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
