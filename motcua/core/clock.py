"""The one clock of motcua: ``now()`` in UTC, frozen by tests with time-machine."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> dt.datetime:
    """The current instant, timezone-aware, in UTC."""
    return dt.datetime.now(tz=dt.UTC)


def local_now() -> dt.datetime:
    """The current instant in Vietnam's time zone (UTC+7, no daylight saving)."""
    return now().astimezone(VN_TZ)


def today() -> dt.date:
    """Today's date in Vietnam."""
    return local_now().date()


def to_local(instant: dt.datetime) -> dt.datetime:
    """An aware instant in Vietnam's time zone; refuses naive datetimes."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime: a time zone offset is required")
    return instant.astimezone(VN_TZ)
