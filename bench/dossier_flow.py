"""Dossier flow benchmark on PostgreSQL: counter acceptances and transitions by concurrent clients,
compared with a bare two-row insert transaction run by ``pgbench`` at the same concurrency.

    .venv/bin/python bench/dossier_flow.py [--clients 16] [--seconds 10] [--pgbench-seconds 10]
                                           [--processes N]

A throwaway database (MOTCUA_BENCH_PG, default postgres://postgres@127.0.0.1:5432/motcua_bench_flow)
is created, migrated and seeded through the real code (demo units, calendars, one published
procedure), then dropped at the end. The clients are threads, each with its own connection and
transaction, spread over ``--processes`` processes (``multiprocessing``, spawn: each calls
``django.setup()``); by default as many processes as ``deploy/gunicorn.conf.py`` starts on this
machine (2 × cores + 1, at most one per client), the layout in which the web tier runs these
services (decision 0059; ``--processes 16`` gives each client a process of its own, the layout of
the figures before it). Each client has its own reception officer at one of the demo one-stop units
(round robin: clients at units of the same agency share its gap-free code counter, as real counters
do) and its own leader, handler, approver and clerk at the competent agency. Two timed phases of
``--seconds`` each: (1) acceptances only: ``receive_at_counter`` (3 components, code and ledger
number issued, Form 01 data built by ``paperwork.form01_for``, no PDF: it renders lazily when
printed); (2) transitions: forward, assign, appraise, approve, sign, issue, return on the dossiers
of phase 1. Phase 1 also reports the CPU milliseconds per acceptance of the client processes, of
their PostgreSQL backends and of the whole machine (from /proc: run the bench on the database's
machine); on a 2-core machine their sum is what bounds the rate. Details go to stderr; the last line
on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import multiprocessing as mp
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import portal  # bench/portal.py (standard library only): backends and CPU seconds from /proc

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_flow"
TARGET_RATIO = 0.10
TARGET_P95_MS = 100
PROCEDURE_CODE = "1.000001.BENCH"
ACTS = ("accept", "forward", "assign", "appraise", "approve", "sign", "issue", "return")

PGBENCH_SCRIPT = """\
BEGIN;
INSERT INTO bench_dossier (code, state, data) VALUES ('B-' || :client_id, 'received', '{"n": 3}');
INSERT INTO bench_event (dossier_id, seq, name, at, hash)
  VALUES (currval('bench_dossier_id_seq'), 1, 'accepted', now(), md5(random()::text));
END;
"""
# The two tables PGBENCH_SCRIPT writes (also created by bench/load.py, which imports this module).
PGBENCH_TABLES = (
    "CREATE TABLE bench_dossier (id bigserial PRIMARY KEY, code text NOT NULL, state text NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now(), data jsonb NOT NULL);"
    "CREATE TABLE bench_event (id bigserial PRIMARY KEY, dossier_id bigint NOT NULL "
    "REFERENCES bench_dossier(id), seq int NOT NULL, name text NOT NULL, at timestamptz NOT NULL, "
    "hash text NOT NULL)"
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _env(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MOTCUA_ENV"] = "dev"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_DEBUG", "0")  # no query log kept in memory, as in production
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------------------------------
# Set-up (in a child process, so the parent holds no connection when the database is dropped)
# --------------------------------------------------------------------------------------------------


def setup(url: str, clients: int, result: Any) -> None:
    _env(url)
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.accounts.models import Role, User
    from motcua.accounts.services import grant_membership
    from motcua.catalog.models import (
        Channel,
        ChannelOffer,
        ComponentTemplate,
        Procedure,
        ProcedureCase,
        ProcedureVersion,
    )
    from motcua.catalog.services import publish_version
    from motcua.core import clock
    from motcua.deadlines.seed import seed_calendars
    from motcua.units.demo import load_demo_units
    from motcua.units.models import Agency, OneStopUnit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"migrated in {time.perf_counter() - started:.1f} s")
    load_demo_units()
    today = clock.today()
    seed_calendars(range(today.year - 1, today.year + 2))
    procedure = Procedure.objects.create(code=PROCEDURE_CODE, name="Thủ tục đo hiệu năng")
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, name="Thủ tục đo hiệu năng", decision="QĐ 1/2025"
    )
    case = ProcedureCase.objects.create(version=version, name="Trường hợp chung")
    for i in range(3):
        ComponentTemplate.objects.create(case=case, name=f"Thành phần {i + 1}", position=i, is_required=True)
    for position, channel in enumerate((Channel.IN_PERSON, Channel.ONLINE)):
        ChannelOffer.objects.create(
            version=version,
            channel=channel,
            time_limit_amount=10,
            time_limit_unit="working_day",
            position=position,
        )
    version = publish_version(
        version_id=version.pk, actor=None, effective_from=today - dt.timedelta(days=30), at=clock.now()
    )
    units = [u for u in OneStopUnit.objects.select_related("agency").order_by("pk") if u.is_valid_on(today)]
    competent = (
        (
            Agency.objects.filter(kind="department", valid_to__isnull=True).exclude(
                identifier_code="000.00.01.H42"
            )
        )
        .order_by("identifier_code")
        .first()
    )
    assert competent is not None and units
    plan = []
    for n in range(clients):
        unit = units[n % len(units)]

        def user(role: Role, name: str, n: int = n, **scope: int) -> int:
            person = User.objects.create(username=f"{name}-{n}", full_name=f"{name} {n}")
            grant_membership(user=person, role=role, **scope)
            return person.pk

        plan.append(
            {
                "unit": unit.pk,
                "agency": unit.agency.identifier_code,
                "reception": user(Role.RECEPTION_OFFICER, "tiepnhan", one_stop_unit_id=unit.pk),
                "leader": user(Role.DEPT_LEADER, "lanhdao", agency_id=competent.pk),
                "handler": user(Role.HANDLER, "thuly", agency_id=competent.pk),
                "approver": user(Role.APPROVER, "pheduyet", agency_id=competent.pk),
                "clerk": user(Role.CLERK, "vanthu", agency_id=competent.pk),
            }
        )
    with connection.cursor() as cursor:
        cursor.execute(PGBENCH_TABLES)
    connection.close()
    agencies = len({p["agency"] for p in plan})
    log(
        f"seeded in {time.perf_counter() - started:.1f} s: {len(units)} one-stop units, competent agency "
        f"{competent.identifier_code}, {clients} clients over {agencies} receiving agencies"
    )
    result.put({"version": version.pk, "competent": competent.pk, "plan": plan})


# --------------------------------------------------------------------------------------------------
# A client
# --------------------------------------------------------------------------------------------------


class _Box:
    """``setup``'s result queue when it runs in this process: keeps the one value put."""

    value: Any = None

    def put(self, value: Any) -> None:
        self.value = value


@contextlib.contextmanager
def seeded_here(url: str) -> Iterator[dict[str, Any]]:
    """A fresh database at ``url`` seeded by ``setup`` for one client, in this process (Django set up
    on it); its seed; dropped on the way out. For the one-process benches (accept_profile.py,
    accept_sizes.py)."""
    admin, name = portal.admin_url(url)
    portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
    portal.psql(admin, f"CREATE DATABASE {name}")
    try:
        box = _Box()
        setup(url, 1, box)
        yield box.value
    finally:
        portal.psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def counter_intake(seed: dict[str, Any], me: dict[str, Any], number: str) -> Any:
    """A counter intake of the seeded procedure (3 components) at ``me``'s unit; ``number`` makes
    the applicant's 12-digit identifier unique (used by bench/accept_profile.py too)."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers import services
    from motcua.dossiers.applicants import IdentifierType, Person

    version = ProcedureVersion.objects.get(pk=seed["version"])
    case = version.cases.get()
    return services.Intake(
        procedure_version_id=version.pk,
        procedure_case_id=case.pk,
        received_at_unit_id=me["unit"],
        competent_agency_id=seed["competent"],
        components=tuple(
            services.ComponentInput(template_id=t.pk) for t in case.components.order_by("position")
        ),
        applicant=Person(
            full_name="Nguyễn Văn An",
            identifier_type=IdentifierType.CITIZEN_ID,
            identifier_number=f"0420{number}",
            phone="0912 345 678",
            email="an@example.vn",
        ),
    )


def renumbered(intake: Any, number: str) -> Any:
    """``intake`` for another applicant: the identifier ``0420`` + ``number`` (8 digits)."""
    applicant = dataclasses.replace(intake.applicant, identifier_number=f"0420{number}")
    return dataclasses.replace(intake, applicant=applicant)


def client_process(
    url: str, seed: dict[str, Any], group: list[tuple[int, dict[str, Any]]], sync: dict[str, Any], out: Any
) -> None:
    """One client process: Django set up once, then each client of ``group`` (its number, its plan)
    in a thread of its own (one client: in this thread), each with its own connection."""
    _env(url)
    import django

    django.setup()
    portal.in_threads(client, [(seed, n, me, sync, out) for n, me in group])


def client(seed: dict[str, Any], n: int, me: dict[str, Any], sync: dict[str, Any], out: Any) -> None:
    """Client ``n``: its acceptances (phase 1), then its transitions (phase 2); its latencies to ``out``."""
    from django.db import connection

    ready, go, stop_at = sync["ready"], sync["go"], sync["stop_at"]
    switch, go2, stop2 = sync["switch"], sync["go2"], sync["stop2"]

    from motcua.accounts.models import User
    from motcua.dossiers import services

    try:
        from motcua.paperwork.from_dossier import form01_for
    except ImportError:  # paperwork without the dossier adapter: Form 01 data is not built
        form01_for = None

    users = {k: User.objects.get(pk=me[k]) for k in ("reception", "leader", "handler", "approver", "clerk")}
    latencies: dict[str, list[float]] = {act: [] for act in ACTS}
    counter = 0
    template = counter_intake(seed, me, "00000000")  # read once, outside the timed acts

    def intake() -> services.Intake:
        nonlocal counter
        counter += 1
        return renumbered(template, f"{n % 10000:04d}{counter % 10000:04d}")

    def timed(act: str, fn: Any, record: bool) -> Any:
        started = time.perf_counter()
        value = fn()
        if record:
            latencies[act].append((time.perf_counter() - started) * 1000)
        return value

    def accept() -> int:
        dossier = services.receive_at_counter(intake=intake(), actor=users["reception"])
        if form01_for is not None:
            form01_for(dossier)
        return int(dossier.pk)

    def process(d: int, record: bool) -> None:
        u = users
        timed("forward", lambda: services.forward_dossier(dossier_id=d, actor=u["reception"]), record)
        timed(
            "assign",
            lambda: services.assign_handler(dossier_id=d, actor=u["leader"], handler_id=u["handler"].pk),
            record,
        )
        timed("appraise", lambda: services.appraise(dossier_id=d, actor=u["handler"], opinion="Đủ"), record)
        timed("approve", lambda: services.approve(dossier_id=d, actor=u["approver"]), record)
        timed("sign", lambda: services.sign_result(dossier_id=d, actor=u["approver"]), record)
        timed(
            "issue", lambda: services.issue_result(dossier_id=d, actor=u["clerk"], number=f"{d}/QĐ"), record
        )
        timed("return", lambda: services.return_result(dossier_id=d, actor=u["reception"]), record)

    process(accept(), record=False)  # warm caches (calendars, imports, connection)
    # Phase 1: acceptances only.
    ready.wait()
    go.wait()
    accepted: list[int] = []
    while time.time() < stop_at.value:
        accepted.append(timed("accept", accept, True))
    # Phase 2: the other acts of the normal life cycle, on the dossiers accepted in phase 1.
    switch.wait()
    go2.wait()
    for d in accepted:
        if time.time() >= stop2.value:
            break
        process(d, record=True)
    connection.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.put({"latencies": latencies, "peak_rss_mb": peak_kb / 1024})


# --------------------------------------------------------------------------------------------------


def _phase_cpu(workers: list[Any], backends: list[int]) -> dict[str, float]:
    """CPU seconds so far of the client processes, of their backends (from /proc: the bench runs
    beside the server) and of the whole machine (busy time of every core, from /proc/stat): where an
    acceptance's CPU goes when 2 × clients processes share the cores."""
    busy = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = busy[3] + busy[4]  # idle, iowait
    return {
        "clients": sum(portal.cpu_s(w.pid) for w in workers),
        "postgres": sum(portal.cpu_s(pid) for pid in backends),
        "machine": (sum(busy[:8]) - idle) / os.sysconf("SC_CLK_TCK"),
    }


def run_pgbench(url: str, clients: int, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    try:
        done = subprocess.run(
            [
                "pgbench",
                "-n",
                "-c",
                str(clients),
                "-j",
                str(clients),
                "-T",
                str(seconds),
                "-f",
                script.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(script.name)
    log(done.stdout.strip())
    match = re.search(r"tps = ([0-9.]+)", done.stdout)
    if match is None:
        raise SystemExit("pgbench printed no tps")
    return float(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="processes the clients run in, as threads (default: 2 × cores + 1, as gunicorn)",
    )
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    admin, name = portal.admin_url(url)
    portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
    portal.psql(admin, f"CREATE DATABASE {name}")
    ctx = mp.get_context("spawn")
    try:
        result = ctx.Queue()
        seeding = ctx.Process(target=setup, args=(url, args.clients, result))
        seeding.start()
        seed = portal.result_of(result, seeding)
        seeding.join()

        sync = {
            "ready": ctx.Barrier(args.clients + 1),
            "go": ctx.Event(),
            "stop_at": ctx.Value("d", 0.0),
            "switch": ctx.Barrier(args.clients + 1),
            "go2": ctx.Event(),
            "stop2": ctx.Value("d", 0.0),
        }
        out = ctx.Queue()
        processes = max(1, min(args.processes or portal.web_workers(), args.clients))
        plan = list(enumerate(seed["plan"]))
        workers = [
            ctx.Process(target=client_process, args=(url, seed, plan[i::processes], sync, out))
            for i in range(processes)
        ]
        for worker in workers:
            worker.start()
        sync["ready"].wait()
        backends = portal.backend_pids(admin, name)  # the clients' (each keeps its connection)
        cpu_before = _phase_cpu(workers, backends)
        started = time.time()
        sync["stop_at"].value = started + args.seconds
        sync["go"].set()
        sync["switch"].wait()
        accept_elapsed = time.time() - started
        cpu_spent = {k: v - cpu_before[k] for k, v in _phase_cpu(workers, backends).items()}
        started = time.time()
        sync["stop2"].value = started + args.seconds
        sync["go2"].set()
        reports = [out.get() for _ in plan]  # one per client
        process_elapsed = time.time() - started
        for worker in workers:
            worker.join()

        merged: dict[str, list[float]] = {act: [] for act in ACTS}
        for report in reports:
            for act, values in report["latencies"].items():
                merged[act].extend(values)
        accepted = len(merged["accept"])
        cpu_per_accept = {k: round(v / max(accepted, 1) * 1000, 2) for k, v in cpu_spent.items()}
        log(
            "CPU ms per acceptance in phase 1 (clients, their PostgreSQL backends, the whole "
            f"machine): {json.dumps(cpu_per_accept)}"
        )
        transitions = sum(len(merged[act]) for act in ACTS if act != "accept")
        for act in ACTS:
            values = merged[act]
            log(
                f"{act:>9}: {len(values):6d} acts, p50 {statistics.median(values) if values else 0:7.1f} ms, "
                f"p95 {portal.percentile(values, 95):7.1f} ms, max {max(values, default=0):7.1f} ms"
            )
        peak = max(r["peak_rss_mb"] for r in reports)
        accepted_per_s = accepted / accept_elapsed
        transitions_per_s = transitions / process_elapsed
        log(
            f"{args.clients} clients: {accepted_per_s:.1f} accepted/s over {accept_elapsed:.1f} s (phase 1), "
            f"{transitions_per_s:.1f} transitions/s over {process_elapsed:.1f} s (phase 2), "
            f"peak RSS per client process {peak:.0f} MB"
        )
        tps = run_pgbench(url, args.clients, args.pgbench_seconds)
        ratio = accepted_per_s / tps if tps else 0.0
        p95_accept = portal.percentile(merged["accept"], 95)
        log(f"pgbench two-row insert: {tps:.0f} tps; ratio accepted/s ÷ pgbench tps = {ratio:.3f}")
        line = {
            "bench": "dossier_flow",
            "clients": args.clients,
            "processes": processes,
            "python": portal.interpreter(),
            "accepted_per_s": round(accepted_per_s, 1),
            "transitions_per_s": round(transitions_per_s, 1),
            "p95_accept_ms": round(p95_accept, 1),
            "p95_ms": {act: round(portal.percentile(merged[act], 95), 1) for act in ACTS},
            "pgbench_tps": round(tps, 1),
            "ratio": round(ratio, 4),
            "target_ratio": TARGET_RATIO,
            "target_p95_ms": TARGET_P95_MS,
            "peak_rss_mb": round(peak, 1),
            "cpu_ms_per_accept": cpu_per_accept,
            "ok": ratio >= TARGET_RATIO
            and all(portal.percentile(merged[act], 95) < TARGET_P95_MS for act in ACTS),
        }
    finally:
        if not args.keep:
            portal.psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(json.dumps(line))


if __name__ == "__main__":
    main()
