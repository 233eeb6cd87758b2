"""Per-process caches of reference data behind a revision token (decision 0043).

Reference data (memberships, agencies, one-stop units and their office hours; the catalogue's
procedures and versions) is read on every act but changes rarely. Each kind has a row in
``core_revision`` whose token database triggers replace on every INSERT, UPDATE or DELETE (and
TRUNCATE on PostgreSQL) of its tables, whoever writes: the services, the admin, a bulk
``update()``, a shell, a restored dump. A process keeps what it read
under the token it saw and reads again once the token differs, so one primary-key read per act
replaces the reads themselves, and a change committed by any process is seen by every other at its
next act. Without the row (a flushed test database) nothing is cached.

Cached values are shared by the requests of a process: read them, never change them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, Final

from django.db import connection, migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from motcua.core import rows

REFERENCE: Final = "reference"
CATALOG: Final = "catalog"
# The tables behind each kind of reference data (their triggers are created by the owning app's
# migration through ``watch``).
WATCHED: Final[dict[str, tuple[str, ...]]] = {
    REFERENCE: (
        "accounts_membership",
        "units_adminunit",
        "units_agency",
        "units_onestopunit",
        "units_officehours",
        "units_counter",
    ),
    CATALOG: (
        "catalog_field",
        "catalog_procedure",
        "catalog_procedureversion",
        "catalog_internalprocess",
        "catalog_processstep",
    ),
}

_caches: dict[tuple[str, str], tuple[str, dict[Any, Any]]] = {}
_lock = threading.Lock()


def token(name: str) -> str | None:
    """The current token of ``name`` (one primary-key read), None without its row."""
    with rows.kept_cursor() as cursor:
        cursor.execute("SELECT token FROM core_revision WHERE name = %s", [name])
        row = cursor.fetchone()
    return str(row[0]) if row is not None else None


def tokens() -> dict[str, str]:
    """The current token of every kind, in one read (a page that keeps both kinds)."""
    with rows.kept_cursor() as cursor:
        cursor.execute("SELECT name, token FROM core_revision")
        return {str(name): str(value) for name, value in cursor.fetchall()}


def kept(name: str, current: dict[str, str], key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in this process's cache of ``name`` under its token in ``current``
    (``tokens()``) for ``key``; computed every time without the token."""
    cache = store(name, current.get(name))
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def store(name: str, current: str | None) -> dict[Any, Any]:
    """This process's cache for ``name`` under ``current`` (the token just read): the same dict as
    long as the token stays; a fresh, empty one when it changed. Without a token: a throwaway dict."""
    if current is None:
        return {}
    key = (connection.alias, name)
    with _lock:
        held = _caches.get(key)
        if held is None or held[0] != current:
            held = (current, {})
            _caches[key] = held
        return held[1]


def watch(schema_editor: BaseDatabaseSchemaEditor, name: str, tables: tuple[str, ...]) -> None:
    """Create the row of ``name`` and the triggers that replace its token on every write to
    ``tables`` (for a migration's ``RunPython``; PostgreSQL and SQLite)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION motcua_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN INSERT INTO core_revision (name, token) "
            "VALUES (TG_ARGV[0], md5(random()::text || clock_timestamp()::text)) "
            "ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token; RETURN NULL; END $$"
        )
    elif vendor != "sqlite":
        raise NotImplementedError(f"revision triggers for {vendor}")
    schema_editor.execute(  # a random first token too: two fresh databases never share one
        "INSERT INTO core_revision (name, token) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING",
        [name, uuid.uuid4().hex],
    )
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION motcua_bump_revision('{name}')"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            schema_editor.execute(  # names from the migration, not from input
                f"CREATE TRIGGER {table}_revision_{event.lower()} AFTER {event} ON {table} "  # noqa: S608
                f"BEGIN INSERT INTO core_revision (name, token) "
                f"VALUES ('{name}', lower(hex(randomblob(16)))) "
                f"ON CONFLICT (name) DO UPDATE SET token = excluded.token; END"
            )


def unwatch(schema_editor: BaseDatabaseSchemaEditor, name: str, tables: tuple[str, ...]) -> None:
    """The reverse of ``watch``."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_revision_{event}")
    schema_editor.execute("DELETE FROM core_revision WHERE name = %s", [name])


def watching(name: str, tables: tuple[str, ...]) -> migrations.RunPython:
    """The migration operation that creates (and, reversed, drops) the triggers of ``tables``."""

    def forwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        watch(schema_editor, name, tables)

    def backwards(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        unwatch(schema_editor, name, tables)

    return migrations.RunPython(forwards, backwards)
