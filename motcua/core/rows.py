"""Rows of the hot paths without the ORM's query compiler (decision 0043).

On the act path every ORM statement costs about a millisecond of Python to compile (the SQL is
rebuilt from the query tree on every call) against a tenth of that to send. Here the statements are
built once per model from ``_meta`` and reused; values go through the fields' own ``pre_save`` and
``get_db_prep_save`` on the way in and the backend's and the fields' converters on the way out, so
what is written and read is what ``Model.save()`` and a queryset would write and read. No model
signals are sent: use these only for models that have no receivers (a test checks the ones used).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
    URLField,
)

_M = TypeVar("_M", bound=Model)

_inserts: dict[tuple[type[Model], str, bool, tuple[bool, ...]], str] = {}
_insert_manys: dict[tuple[type[Model], str, int], str] = {}
_Planned = list[tuple[Field[Any, Any], str, int, str]]
_plans: dict[tuple[type[Model], bool], _Planned] = {}
_updates: dict[tuple[type[Model], tuple[str, ...], str], tuple[str, _Planned]] = {}
_firsts: dict[tuple[type[Model], tuple[str, ...], str], tuple[str, list[Field[Any, Any]], Reader]] = {}


def _db() -> Any:
    """The default connection itself (not the ``django.db.connection`` proxy, whose every attribute
    read goes through a thread-local look-up: thousands per act)."""
    return connections[DEFAULT_DB_ALIAS]


_KEPT = "_motcua_kept_cursor"


@contextlib.contextmanager
def kept_cursor() -> Iterator[Any]:
    """A cursor of the default connection for one statement, kept on the connection and used again
    by the next (decision 0055): a new cursor per statement costs ~50 µs of CPU (psycopg copies its
    adapters for each), about the price of the statement itself. It is Django's cursor wrapper
    (database errors translated, a broken transaction refused), not closed after use; a new one is
    made when the connection is new (reconnected, closed). While queries are logged (DEBUG,
    ``CaptureQueriesContext``) each statement gets a logging cursor of its own, closed after it."""
    connection = _db()
    if connection.queries_logged:
        with connection.cursor() as logging:
            yield logging
        return
    kept = connection.__dict__.get(_KEPT)
    if (
        kept is None
        or connection.connection is None
        or kept.cursor.connection is not connection.connection
        or getattr(kept.cursor, "closed", False)
    ):
        kept = connection.cursor()
        connection.__dict__[_KEPT] = kept
    yield kept


def quote(name: str | None) -> str:
    """A table or column name quoted for the default connection."""
    return str(_db().ops.quote_name(str(name)))


def _is_auto(field: Field[Any, Any]) -> bool:
    return isinstance(field, AutoField | BigAutoField | SmallAutoField)


# What a field's ``get_db_prep_save(pre_save(instance, add))`` gives for a value of the plain type its
# column holds, without the five calls and the failed ``hasattr(value, "as_sql")`` of every column
# (a fifth of an acceptance's inserts, decision 0055). Only the exact field classes below (not their
# subclasses: a project field may prepare differently), only values of the exact type named (a
# ``TextChoices`` member, a lazy string, a naive datetime, an expression still take the field's own
# path), and only the results Django 5.2's fields and backends give for them;
# ``core/tests/test_rows_prepare.py`` compares both paths for every such column of every model.
_TEXT, _INT, _KEY, _BOOL, _DATETIME, _DATE = 1, 2, 3, 4, 5, 6
_TEXT_FIELDS = (CharField, TextField, EmailField, SlugField, URLField)
_INT_FIELDS = (
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    PositiveBigIntegerField,
)


def _kind(field: Field[Any, Any]) -> int:
    cls = type(field)
    stamped = bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    if cls in _TEXT_FIELDS:
        return _TEXT
    if cls in _INT_FIELDS:
        return _INT
    if isinstance(field, ForeignKey) and cls is ForeignKey and _is_auto(field.target_field):
        return _KEY
    if cls is BooleanField:
        return _BOOL
    if cls is DateTimeField and not stamped:
        return _DATETIME
    if cls is DateField and not stamped:
        return _DATE
    return 0


def plan(fields: Sequence[Field[Any, Any]]) -> _Planned:
    """``fields`` with what ``prepared`` needs of each: attname, kind, internal type."""
    return [(f, f.attname, _kind(f), f.get_internal_type()) for f in fields]


def prepared(planned: _Planned, instance: Model, connection: Any, add: bool) -> list[Any]:
    """``[f.get_db_prep_save(f.pre_save(instance, add), connection) for f in fields]``, the common
    cases (a plain value in a plain column) without the fields' layers of calls."""
    ops = connection.ops
    values: list[Any] = []
    append = values.append
    for field, attname, kind, internal in planned:
        if kind:
            value = getattr(instance, attname)
            kind_of = type(value)
            if value is None:
                fast = kind != _BOOL
            elif kind in (_TEXT, _BOOL):
                fast = kind_of is (str if kind == _TEXT else bool)
            elif kind in (_KEY, _INT):
                fast = kind_of is int
                if fast:
                    value = (
                        ops.validate_autopk_value(value)
                        if kind == _KEY
                        else ops.adapt_integerfield_value(value, internal)
                    )
            elif kind == _DATETIME:
                fast = kind_of is dt.datetime and value.utcoffset() is not None
                if fast:
                    value = ops.adapt_datetimefield_value(value)
            else:  # _DATE
                fast = kind_of is dt.date
                if fast:
                    value = ops.adapt_datefield_value(value)
            if fast:
                append(value)
                continue
        append(field.get_db_prep_save(field.pre_save(instance, add), connection))
    return values


def _insert_plan(model: type[Model], with_key: bool) -> _Planned:
    found = _plans.get((model, with_key))
    if found is None:
        fields = [f for f in model._meta.concrete_fields if with_key or not (f.primary_key and _is_auto(f))]
        found = _plans[(model, with_key)] = plan(fields)
    return found


# --------------------------------------------------------------------------------------------------
# Rows that wait for the act's next statement (decision 0056)
# --------------------------------------------------------------------------------------------------

_PENDING = "_motcua_pending_writes"
_KEPT_RAW = "_motcua_kept_raw_cursor"
# psycopg keeps its %s → $n conversion of a statement only up to this many parameters
# (``psycopg._queries.MAX_CACHED_STATEMENT_PARAMS``); beyond it, it parses a statement of this size
# again on every call (~150 µs for an act's widest), more than a round trip costs. A statement with
# more goes, already converted, to a cursor that does no conversion (``_raw_cursor``).
_CACHED_PARAMS = 50


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Inside the block, on PostgreSQL, the rows given to ``write`` are not sent at once: they wait
    on the connection and go as data-modifying CTEs (``WITH w0 AS (INSERT …), w1 AS (INSERT …)``)
    in front of the next statement this module sends (``insert``, ``update``, ``one``): one round
    trip instead of several (decision 0056). Any other statement on the connection inside the block
    (the ORM's, a savepoint) sends them first, on their own (an execute wrapper), and so does the end
    of the block: whatever reads after a ``write`` sees its row, and nothing written stays unsent.
    Open it inside the transaction (``atomic``): a commit is not a statement. Elsewhere (SQLite,
    in-process: a round trip costs nothing) ``write`` is ``insert`` and the block does nothing."""
    connection = _db()
    if connection.vendor != "postgresql" or _PENDING in connection.__dict__:
        yield
        return
    connection.__dict__[_PENDING] = []
    try:
        with connection.execute_wrapper(_send_waiting_first):
            yield
            if connection.__dict__[_PENDING]:
                _flush(connection)
    finally:
        connection.__dict__.pop(_PENDING, None)


def _send_waiting_first(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """The execute wrapper of ``together``: rows still waiting go before a statement that does not
    carry them."""
    connection = context["connection"]
    if connection.__dict__.get(_PENDING):
        _flush(connection)
    return execute(sql, params, many, context)


def write(instance: Model, *, with_key: bool = False) -> None:
    """``insert(instance, with_key=with_key)``, sent with the next statement inside ``together``
    (PostgreSQL). Such a row's key is not read back: without ``with_key`` it stays unset on
    ``instance``; use it for rows nobody reads in the act (an outbox row, a clock event)."""
    connection = _db()
    pending = connection.__dict__.get(_PENDING)
    if pending is None:
        insert(instance, with_key=with_key)
        return
    sql, values = _insert_statement(instance, with_key, connection)
    pending.append((sql.rpartition(" RETURNING ")[0], values))
    instance._state.adding = False
    instance._state.db = connection.alias


def _merged(connection: Any, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
    """``sql`` with the rows waiting on ``connection`` in front of it, as data-modifying CTEs."""
    pending = connection.__dict__.get(_PENDING)
    if not pending:
        return sql, params
    if _updates_twice(pending, sql):
        _flush(connection)
        return sql, params
    connection.__dict__[_PENDING] = []
    ctes = ", ".join(f"w{i} AS ({statement})" for i, (statement, _) in enumerate(pending))
    values = [value for _, row in pending for value in row]
    if sql.startswith("WITH "):  # the statement's own CTEs follow the rows'
        return f"WITH {ctes}, {sql[5:]}", [*values, *params]
    return f"WITH {ctes} {sql}", [*values, *params]


def _flush(connection: Any) -> None:
    """Send the rows waiting on ``connection``: the last as the statement, the others in front."""
    pending = connection.__dict__[_PENDING]
    connection.__dict__[_PENDING] = pending[:-1]
    last, values = pending[-1]
    _send(connection, *_merged(connection, last, values))


_dollars: dict[str, str] = {}


def _answer(cursor: Any, answer: str) -> Any:
    if answer == "rows":
        return cursor.fetchall()
    return cursor.fetchone() if answer == "row" else cursor.rowcount if answer == "rowcount" else None


def _send(connection: Any, sql: str, params: list[Any], answer: str = "") -> Any:
    """Execute ``sql``; its first row (``answer="row"``), all its rows (``"rows"``), its row count
    (``"rowcount"``) or None. A statement of more parameters than psycopg keeps converted goes as
    ``$1 … $n`` to a cursor that converts nothing (not while queries are logged: the log renders
    ``%s`` statements)."""
    if len(params) <= _CACHED_PARAMS or connection.queries_logged or connection.vendor != "postgresql":
        with kept_cursor() as cursor:
            cursor.execute(sql, params)
            return _answer(cursor, answer)
    native = _dollars.get(sql)
    if native is None:
        parts = sql.split("%s")
        if any("%" in part for part in parts):  # a literal % would need psycopg's own parsing
            raise ValueError("rows statements carry no literal %")
        native = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        _dollars[sql] = native
    cursor = _raw_cursor(connection)
    cursor.execute(native, params)
    return _answer(cursor, answer)


def _raw_cursor(connection: Any) -> Any:
    """psycopg's ``RawCursor`` (``$n`` placeholders, nothing converted) in Django's cursor wrapper
    (database errors translated), kept on the connection as ``kept_cursor``'s."""
    import psycopg  # PostgreSQL only

    kept = connection.__dict__.get(_KEPT_RAW)
    if (
        kept is None
        or connection.connection is None
        or kept.cursor.connection is not connection.connection
        or kept.cursor.closed
    ):
        connection.ensure_connection()
        kept = connection.make_cursor(psycopg.RawCursor(connection.connection))
        connection.__dict__[_KEPT_RAW] = kept
    return kept


def one(sql: str, params: Sequence[Any]) -> Any:
    """The first row of ``sql`` (a hand-written statement of the act: the code counters), with the
    rows waiting inside ``together`` sent in front of it."""
    connection = _db()
    return _send(connection, *_merged(connection, sql, list(params)), "row")


def _insert_statement(instance: Model, with_key: bool, connection: Any) -> tuple[str, list[Any]]:
    """The INSERT of ``instance`` (``… RETURNING pk``) and its parameters (see ``insert``)."""
    model = type(instance)
    planned = _insert_plan(model, with_key)
    values = prepared(planned, instance, connection, True)
    nulls = tuple([value is None for value in values])  # (a list comprehension is faster)
    key = (model, connection.vendor, with_key, nulls)
    sql = _inserts.get(key)
    if sql is None:
        meta = model._meta
        columns = ", ".join(quote(f.column) for f, *_ in planned)
        marks = ", ".join("NULL" if null else "%s" for null in nulls)
        table, key_column = quote(meta.db_table), quote(meta.pk.column)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {key_column}"  # noqa: S608
        _inserts[key] = sql
    return sql, [value for value in values if value is not None]


def insert(instance: Model, *, with_key: bool = False) -> None:
    """INSERT ``instance`` (as ``save(force_insert=True)`` would: ``auto_now`` fields set, values
    prepared by their fields) and set its new primary key. ``with_key``: the instance already
    carries its primary key (taken from the sequence beforehand), which is inserted as is.

    A value that is None goes into the statement as ``NULL``, not as a parameter (decision 0048):
    the same row, and fewer parameters to send. The wide rows (a dossier has 62 columns) then stay
    under psycopg's 50 parameters, beyond which it parses the statement again on every call instead
    of keeping it parsed; one statement is kept per model and pattern of NULLs."""
    connection = _db()
    model = type(instance)
    row = _send(connection, *_merged(connection, *_insert_statement(instance, with_key, connection)), "row")
    if _is_auto(model._meta.pk):
        setattr(instance, model._meta.pk.attname, row[0])
    instance._state.adding = False
    instance._state.db = connection.alias


def insert_many(instances: Sequence[Model]) -> None:
    """INSERT ``instances`` (all of one model) in one statement and set their new primary keys, in
    order (as ``bulk_create`` does on PostgreSQL and SQLite); the statement built once per model,
    database and number of rows. Inside ``together`` the rows waiting go in front of it, in the same
    statement (an acceptance's fee lines with its components, decision 0060)."""
    if not instances:
        return
    connection = _db()
    model = type(instances[0])
    meta = model._meta
    key = (model, connection.vendor, len(instances))
    planned = _insert_plan(model, False)
    sql = _insert_manys.get(key)
    if sql is None:
        columns = ", ".join(quote(f.column) for f, *_ in planned)
        row = "(" + ", ".join(["%s"] * len(planned)) + ")"
        sql = _insert_manys[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from _meta
            f"{', '.join([row] * len(instances))} RETURNING {quote(meta.pk.column)}"
        )
    values = [value for instance in instances for value in prepared(planned, instance, connection, True)]
    keys = [found[0] for found in _send(connection, *_merged(connection, sql, values), "rows")]
    for instance, key in zip(instances, keys, strict=True):
        if _is_auto(meta.pk):
            setattr(instance, meta.pk.attname, key)
        instance._state.adding = False
        instance._state.db = connection.alias


def max_params() -> int:
    """The most parameters one statement may carry on the default database: Django's figure for
    SQLite (999), psycopg's protocol limit (65,535) elsewhere."""
    return int(_db().features.max_query_params or 65535)


def arrays() -> bool:
    """Whether the default database takes a list of rows as one array per column (PostgreSQL:
    ``unnest(%s::type[], …)``, ``= ANY(%s::type[])``): then a statement over many rows keeps one
    text and a few parameters whatever their number, so psycopg parses it once and PostgreSQL
    prepares it (decision 0043), where ``VALUES (…), (…)`` or ``IN (…)`` would be a new statement
    with thousands of parameters for every size."""
    return bool(_db().vendor == "postgresql")


def array_of(field: Field[Any, Any]) -> str:
    """``%s`` cast to an array of ``field``'s column type, for ``unnest`` and ``ANY``."""
    return f"%s::{field.db_type(_db())}[]"


_insert_news: dict[tuple[type[Model], str, str], tuple[str, str, list[Field[Any, Any]], Field[Any, Any]]] = {}


def insert_new(instances: Sequence[_M], *, unique: str) -> list[_M]:
    """INSERT ``instances`` (all of one model), skipping each row whose ``unique`` column (the
    attname of a field with ``unique=True``) holds a value already in the table:
    ``INSERT … ON CONFLICT (column) DO NOTHING RETURNING pk, column``. A row recorded by another
    transaction, committed before this statement or while it waited on that row, is neither
    duplicated nor an error; any other constraint still raises. Sets the keys of the rows inserted
    (matched by their ``unique`` value, which must read back as written: text, integers) and returns
    those instances, in the order given; the others keep no key. Two of ``instances`` with the same
    value: only the first is inserted.

    On PostgreSQL one statement of one array per column (``SELECT * FROM unnest(…)``, built once per
    model); elsewhere (SQLite 3.35 or later) ``VALUES (…), (…)`` in chunks under ``max_params``."""
    if not instances:
        return []
    connection = _db()
    model = type(instances[0])
    meta = model._meta
    key = (model, connection.vendor, unique)
    built = _insert_news.get(key)
    if built is None:
        fields = [f for f in meta.concrete_fields if not (f.primary_key and _is_auto(f))]
        marker = next(f for f in meta.concrete_fields if f.attname == unique)
        if not marker.unique or marker.primary_key:
            raise ValueError(f"{unique} is not a unique column of {meta.label}")
        head = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        if arrays():
            head += f"SELECT * FROM unnest({', '.join(array_of(f) for f in fields)})"  # noqa: S608 - from _meta
        else:
            head += "VALUES "
        column = quote(marker.column)
        tail = f" ON CONFLICT ({column}) DO NOTHING RETURNING {quote(meta.pk.column)}, {column}"
        built = _insert_news[key] = (head, tail, fields, marker)
    head, tail, fields, marker = built
    pending: dict[Any, _M] = {}
    for instance in instances:
        pending.setdefault(getattr(instance, marker.attname), instance)
    distinct: list[_M] = list(pending.values())
    inserted: dict[Any, Any] = {}
    planned = _insert_plan(model, False)  # the same columns as ``fields``, in the same order
    with kept_cursor() as cursor:
        if arrays():
            rows = [prepared(planned, instance, connection, True) for instance in distinct]
            columns = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(head + tail, columns)
            inserted.update((found[1], found[0]) for found in cursor.fetchall())
        else:
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            per_statement = max(1, max_params() // len(fields))
            for start in range(0, len(distinct), per_statement):
                part = distinct[start : start + per_statement]
                values = [v for instance in part for v in prepared(planned, instance, connection, True)]
                cursor.execute(head + ", ".join([row] * len(part)) + tail, values)
                inserted.update((found[1], found[0]) for found in cursor.fetchall())
    done: list[_M] = []
    for value, instance in pending.items():
        if value not in inserted:
            continue
        if _is_auto(meta.pk):
            setattr(instance, meta.pk.attname, inserted[value])
        instance._state.adding = False
        instance._state.db = connection.alias
        done.append(instance)
    return done


_where_ins: dict[tuple[type[Model], str, str], tuple[str, Field[Any, Any], Reader]] = {}


def where_in(model: type[_M], attname: str, values: Iterable[Any]) -> list[_M]:
    """``list(model.objects.filter(<attname>__in=values).order_by())`` (rows in no particular
    order): on PostgreSQL one statement built once per model and column (``= ANY(array)``),
    elsewhere ``IN (…)`` in chunks under ``max_params``."""
    connection = _db()
    key = (model, attname, connection.vendor)
    built = _where_ins.get(key)
    if built is None:
        meta = model._meta
        field = next(f for f in meta.concrete_fields if f.attname == attname)
        reader = Reader(model, "t")
        head = f"SELECT {reader.select} FROM {quote(meta.db_table)} t WHERE t.{quote(field.column)} "  # noqa: S608
        built = _where_ins[key] = (head, field, reader)
    head, field, reader = built
    wanted = [field.get_db_prep_value(value, connection, prepared=False) for value in dict.fromkeys(values)]
    if not wanted:
        return []
    return [reader.build(row) for row in _in_chunks(head, field, wanted, "")]


def _in_chunks(head: str, field: Field[Any, Any], wanted: list[Any], tail: str) -> list[Any]:
    """The rows of ``head`` + ``= ANY(%s)`` (PostgreSQL) or ``IN (…)`` + ``tail`` over ``wanted``."""
    found: list[Any] = []
    with kept_cursor() as cursor:
        if arrays():
            cursor.execute(f"{head}= ANY({array_of(field)}){tail}", [wanted])
            return list(cursor.fetchall())
        per_statement = max_params()
        for start in range(0, len(wanted), per_statement):
            part = wanted[start : start + per_statement]
            cursor.execute(f"{head}IN ({', '.join(['%s'] * len(part))}){tail}", part)
            found.extend(cursor.fetchall())
    return found


def snapshot(instance: Model) -> dict[str, Any]:
    """The values of ``instance``'s fields now, for ``changed`` later: a copy of its ``__dict__``,
    where Django keeps each loaded field's value under its attname (a field still deferred is not
    there, and is not loaded for this)."""
    return dict(instance.__dict__)


def changed(instance: Model, before: dict[str, Any]) -> list[str]:
    """The attnames whose value differs from ``before`` (``snapshot``); a field loaded since counts
    as changed, a field still not loaded does not."""
    now = instance.__dict__
    return [
        f.attname
        for f in instance._meta.concrete_fields
        if not f.primary_key
        and f.attname in now
        and (f.attname not in before or now[f.attname] != before[f.attname])
    ]


def update(instance: Model, attnames: Iterable[str]) -> int:
    """UPDATE these fields of ``instance`` (and its ``auto_now`` fields, as ``save()`` does) by
    primary key; returns the number of rows changed."""
    connection = _db()
    statement = _update_statement(instance, attnames, connection)
    if statement is None:
        return 0
    return int(_send(connection, *_merged(connection, *statement), "rowcount"))


def write_update(instance: Model, attnames: Iterable[str]) -> None:
    """``update(instance, attnames)``, sent with the next statement inside ``together``
    (PostgreSQL, decision 0056); the number of rows changed is not read."""
    connection = _db()
    pending = connection.__dict__.get(_PENDING)
    if pending is None:
        update(instance, attnames)
        return
    statement = _update_statement(instance, attnames, connection)
    if statement is not None:
        if _updates_twice(pending, statement[0]):
            _flush(connection)
            pending = connection.__dict__[_PENDING]
        pending.append(statement)


def _updates_twice(pending: list[tuple[str, list[Any]]], sql: str) -> bool:
    """Whether ``sql`` is an UPDATE of a table that a waiting row already updates: PostgreSQL applies
    only one of two updates of a row in one statement, so those two never share one."""
    if not sql.startswith("UPDATE "):
        return False
    table = sql.split(" ", 2)[1]
    return any(waiting.startswith(f"UPDATE {table} ") for waiting, _ in pending)


def _update_statement(
    instance: Model, attnames: Iterable[str], connection: Any
) -> tuple[str, list[Any]] | None:
    """The UPDATE of ``update`` and its parameters; None when there is no column to set."""
    model = type(instance)
    meta = model._meta
    names = tuple(sorted(set(attnames)))
    key = (model, names, connection.vendor)
    built = _updates.get(key)
    if built is None:
        wanted = set(names)
        fields = [
            f
            for f in meta.concrete_fields
            if not f.primary_key and (f.attname in wanted or getattr(f, "auto_now", False))
        ]
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        built = (sql, plan(fields))
        _updates[key] = built
    sql, planned = built
    if not planned:
        return None
    return sql, [*prepared(planned, instance, connection, False), instance.pk]


_MISSING = object()
# per concrete field: the field, its name, its attname, the model a foreign key points to (None for
# other fields), and its default: a callable ``default=`` (called for each instance) or the value
# ``get_default()`` gives once for all
_Built = tuple[list[tuple[Any, str, str, type[Model] | None, Any, Any]], frozenset[str], str]
_builds: dict[type[Model], _Built] = {}


def _build_plan(model: type[Model]) -> _Built:
    found = _builds.get(model)
    if found is None:
        fields = list(model._meta.concrete_fields)
        planned = []
        for f in fields:
            key: Any = f  # a ForeignKey when it is a relation (concrete fields: no many-to-many)
            remote: type[Model] | None = None
            if f.is_relation:
                if key.one_to_one or not key.target_field.primary_key:
                    raise TypeError(f"rows.new: {model.__name__}.{f.name} is not a plain foreign key")
                remote = key.remote_field.model._meta.concrete_model
            maker = f.default if f.has_default() and callable(f.default) else None
            fixed = None if maker is not None else f.get_default()
            planned.append((f, f.name, f.attname, remote, maker, fixed))
        names = frozenset([*(f.name for f in fields), *(f.attname for f in fields), "pk"])
        found = _builds[model] = (planned, names, model._meta.pk.attname)
    return found


def new(model: type[_M], /, **values: Any) -> _M:
    """``model(**values)``, built through Django's positional constructor (the one ``from_db`` and
    every queryset use): the value given for each concrete field, else the field's default, in
    ``_meta`` order; then the related objects given kept in the instance's cache and its database
    noted, as the foreign keys' descriptors do. The keyword constructor walks every field's name,
    attname and default through dictionary pops: 72 µs for the 62-column dossier of an acceptance,
    against 10 µs this way (decision 0060). ``pre_init`` and ``post_init`` are sent as by any
    constructor.

    ``values`` are keyed as the keyword constructor takes them: a field's name (a related object or
    None, for a foreign key), its attname (a raw key) or ``pk``; an attname given with its related
    object wins over it and drops the object from the cache, as the constructor's second pass does.
    Only models whose relations are plain foreign keys to a primary key (no one-to-one); any other
    key raises ``TypeError``. ``integration/tests/test_rows_new.py`` compares both constructors
    (it sits above the outbox's model, which it builds too)."""
    fields, names, pk_attname = _build_plan(model)
    unknown = values.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    args: list[Any] = []
    cached: list[tuple[Any, Any]] = []
    noted: Model | None = None  # the first related object given: the instance's database comes from it
    for field, name, attname, remote, maker, fixed in fields:
        if remote is not None and name in values:
            target = values[name]
            if target is not None and not isinstance(target, remote):
                raise ValueError(
                    f'Cannot assign a {type(target).__name__}: "{model.__name__}.{name}" must be a '
                    f'"{remote._meta.object_name}" instance.'
                )
            if noted is None and target is not None:
                noted = target
            value = None if target is None else target.pk
            if attname in values and values[attname] != value:
                value = values[attname]
            else:
                cached.append((field, target))
        else:
            value = values.get(attname, _MISSING)
            if value is _MISSING:
                value = maker() if maker is not None else fixed
        if attname == pk_attname and "pk" in values:
            value = values["pk"]
        args.append(value)
    instance = model(*args)
    for field, target in cached:
        field.set_cached_value(instance, target)
    if noted is not None:
        instance._state.db = router.db_for_write(model, instance=noted)
    return instance


class Reader:
    """The columns of ``model`` under a table alias in a hand-written SELECT, and the instance built
    from them (as a queryset would build it: every field's converters applied)."""

    def __init__(self, model: type[_M], alias: str) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.select = ", ".join(f"{alias}.{quote(f.column)}" for f in self.fields)
        self._converters: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def _for(self) -> list[Any]:
        connection = _db()
        vendor = connection.vendor
        found = self._converters.get(vendor)
        if found is None:
            found = []
            for f in self.fields:
                col = f.get_col(self.model._meta.db_table)
                chain = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
                found.append((chain, col) if chain else None)
            self._converters[vendor] = found
        return found

    def build(self, values: Sequence[Any]) -> Any:
        """The instance from the row's slice ``values`` (None when the primary key is NULL: an outer
        join that found nothing)."""
        pk_index = self.names.index(self.model._meta.pk.attname)
        if values[pk_index] is None:
            return None
        connection = _db()
        converted = list(values)
        for i, entry in enumerate(self._for()):
            if entry is not None:
                chain, col = entry
                value = converted[i]
                for converter in chain:
                    value = converter(value, col, connection)
                converted[i] = value
        return self.model.from_db(connection.alias, self.names, converted)


def convert(field: Field[Any, Any], value: Any) -> Any:
    """``value`` as read by a raw cursor from a column of ``field``, converted as a queryset would."""
    connection = _db()
    col = field.get_col(field.model._meta.db_table)
    for converter in (*connection.ops.get_db_converters(col), *col.get_db_converters(connection)):
        value = converter(value, col, connection)
    return value


def first(model: type[_M], **where: Any) -> _M | None:
    """``model.objects.filter(**where).first()`` for equality on concrete columns (attnames, no
    None): the row with the smallest primary key, or None; the statement built once per model,
    columns and database."""
    if any(value is None for value in where.values()):
        raise ValueError("rows.first compares with =; use the ORM for IS NULL")
    connection = _db()
    names = tuple(sorted(where))
    key = (model, names, connection.vendor)
    built = _firsts.get(key)
    if built is None:
        meta = model._meta
        by_attname = {f.attname: f for f in meta.concrete_fields}
        fields = [by_attname[name] for name in names]
        reader = Reader(model, "t")
        conditions = " AND ".join(f"t.{quote(f.column)} = %s" for f in fields)
        pk = quote(meta.pk.column)
        sql = (
            f"SELECT {reader.select} FROM {quote(meta.db_table)} t WHERE {conditions} ORDER BY t.{pk} LIMIT 1"  # noqa: S608
        )
        built = (sql, fields, reader)
        _firsts[key] = built
    sql, fields, reader = built
    values = [f.get_db_prep_value(where[f.attname], connection, prepared=False) for f in fields]
    with kept_cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    found: _M | None = reader.build(row) if row is not None else None
    return found


class _Related:
    """The statement of ``with_related`` for one model and set of paths: its readers and, for each
    related row, where it hangs (the reader's index of the row it belongs to, and the field)."""

    def __init__(self, model: type[Model], paths: tuple[str, ...]) -> None:
        self.readers: list[Reader] = [Reader(model, "t0")]
        self.links: list[tuple[int, ForeignKey[Any, Any]]] = []
        joins: list[str] = []
        seen: dict[str, int] = {"": 0}
        for path in paths:
            prefix = ""
            for name in path.split("__"):
                owner = seen[prefix]
                prefix = f"{prefix}__{name}" if prefix else name
                if prefix in seen:
                    continue
                field = self.readers[owner].model._meta.get_field(name)
                if not isinstance(field, ForeignKey):  # a one-to-one field is one too
                    raise ValueError(f"{path}: {name} is not a forward foreign key")
                target: type[Model] = field.related_model
                alias = f"t{len(self.readers)}"
                kind = "LEFT JOIN" if field.null else "INNER JOIN"
                joins.append(
                    f"{kind} {quote(target._meta.db_table)} {alias} "
                    f"ON {alias}.{quote(field.target_field.column)} = t{owner}.{quote(field.column)}"
                )
                seen[prefix] = len(self.readers)
                self.readers.append(Reader(target, alias))
                self.links.append((owner, field))
        meta = model._meta
        self.head = (
            f"SELECT {', '.join(r.select for r in self.readers)} "  # noqa: S608 - names from _meta
            f"FROM {quote(meta.db_table)} t0 {' '.join(joins)} WHERE t0.{quote(meta.pk.column)} "
        )
        self.sql = f"{self.head}= %s"

    def build(self, row: Sequence[Any]) -> Any:
        built: list[Any] = []
        start = 0
        for reader in self.readers:
            built.append(reader.build(row[start : start + len(reader)]))
            start += len(reader)
        for index, (owner, field) in enumerate(self.links, start=1):
            if built[owner] is not None:
                field.set_cached_value(built[owner], built[index])
        return built[0]


_related: dict[tuple[type[Model], tuple[str, ...], str], _Related] = {}


def _related_statement(model: type[Model], paths: tuple[str, ...]) -> _Related:
    """The statement of ``model`` with the rows of ``paths``, built once per database."""
    cache_key = (model, paths, _db().vendor)
    statement = _related.get(cache_key)
    if statement is None:
        statement = _related[cache_key] = _Related(model, paths)
    return statement


def with_related(model: type[_M], key: Any, *paths: str) -> _M | None:
    """``model.objects.select_related(*paths).filter(pk=key).first()`` without the query compiler:
    one statement per model, paths and database, built once (the compiler spends about a
    millisecond and a half on a dossier with its procedure, units and agency). Paths follow forward
    foreign keys (``procedure_version__procedure``); a NULL foreign key leaves None in its place, as
    ``select_related`` does. None when no row has that key."""
    connection = _db()
    statement = _related_statement(model, paths)
    with kept_cursor() as cursor:
        cursor.execute(statement.sql, [model._meta.pk.get_db_prep_value(key, connection)])
        row = cursor.fetchone()
    found: _M | None = statement.build(row) if row is not None else None
    return found


def with_related_many(model: type[_M], keys: Iterable[Any], *paths: str) -> list[_M]:
    """``list(model.objects.select_related(*paths).filter(pk__in=keys).order_by("pk"))`` without the
    query compiler: ``with_related``'s statement with ``= ANY(array)`` (PostgreSQL) or ``IN (…)`` in
    chunks under ``max_params`` for its ``= %s``, the join built once per model, paths and database.
    Keys that name no row are left out."""
    connection = _db()
    statement = _related_statement(model, paths)
    pk = model._meta.pk
    wanted = [pk.get_db_prep_value(key, connection) for key in sorted(set(keys))]  # in order across chunks
    if not wanted:
        return []
    order = f" ORDER BY t0.{quote(pk.column)}"
    return [statement.build(row) for row in _in_chunks(statement.head, pk, wanted, order)]
