"""Report benchmark on PostgreSQL: projections against the naive dossier-table query.

    .venv/bin/python bench/reports.py [--count 5000000] [--years 2] [--seed 11] [--runs 30] [--workers 2]

Uses MOTCUA_BENCH_REPORTS_PG (default postgres://motcua:motcua@127.0.0.1:5432/motcua_reports_bench):
migrates it, loads the demo province if missing, and generates dossiers (``generate_dossiers``) until
it holds ``--count`` (``--workers`` processes; at 5,000,000 the load must take under 30 minutes,
checked when this run generated it). Then, with the projections, p95 of: the province dashboard
query for the last full year (``selectors.period_totals`` + monthly trend + per agency + per field),
II.06a for the province and that statutory year, the Decision 766 scorecard for the province and its
last quarter and for the running quarter (``index766.scorecard``); the same II.06a computed naively
from the dossier table (a few runs) and the ratio; the database and projection sizes. Ends with one
JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import portal  # bench/portal.py (standard library only): the percentile every bench uses

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_reports_bench"
TARGETS = {
    "dashboard_p95_ms": 50,
    "ii06a_p95_ms": 500,
    "scorecard_p95_ms": 1000,
    "speedup_min": 50,
    "generation_5m_s": 1800,
}


def timed(fn: Callable[[], Any], runs: int) -> list[float]:
    fn()  # warm the caches once, as a page served all day would be
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def naive_ii06a(start: dt.date, end: dt.date) -> dict[tuple[Any, ...], dict[str, int]]:
    """II.06a straight from the dossier table (what a page would do without projections)."""
    from django.db.models import Count, F, Q

    from motcua.core.clock import VN_TZ
    from motcua.dossiers.models import Dossier

    s = dt.datetime.combine(start, dt.time(), VN_TZ)
    e = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), VN_TZ)
    finished_in = Q(finished_at__gte=s, finished_at__lt=e)
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=e)
    rows = (
        Dossier.objects.filter(received_at__lt=e, parent__isnull=True)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__gte=s))
        .values(level=F("competent_agency__admin_unit__level"), field=F("procedure_version__field_id"))
        .annotate(
            online=Count("id", filter=Q(received_at__gte=s, channel="online")),
            other=Count("id", filter=Q(received_at__gte=s) & ~Q(channel="online")),
            carried=Count("id", filter=Q(received_at__lt=s)),
            early=Count("id", filter=finished_in & Q(timeliness="early", state__in=_RESULT_STATES)),
            late=Count("id", filter=finished_in & Q(timeliness="late", state__in=_RESULT_STATES)),
            finished=Count("id", filter=finished_in),
            open=Count("id", filter=open_at_end),
            overdue=Count("id", filter=open_at_end & Q(due_at__lt=e)),
        )
    )
    return {(r["level"], r["field"]): r for r in rows}


_RESULT_STATES = ["result_ready", "returned", "refused_after_appraisal"]


def sizes() -> dict[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_total_relation_size('reports_figures'),"
            " pg_total_relation_size('reports_reporteddossier'),"
            " (SELECT count(*) FROM reports_figures), pg_total_relation_size('dossiers_dossier'),"
            " pg_total_relation_size('dossiers_dossierevent'),"
            " pg_total_relation_size('reports_summary'), (SELECT count(*) FROM reports_summary)"
        )
        figures, facts, rows, dossiers, events, summary, summary_rows = cursor.fetchone()
    mb = 1024 * 1024
    return {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "db_size_mb": round(db / mb, 1),
        "figures_mb": round(figures / mb, 1),
        "facts_mb": round(facts / mb, 1),
        "figures_rows": rows,
        "summary_mb": round(summary / mb, 1),
        "summary_rows": summary_rows,
        "dossier_table_mb": round(dossiers / mb, 1),
        "event_table_mb": round(events / mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5_000_000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="processes generating (default 2)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get("MOTCUA_BENCH_REPORTS_PG", DEFAULT_URL)
    os.environ["MOTCUA_ENV"] = "dev"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.core import clock
    from motcua.demo.generator import Generator
    from motcua.dossiers.models import Dossier
    from motcua.reports import ii06a, selectors
    from motcua.units.models import OneStopUnit

    call_command("migrate", verbosity=0)
    if not OneStopUnit.objects.exists():
        call_command("load_demo", verbosity=0)
    have = Dossier.objects.count()
    generation_s = None
    if have < args.count:
        print(f"generating {args.count - have} dossiers…", file=sys.stderr, flush=True)
        started = time.monotonic()
        Generator(count=args.count - have, years=args.years, seed=args.seed).run(
            workers=args.workers, progress=lambda n: print(f"  {n}", file=sys.stderr, flush=True)
        )
        generation_s = round(time.monotonic() - started, 1)
    dossiers = Dossier.objects.count()
    from django.db import connection

    with connection.cursor() as cursor:  # as autovacuum would have done by the time pages are served
        for table in ("reports_summary", "reports_figures", "reports_reporteddossier"):
            cursor.execute(f"VACUUM ANALYZE {table}")

    today = clock.today()
    year = today.year - 1
    cal_year = selectors.Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    statutory_year = ii06a.period_for("statutory", "year", year)
    everywhere = selectors.Scope()

    def dashboard() -> None:
        selectors.period_totals(scope=everywhere, period=cal_year)
        selectors.flows(scope=everywhere, period=cal_year, group_by=("day",), grain="M")
        selectors.flows(scope=everywhere, period=cal_year, group_by=("agency_id",))
        selectors.flows(scope=everywhere, period=cal_year, group_by=("field_id",))
        selectors.stocks(scope=everywhere, at=cal_year.end, group_by=("agency_id",))

    def report() -> ii06a.Report:
        return ii06a.build(scope=everywhere, period=statutory_year, place="Toàn tỉnh")

    dashboard_ms = timed(dashboard, args.runs)
    ii06a_ms = timed(report, args.runs)

    scorecard_ms: list[float] | None = None
    running_ms: list[float] | None = None
    scorecard_note = ""
    try:
        from motcua.reports import index766
        from motcua.reports.scope import Period as PlacePeriod
        from motcua.reports.scope import Scope as Place

        quarter = PlacePeriod.quarter(year, 4)
        scorecard_ms = timed(
            lambda: index766.scorecard(scope=Place(), period=quarter), max(3, args.runs // 6)
        )
        running = PlacePeriod.quarter(today.year, (today.month - 1) // 3 + 1)
        running_ms = timed(lambda: index766.scorecard(scope=Place(), period=running), max(3, args.runs // 6))
    except ImportError as error:
        scorecard_note = f"index766.scorecard not available: {error}"

    naive_ms = timed(lambda: naive_ii06a(statutory_year.start, statutory_year.end), args.naive_runs)
    # The two must agree on the totals (same definition).
    projected = report().total.cols
    naive = naive_ii06a(statutory_year.start, statutory_year.end).values()
    agree = projected[4] == sum(r["online"] for r in naive) and projected[7] == sum(
        r["finished"] for r in naive
    )

    figures: dict[str, Any] = {
        "bench": "reports",
        "dossiers": dossiers,
        "generation_s": generation_s,
        "dashboard_p95_ms": round(portal.percentile(dashboard_ms, 95), 1),
        "dashboard_median_ms": round(statistics.median(dashboard_ms), 1),
        "ii06a_median_ms": round(statistics.median(ii06a_ms), 1),
        "scorecard_median_ms": round(statistics.median(scorecard_ms), 1) if scorecard_ms else None,
        "ii06a_p95_ms": round(portal.percentile(ii06a_ms, 95), 1),
        "scorecard_p95_ms": round(portal.percentile(scorecard_ms, 95), 1) if scorecard_ms else None,
        "running_quarter_scorecard_p95_ms": (
            round(portal.percentile(running_ms, 95), 1) if running_ms else None
        ),
        "naive_ii06a_median_ms": round(statistics.median(naive_ms), 1),
        "speedup": round(statistics.median(naive_ms) / max(statistics.median(ii06a_ms), 0.001), 1),
        "naive_equals_projection": agree,
        **sizes(),
        "targets": TARGETS,
    }
    if scorecard_note:
        figures["note"] = scorecard_note
    figures["ok"] = bool(
        figures["dashboard_p95_ms"] < TARGETS["dashboard_p95_ms"]
        and figures["ii06a_p95_ms"] < TARGETS["ii06a_p95_ms"]
        and (
            figures["scorecard_p95_ms"] is not None
            and figures["scorecard_p95_ms"] < TARGETS["scorecard_p95_ms"]
            and figures["running_quarter_scorecard_p95_ms"] is not None
            and figures["running_quarter_scorecard_p95_ms"] < TARGETS["scorecard_p95_ms"]
        )
        and (generation_s is None or dossiers < 5_000_000 or generation_s <= TARGETS["generation_5m_s"])
        and figures["speedup"] >= TARGETS["speedup_min"]
        and agree
    )
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
