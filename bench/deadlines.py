"""Benchmark of the pure deadline arithmetic: due dates computed per second, per time unit, one core.

    .venv/bin/python bench/deadlines.py [--seconds 2] [--seed 20260213]

Builds a Vietnamese working calendar for 2020-2031 from the ``holidays`` package (days off, plus the
Saturdays worked in exchange for a bridge day, which the package writes as "substituted from
MM/DD/YYYY"), draws seeded random receipts over 2020-2030, and calls ``due_date`` for about
``--seconds`` per unit. Details go to stderr; the last line on stdout is one JSON object:

    {"bench": "deadlines", "working_day_per_s": ..., ..., "target_working_day_per_s": 200000, "ok": true}

No Django: only ``motcua.deadlines.arithmetic`` and ``motcua.core`` are imported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import holidays

from motcua.deadlines.arithmetic import (
    CalendarEntry,
    DayKind,
    TimeUnit,
    WorkingCalendar,
    due_date,
)

TARGET_WORKING_DAY_PER_S = 200_000
FIRST_YEAR, LAST_YEAR = 2020, 2030
# One year of slack after the last receipt so that limits starting in December 2030 stay inside.
CALENDAR_YEARS = range(FIRST_YEAR, LAST_YEAR + 2)
SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")

# Amounts drawn per unit: typical ranges of published procedures (SAME_DAY takes 0 or 1).
AMOUNTS: dict[TimeUnit, tuple[int, int]] = {
    TimeUnit.WORKING_DAY: (1, 60),
    TimeUnit.CALENDAR_DAY: (1, 90),
    TimeUnit.WORKING_HOUR: (1, 64),
    TimeUnit.SAME_DAY: (0, 1),
    TimeUnit.MONTH: (1, 12),
}
FIELDS = {
    TimeUnit.WORKING_DAY: "working_day_per_s",
    TimeUnit.CALENDAR_DAY: "calendar_day_per_s",
    TimeUnit.WORKING_HOUR: "working_hour_per_s",
    TimeUnit.SAME_DAY: "same_day_per_s",
    TimeUnit.MONTH: "month_per_s",
}


def vietnam_calendar() -> WorkingCalendar:
    english = holidays.country_holidays("VN", years=CALENDAR_YEARS, language="en_US")
    vietnamese = holidays.country_holidays("VN", years=CALENDAR_YEARS, language="vi")
    entries: dict[date, CalendarEntry] = {}
    for day, name_en in sorted(english.items()):
        name_vi = vietnamese.get(day, name_en)
        entries[day] = CalendarEntry(day, DayKind.DAY_OFF, name_vi, name_en)
        swapped = SUBSTITUTED.search(name_en)
        if swapped:
            month, dom, year = (int(part) for part in swapped.groups())
            worked = date(year, month, dom)
            entries.setdefault(
                worked,
                CalendarEntry(
                    worked, DayKind.MAKEUP_WORKDAY, f"Làm bù cho ngày {day:%d/%m/%Y}", f"Worked for {day}"
                ),
            )
    return WorkingCalendar(entries.values(), date(CALENDAR_YEARS[0], 1, 1), date(CALENDAR_YEARS[-1], 12, 31))


def random_inputs(rng: random.Random, unit: TimeUnit, count: int) -> list[tuple[datetime, int]]:
    """Receipts as the database returns them (aware, UTC), any minute of 2020-2030."""
    start = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=7)
    minutes = int((datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC) - start).total_seconds() // 60)
    low, high = AMOUNTS[unit]
    return [(start + timedelta(minutes=rng.randrange(minutes)), rng.randint(low, high)) for _ in range(count)]


def measure(run: Callable[[], int], seconds: float) -> float:
    """Calls per second of ``run`` (which returns how many calls it made), over about ``seconds``."""
    run()  # warm up (closing instants cached per date, code paths)
    calls = 0
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        calls += run()
    return calls / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="time spent per unit (default 2)")
    parser.add_argument("--seed", type=int, default=20260213)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):  # one core, as the target is stated
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    built = time.perf_counter()
    calendar = vietnam_calendar()
    print(f"calendar {calendar!r} built in {time.perf_counter() - built:.3f} s", file=sys.stderr)
    rng = random.Random(args.seed)

    results: dict[str, object] = {"bench": "deadlines"}
    for unit, field in FIELDS.items():
        inputs = random_inputs(rng, unit, 20_000)
        for received_at, amount in inputs[:200]:  # the answers are sane before they are timed
            due = due_date(received_at=received_at, amount=amount, unit=unit, calendar=calendar)
            assert calendar.is_working(due.last_day) and due.due_at > received_at

        def run(inputs: list[tuple[datetime, int]] = inputs, unit: TimeUnit = unit) -> int:
            for received_at, amount in inputs:
                due_date(received_at=received_at, amount=amount, unit=unit, calendar=calendar)
            return len(inputs)

        per_second = measure(run, args.seconds)
        results[field] = round(per_second)
        print(f"{unit.value:>13}: {per_second:>10,.0f} due dates/s", file=sys.stderr)

    working_day = results["working_day_per_s"]
    assert isinstance(working_day, int)
    results["target_working_day_per_s"] = TARGET_WORKING_DAY_PER_S
    results["ok"] = working_day >= TARGET_WORKING_DAY_PER_S
    print(json.dumps(results))
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
