"""Settings for the test suite: the one settings module, with MOTCUA_ENV=test."""

import os

os.environ["MOTCUA_ENV"] = "test"

from config.settings import *  # noqa: F403
