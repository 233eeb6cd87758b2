"""Path converters shared by every URL conf (decision 0025 §8).

``<id:name>`` is a database id in a path: 1 to 18 digits. A longer number, or anything that is not
digits, matches no route and answers 404; with ``<int:…>`` an id past the 64-bit column range would
reach the database and fail there (a 500 on PostgreSQL, an ``OverflowError`` on SQLite). Importing
this module registers the converter; every URL conf that uses ``<id:…>`` imports it.
"""

from __future__ import annotations

from django.urls import register_converter


class IdConverter:
    """A database id in a path: 1 to 18 digits (a longer number is no id: 404, never an overflow)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
