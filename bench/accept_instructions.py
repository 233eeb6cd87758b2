"""Instructions the client executes per counter acceptance, counted by valgrind (decision 0057).

    MOTCUA_BENCH_PG=postgres://…/motcua_bench_instr .venv/bin/python bench/accept_instructions.py [--n 100]

CPU time on a shared 2-core machine moves by ±10 % within minutes, which hides a change of a few
percent. ``valgrind --tool=callgrind`` counts the instructions the Python process executes instead:
the same code gives the same count within about ±0.6 %, whatever else the machine is doing (the
database server's work is not counted). Seeds a throwaway database the way ``bench/dossier_flow.py``
does, then runs this file under callgrind twice, as a child: 10 warm-up acceptances then 10 more,
and 10 warm-up acceptances then 10 + ``--n`` more. Each acceptance is the bench's: 3 components,
code and ledger number issued, Form 01 data built. The difference of the two counts, divided by
``--n``, is the count per acceptance, without start-up, imports and warm-up. ``--what-if SQL`` runs
SQL on the seeded database first (a fee on the bench's channel offer, say). Needs valgrind
(Debian's ``valgrind``). About 2 minutes for ``--n 100``. No target: it compares code, not
machines. Details go to stderr; the last line on stdout is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import dossier_flow  # noqa: E402 - the same seed and intake as the concurrent bench

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/motcua_bench_instr"
WARM = 10  # acceptances each child runs before the counted ones
BASE = 10  # acceptances counted by the first child; the second counts BASE + --n


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(url: str, seed_file: str, count: int, start: int) -> None:
    """``WARM`` acceptances, then ``count`` more: what callgrind counts."""
    dossier_flow._env(url)
    import django

    django.setup()
    from motcua.accounts.models import User
    from motcua.dossiers import services
    from motcua.paperwork.from_dossier import form01_for

    seed: dict[str, Any] = json.loads(Path(seed_file).read_text())
    me = seed["plan"][0]
    officer = User.objects.get(pk=me["reception"])
    template = dossier_flow.counter_intake(seed, me, "00000000")
    for n in range(start, start + WARM + count):
        intake = dossier_flow.renumbered(template, f"{n:08d}")
        form01_for(services.receive_at_counter(intake=intake, actor=officer))


def counted(url: str, seed_file: str, count: int, start: int) -> int:
    """The instructions callgrind counts for one child run."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child",
        str(count),
        str(start),
        url,
        seed_file,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the child run failed:\n{done.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        count, start, url, seed_file = sys.argv[2:6]
        child(url, seed_file, int(count), int(start))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="acceptances counted (beyond the base run)")
    parser.add_argument("--what-if", default="", help="SQL run on the seeded database before the counts")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:  # ``make bench`` goes on to the next script
        log("valgrind is not installed (Debian: apt-get install valgrind): nothing counted")
        skipped = {"bench": "accept_instructions", "skipped": "no valgrind", "target": None, "ok": None}
        print(json.dumps(skipped))
        return
    url = os.environ.get("MOTCUA_BENCH_PG", DEFAULT_URL)
    started = time.perf_counter()
    with dossier_flow.seeded_here(url) as seed, tempfile.TemporaryDirectory() as tmp:
        seed_file = str(Path(tmp) / "seed.json")
        Path(seed_file).write_text(json.dumps(seed))
        from django.db import connection, connections

        if args.what_if:  # e.g. a fee on the bench's channel offer (decision 0060)
            with connection.cursor() as cursor:
                cursor.execute(args.what_if)
            log(f"what if: {args.what_if}")
        connections.close_all()  # the children open their own
        base = counted(url, seed_file, BASE, 10_000)
        more = counted(url, seed_file, BASE + args.n, 20_000)
    per_accept = round((more - base) / args.n)
    log(
        f"callgrind: {base:,} instructions ({BASE} acceptances), {more:,} ({BASE + args.n}); "
        f"{per_accept:,} per acceptance; {time.perf_counter() - started:.0f} s"
    )
    print(
        json.dumps(
            {
                "bench": "accept_instructions",
                "n": args.n,
                "instructions_per_accept": per_accept,
                "target": None,
                "ok": True,
            }
        )
    )


if __name__ == "__main__":
    main()
