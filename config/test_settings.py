"""Settings for the test suite: the one settings module, with MOTCUA_ENV=test."""

import os

os.environ["MOTCUA_ENV"] = "test"

from config.settings import *  # noqa: F403
from config.settings import DATA_DIR, DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads in the concurrency tests must wait for SQLite's write
    # lock as the web server and the worker do, instead of failing on per-table memory locks.
    # One file per test process (pytest-xdist workers are processes), removed when the run ends, so
    # two test runs in one checkout never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-motcua-{os.getpid()}.sqlite3")}

# Rate limits are tested on their own (motcua/api/tests/test_throttling.py, with low rates there);
# everywhere else a suite of many quick requests from one address must not trip them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"public": "100000/minute", "anon": "100000/minute", "client": "100000/minute"},
}
