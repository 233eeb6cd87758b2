"""Settings for the test suite: the one settings module, with MOTCUA_ENV=test."""

import os

os.environ["MOTCUA_ENV"] = "test"

from config.settings import *  # noqa: F403
from config.settings import DATA_DIR, DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: threads in the concurrency tests must wait for SQLite's write
    # lock as the web server and the worker do, instead of failing on per-table memory locks.
    # pytest-xdist gives each worker its own copy (suffix _gw0, _gw1 …).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-motcua.sqlite3")}
