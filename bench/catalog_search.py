"""Catalog search benchmark: >= 10,000 procedures on SQLite and PostgreSQL, import time of the real file.

    .venv/bin/python bench/catalog_search.py

Each database runs in its own process (settings are read once): a throwaway SQLite file and a
throwaway PostgreSQL database (MOTCUA_BENCH_PG, default postgres://postgres@127.0.0.1:5432/motcua_bench).
Ends with one JSON line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 20
TARGET_IMPORT_S = 30
TOTAL = 10_000
QUERIES = [
    "dang ky khai sinh",
    "khai sinh",
    "dang ki ket hon",
    "chung thuc ban sao",
    "Đăng ký thường trú",
    "cap giay phep xay dung",
    "xac nhan tinh trang hon nhan",
    "ho tro phat trien san xuat",
    "thu tuc hai quan",
    "dang ky tam tru",
    "chung thuc chu ky",
    "khai tu",
    "giam ho",
    "cap ban sao trich luc",
    "nuoi con nuoi",
    "bao hiem y te tre em",
    "dat dai",
    "thuế tài nguyên",
    "giay phep kinh doanh",
    "dang ky lai khai sinh",
]
EXPECTED_FIRST = {"dang ky khai sinh": "1.001193", "khai sinh": "1.001193", "dang ki ket hon": "1.000894"}
EXPECTED_FIRST["chung thuc ban sao"] = "2.000815"
SUFFIXES = [
    "tại cấp xã",
    "đối với hộ kinh doanh",
    "cho người nước ngoài",
    "trong khu công nghiệp",
    "(thí điểm)",
    "lần thứ hai",
    "trên môi trường điện tử",
    "đối với tổ chức",
]


def worker(database_url: str) -> dict[str, object]:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("MOTCUA_ENV", "dev")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from motcua.catalog.importer import import_procedures
    from motcua.catalog.models import Procedure
    from motcua.catalog.selectors import search_procedure_ids
    from motcua.catalog.services import search_text

    call_command("migrate", verbosity=0)
    records = Path(settings.SHARED_DATA_DIR) / "tthc/dvcqg-crawl-chatbot-tthc/records-cap-xa.jsonl"
    started = time.perf_counter()
    report = import_procedures(records, publish=True).as_dict()
    import_s = time.perf_counter() - started

    real = list(Procedure.objects.values_list("name", "current_version_id", "field_id", "levels"))
    rng = random.Random(29)
    variants = []
    for index in range(TOTAL - len(real)):
        name, version_id, field_id, levels = rng.choice(real)
        name = f"{name} {rng.choice(SUFFIXES)} {index}"
        variants.append(
            Procedure(
                code=f"8.{index:06d}",
                name=name,
                search_folded=search_text(name),
                current_version_id=version_id,
                field_id=field_id,
                levels=levels,
            )
        )
    with transaction.atomic():
        Procedure.objects.bulk_create(variants, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_procedure")
    count = Procedure.objects.count()

    codes = dict(Procedure.objects.filter(code__in=set(EXPECTED_FIRST.values())).values_list("id", "code"))
    firsts = {}
    for query in QUERIES:  # warm-up, and the expected top results at 10,000 procedures
        ids = search_procedure_ids(query)
        if query in EXPECTED_FIRST:
            firsts[query] = codes.get(ids[0]) if ids else None
    timings = []
    for _ in range(10):
        for query in QUERIES:
            t0 = time.perf_counter()
            search_procedure_ids(query)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {
        "vendor": connection.vendor,
        "procedures": count,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "import_588_s": round(import_s, 2),
        "parse": {name: entry["rate"] for name, entry in report["parse"].items()},
        "firsts_ok": all(firsts[q] == code for q, code in EXPECTED_FIRST.items()),
        "firsts": firsts,
    }


def _run(database_url: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", database_url], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"worker failed for {database_url}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.format(name=name))


def main() -> None:
    pg_url = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/motcua_bench")
    with tempfile.TemporaryDirectory() as folder:
        sqlite = _run(f"sqlite:///{folder}/bench.sqlite3")
    _pg_admin(pg_url, 'DROP DATABASE IF EXISTS "{name}"')
    _pg_admin(pg_url, 'CREATE DATABASE "{name}"')
    try:
        postgres = _run(pg_url)
    finally:
        _pg_admin(pg_url, 'DROP DATABASE IF EXISTS "{name}"')
    for result in (sqlite, postgres):
        print(
            f"{result['vendor']:>10}: {result['procedures']} procedures, search p50 {result['p50_ms']} ms, "
            f"p95 {result['p95_ms']} ms, import of 588 real records {result['import_588_s']} s, "
            f"expected first results {'ok' if result['firsts_ok'] else result['firsts']}"
        )
    print("parse rates (588 real records):", json.dumps(sqlite["parse"]))
    import_s = max(float(sqlite["import_588_s"]), float(postgres["import_588_s"]))  # type: ignore[arg-type]
    ok = (
        float(sqlite["p95_ms"]) < TARGET_P95_MS  # type: ignore[arg-type]
        and float(postgres["p95_ms"]) < TARGET_P95_MS  # type: ignore[arg-type]
        and import_s < TARGET_IMPORT_S
        and bool(sqlite["firsts_ok"])
        and bool(postgres["firsts_ok"])
    )
    line = {
        "bench": "catalog_search",
        "sqlite_p95_ms": sqlite["p95_ms"],
        "postgres_p95_ms": postgres["p95_ms"],
        "target_p95_ms": TARGET_P95_MS,
        "import_588_s": round(import_s, 2),
        "target_import_s": TARGET_IMPORT_S,
        "ok": ok,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2])))
    else:
        main()
