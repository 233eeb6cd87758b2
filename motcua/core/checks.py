"""Deploy checks of the database server's own settings: ``manage.py check --deploy --database default``.

A dossier's row, its code and its history are legal records, and the receipt (Form 01) a citizen
takes home names its code. ``deploy/postgresql/motcua.conf`` sets what the server needs; a server
installed some other way, or tuned later, may not have it. These checks read the running server's
values (``pg_settings``) and report:

- as errors, what can lose dossiers already accepted: ``fsync`` or ``full_page_writes`` off (a crash
  can corrupt the database), ``synchronous_commit`` off (a crash loses the last commits: a receipt
  already printed names a dossier that no longer exists, and its code is issued again), a server
  encoding other than UTF-8 (Vietnamese names stored wrongly);
- as a warning, ``autovacuum`` or ``track_counts`` off: tables and indexes grow without bound, the
  planner's statistics go stale, the trigram indexes' pending lists are merged by the clerks' own
  requests, and in the end PostgreSQL stops accepting writes to prevent transaction ID wraparound.

They are database checks (Django runs them only with ``--database``) and deploy checks (only with
``--deploy``). SQLite, the embedded default for a demo, is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

SETTINGS = (
    "fsync",
    "full_page_writes",
    "synchronous_commit",
    "server_encoding",
    "autovacuum",
    "track_counts",
)
CONF = "deploy/postgresql/motcua.conf"


def problems(values: Mapping[str, str], alias: str = "default") -> list[CheckMessage]:
    """What is wrong with a PostgreSQL server whose ``pg_settings`` give ``values`` (name → setting,
    as the server spells it: ``on``/``off``, ``UTF8``)."""
    found: list[CheckMessage] = []
    where = f"database {alias!r}"
    for name in ("fsync", "full_page_writes"):
        if values.get(name) == "off":
            found.append(
                Error(
                    f"PostgreSQL runs with {name} = off: a crash of the server or of its machine can "
                    f"corrupt the database and lose accepted dossiers. / PostgreSQL đang chạy với "
                    f"{name} = off: máy chủ gặp sự cố có thể làm hỏng cơ sở dữ liệu, mất hồ sơ đã "
                    "tiếp nhận.",
                    hint=f"Set {name} = on ({CONF}) and restart PostgreSQL.",
                    obj=where,
                    id="motcua.E101" if name == "fsync" else "motcua.E102",
                )
            )
    if values.get("synchronous_commit") == "off":
        found.append(
            Error(
                "PostgreSQL runs with synchronous_commit = off: a crash loses the last commits, so a "
                "receipt already printed can name a dossier that no longer exists and its code is "
                "issued again. / PostgreSQL đang chạy với synchronous_commit = off: khi có sự cố, "
                "các giao dịch vừa ghi bị mất; giấy tiếp nhận đã in có thể mang mã hồ sơ không còn "
                "tồn tại và mã đó bị cấp lại.",
                hint=f"Set synchronous_commit = on ({CONF}); reload PostgreSQL.",
                obj=where,
                id="motcua.E103",
            )
        )
    encoding = values.get("server_encoding")
    if encoding is not None and encoding != "UTF8":
        found.append(
            Error(
                f"The database's encoding is {encoding}, not UTF8: Vietnamese names and addresses "
                f"cannot be stored as written. / Cơ sở dữ liệu dùng bảng mã {encoding}, không phải "
                "UTF8: không lưu đúng được tên, địa chỉ tiếng Việt.",
                hint="Create a database with `createdb -E UTF8` (docs/deploy.md) and restore into it.",
                obj=where,
                id="motcua.E104",
            )
        )
    off = [name for name in ("autovacuum", "track_counts") if values.get(name) == "off"]
    if off:
        named = " and ".join(f"{name} = off" for name in off)
        found.append(
            Warning(
                f"PostgreSQL runs with {named}: nothing vacuums or analyses the tables, so they and "
                "their indexes grow without bound, query plans go stale, the search indexes' pending "
                "lists are merged by the clerks' own requests, and in the end the server stops "
                f"accepting writes (transaction ID wraparound). / PostgreSQL đang chạy với {named}: "
                "không có tiến trình dọn dẹp, thống kê bảng; bảng và chỉ mục phình to, truy vấn chậm "
                "dần, và cuối cùng máy chủ ngừng nhận ghi dữ liệu.",
                hint=f"Set autovacuum = on and track_counts = on ({CONF}); reload PostgreSQL.",
                obj=where,
                id="motcua.W101",
            )
        )
    return found


def server_values(alias: str) -> dict[str, str]:
    """The settings ``problems`` reads, from the running server behind ``alias``."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(SETTINGS)])
        return {str(name): str(setting) for name, setting in cursor.fetchall()}


@register(Tags.database, deploy=True)
def database_server(
    app_configs: Any = None, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for alias in databases or ():
        if connections[alias].vendor != "postgresql":
            continue
        try:
            values = server_values(alias)
        except DatabaseError as error:
            found.append(
                Error(
                    f"Cannot read the server's settings: {error} / Không đọc được cấu hình máy chủ "
                    "cơ sở dữ liệu.",
                    obj=f"database {alias!r}",
                    id="motcua.E100",
                )
            )
            continue
        found.extend(problems(values, alias))
    return found
