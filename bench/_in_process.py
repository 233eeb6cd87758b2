"""What the in-process request benches share (``counter_profile``, ``dossier_page_profile``,
``request_overhead``): their options, and running their measuring child. Not a bench itself:
``make bench`` skips ``bench/_*.py``.

The parent seeds a throwaway PostgreSQL database the way ``bench/load.py`` does (``tests/prodstack``:
production settings, collected static files, one published procedure, one reception officer), or
takes the one kept by an earlier ``--keep``; the child (the bench's ``CHILD`` source, run with
``python -c`` in the production environment, on ``--root``'s checkout) measures and prints one
``RESULT <json>`` line, which is returned. ``--root`` lets old and new code run alternately on the
same database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests import prodstack as ps  # noqa: E402


def options(description: str, *, n: int, top: int, sql_help: str) -> argparse.ArgumentParser:
    """The options every such bench takes; a bench adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--n", type=int, default=n)
    parser.add_argument("--top", type=int, default=top)
    parser.add_argument("--sql", action="store_true", help=sql_help)
    parser.add_argument("--keep", action="store_true", help="keep the database and its work folder")
    parser.add_argument("--reuse", action="store_true", help="the database kept by an earlier --keep")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout the child process runs")
    return parser


def run_child(
    args: argparse.Namespace, *, url: str, workdir: Path, child: str, dump: str, extra: list[str]
) -> dict[str, Any]:
    """Seed (or reuse) the database, run ``child`` with ``[world, n, top, offset, dump, --sql?,
    *extra]`` as its arguments, and return its RESULT. The database is dropped unless ``--keep``.

    ``offset``: each run's dossiers get applicants, codes and idempotency keys of their own."""
    stack = ps.Stack(url, workdir, 0)
    world_file = workdir / "world.json"
    try:
        if args.reuse and world_file.exists():
            world = json.loads(world_file.read_text())
        else:
            ps.recreate_database(url)
            world = stack.prepare(officers=1)
            world_file.write_text(json.dumps(world))
        env = stack.env()
        env["PYTHONPATH"] = str(args.root)
        offset = int.from_bytes(os.urandom(4), "big") % 90_000_000 * 1000
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                child,
                json.dumps(world),
                str(args.n),
                str(args.top),
                str(offset),
                dump,
                *(["--sql"] if args.sql else []),
                *extra,
            ],
            cwd=args.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        print(done.stderr, file=sys.stderr)
        found = re.search(r"^RESULT (.+)$", done.stdout, re.M)
        if found is None:
            raise RuntimeError(f"the profiling child failed ({done.returncode})")
        result: dict[str, Any] = json.loads(found.group(1))
        return result
    finally:
        if not args.keep:
            ps.drop_database(url)
            world_file.unlink(missing_ok=True)
