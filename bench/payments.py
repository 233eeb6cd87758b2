"""Payments benchmark: signed gateway callbacks and the reconciliation report on a real database.

    .venv/bin/python bench/payments.py [--payments 300]

A throwaway PostgreSQL database (MOTCUA_BENCH_PG, default
postgres://motcua:motcua@127.0.0.1:5432/motcua_payments_bench; set MOTCUA_BENCH_PG=sqlite to use a
temporary SQLite file) is created, migrated and seeded through the real code (demo units,
calendars, one published procedure with a 50,000 VND fee), then dropped. N dossiers are received
at the counter; for each, an online payment is started, then the gateway's signed "paid" callback
is applied, then the same transaction is reported again (a duplicate: nothing changes). Timed:
start, callback, duplicate, and the reconciliation report of the day with its CSV. Details go to
stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import portal  # bench/portal.py (standard library only): the throwaway database's psql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://motcua:motcua@127.0.0.1:5432/motcua_payments_bench"
TARGET_CALLBACK_P95_MS = 50
TARGET_RECONCILE_S = 2.0
FEE = 50_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(count: int) -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.accounts.models import Role, User
    from motcua.accounts.services import grant_membership
    from motcua.catalog.models import Channel, ChannelOffer, Fee, Procedure, ProcedureCase, ProcedureVersion
    from motcua.catalog.services import publish_version
    from motcua.core import clock
    from motcua.deadlines.seed import seed_calendars
    from motcua.dossiers import services as dossier_services
    from motcua.dossiers.applicants import IdentifierType, Person
    from motcua.payments import services
    from motcua.payments.gateways import SandboxGateway, callback_body, sign
    from motcua.payments.models import LedgerEntry, Payment
    from motcua.payments.selectors import reconcile, reconciliation_csv
    from motcua.units.demo import load_demo_units
    from motcua.units.models import Agency, OneStopUnit

    call_command("migrate", verbosity=0)
    load_demo_units()
    today = clock.today()
    seed_calendars(range(today.year - 1, today.year + 2))
    procedure = Procedure.objects.create(code="1.000002.BENCH", name="Thủ tục có lệ phí")
    version = ProcedureVersion.objects.create(
        procedure=procedure, number=1, name="Thủ tục có lệ phí", decision="QĐ 1"
    )
    ProcedureCase.objects.create(version=version, name="Trường hợp chung")
    for position, channel in enumerate((Channel.IN_PERSON, Channel.ONLINE)):
        offer = ChannelOffer.objects.create(
            version=version,
            channel=channel,
            time_limit_amount=10,
            time_limit_unit="working_day",
            position=position,
        )
        Fee.objects.create(offer=offer, amount=FEE, description="Lệ phí")
    version = publish_version(
        version_id=version.pk, actor=None, effective_from=today - dt.timedelta(days=30), at=clock.now()
    )
    unit = next(
        u for u in OneStopUnit.objects.select_related("agency").order_by("pk") if u.is_valid_on(today)
    )
    competent = (
        Agency.objects.filter(kind="department", valid_to__isnull=True).order_by("identifier_code").first()
    )
    assert competent is not None
    reception = User.objects.create(username="tiepnhan-bench", full_name="Tiếp nhận")
    grant_membership(user=reception, role=Role.RECEPTION_OFFICER, one_stop_unit_id=unit.pk)
    finance = User.objects.create(username="ketoan-bench", full_name="Kế toán")
    grant_membership(user=finance, role=Role.FINANCE, agency_id=competent.pk)
    applicant = Person(
        full_name="Nguyễn Văn An", identifier_type=IdentifierType.CITIZEN_ID, identifier_number="042090001234"
    )
    dossiers = [
        dossier_services.receive_at_counter(
            intake=dossier_services.Intake(
                procedure_version_id=version.pk,
                applicant=applicant,
                received_at_unit_id=unit.pk,
                competent_agency_id=competent.pk,
                procedure_case_id=version.cases.first().pk,
            ),
            actor=reception,
        )
        for _ in range(count)
    ]
    log(f"seeded {count} dossiers with a {FEE} VND fee")
    secret = SandboxGateway().secret()
    starts, callbacks, duplicates = [], [], []
    for n, dossier in enumerate(dossiers):
        t0 = time.perf_counter()
        payment, _url = services.start_online_payment(
            dossier_id=dossier.pk, actor=reception, return_url=lambda ref: f"/thanh-toan/{ref}/ket-qua/"
        )
        starts.append((time.perf_counter() - t0) * 1000)
        for bucket, expected in ((callbacks, "applied"), (duplicates, "duplicate")):
            body = callback_body(
                reference=payment.reference,
                transaction_id=f"BENCH{n}",
                amount=FEE,
                status="paid",
                timestamp=int(clock.now().timestamp()),
                nonce=secrets.token_hex(16),
            )
            t0 = time.perf_counter()
            result = services.handle_callback(gateway_name="sandbox", body=body, signature=sign(secret, body))
            bucket.append((time.perf_counter() - t0) * 1000)
            assert result.outcome == expected, result.outcome
        services.record_statement_line(
            gateway_name="sandbox",
            transaction_id=f"BENCH{n}",
            payment_reference=payment.reference,
            amount=FEE,
            settled_at=clock.now(),
        )
    t0 = time.perf_counter()
    report = reconcile(user=finance, gateway_name="sandbox", start=today, end=today)
    reconciliation_csv(report)
    reconcile_s = time.perf_counter() - t0
    ledger_sum = sum(LedgerEntry.objects.values_list("amount", flat=True))
    assert ledger_sum == count * FEE == report.ledger_total == report.statement_total, ledger_sum
    assert not report.mismatches and Payment.objects.filter(state="paid").count() == count
    return {
        "payments": count,
        "start_p95_ms": round(portal.percentile(starts, 95), 1),
        "callback_p95_ms": round(portal.percentile(callbacks, 95), 1),
        "callback_median_ms": round(statistics.median(callbacks), 1),
        "duplicate_p95_ms": round(portal.percentile(duplicates, 95), 1),
        "reconcile_s": round(reconcile_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    os.environ["MOTCUA_ENV"] = "dev"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    admin = name = None
    temp = None
    if url == "sqlite":
        temp = tempfile.TemporaryDirectory()
        os.environ["DATABASE_URL"] = f"sqlite:///{temp.name}/bench.sqlite3"
        database = "sqlite"
    else:
        admin, name = portal.admin_url(url)
        portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
        portal.psql(admin, f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = url
        database = "postgresql"
    try:
        figures = run(args.payments)
    finally:
        from django.db import connections

        connections.close_all()
        if admin is not None:
            portal.psql(admin, f"DROP DATABASE IF EXISTS {name}")
        if temp is not None:
            temp.cleanup()
    targets = {"callback_p95_ms": TARGET_CALLBACK_P95_MS, "reconcile_s": TARGET_RECONCILE_S}
    ok = figures["callback_p95_ms"] <= TARGET_CALLBACK_P95_MS and figures["reconcile_s"] <= TARGET_RECONCILE_S
    print(json.dumps({"bench": "payments", "database": database, **figures, "targets": targets, "ok": ok}))


if __name__ == "__main__":
    main()
