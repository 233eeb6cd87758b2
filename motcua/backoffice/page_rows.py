"""The rows of one dossier that its staff page shows, read without the ORM's query compiler.

The dossier page reads seven kinds of rows of its dossier (events with their actors, components,
their files, tasks with their agencies and assignees, consultations with the agency asked, the
result with its signer, fee lines). Through querysets each statement was compiled anew on every
page, about 1.5 ms of CPU each on the bench (issue #9), more than the page's template. Here each
statement is built once per process from ``_meta`` (``core.rows.Reader``: every field's converters,
the instances a queryset builds) and sent with the dossier's id; the related rows are set on the
instances as ``select_related`` sets them, and each component's files as ``prefetch_related``
leaves them (``component.files.all()`` reads nothing). The orders are the querysets' orders. A
test compares every list with its queryset, value by value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, ForeignKey, Model, QuerySet

from motcua.core import rows
from motcua.dossiers.models import (
    Consultation,
    DossierComponent,
    DossierEvent,
    DossierFile,
    FeeLine,
    ProcessingTask,
    Result,
)


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field), name
    return rows.quote(field.column)


class _Statement:
    """``SELECT`` of ``model``'s rows (alias ``t0``) whose ``where`` column equals the parameter,
    with the rows of the forward foreign keys ``related`` (one hop each) joined, in ``order``.
    ``where`` is a column of ``t0`` or ``fk__column``: the column of the row ``fk`` points to."""

    def __init__(
        self, model: type[Model], *, where: str, order: tuple[str, ...], related: tuple[str, ...] = ()
    ) -> None:
        q = rows.quote
        meta = model._meta
        self.readers = [rows.Reader(model, "t0")]
        self.links: list[ForeignKey[Any, Any]] = []
        joins = []
        for name in related:
            field = meta.get_field(name)
            assert isinstance(field, ForeignKey), name
            alias = f"t{len(self.readers)}"
            kind = "LEFT JOIN" if field.null else "INNER JOIN"
            target: type[Model] = field.related_model
            joins.append(
                f"{kind} {q(target._meta.db_table)} {alias} "
                f"ON {alias}.{q(field.target_field.column)} = t0.{q(field.column)}"
            )
            self.readers.append(rows.Reader(target, alias))
            self.links.append(field)
        hop, _, column = where.rpartition("__")
        if hop:
            field = meta.get_field(hop)
            assert isinstance(field, ForeignKey), hop
            target = field.related_model
            joins.append(
                f"INNER JOIN {q(target._meta.db_table)} w "
                f"ON w.{q(field.target_field.column)} = t0.{q(field.column)}"
            )
            condition = f"w.{_column(target, column)} = %s"
        else:
            condition = f"t0.{_column(model, column)} = %s"
        ordering = ", ".join(f"t0.{_column(model, name)}" for name in order)
        self.sql = (
            f"SELECT {', '.join(r.select for r in self.readers)} "  # noqa: S608 - names from _meta
            f"FROM {q(meta.db_table)} t0 {' '.join(joins)} WHERE {condition} ORDER BY {ordering}"
        )

    def read(self, key: int) -> list[Any]:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(self.sql, [key])
            found = cursor.fetchall()
        built = []
        for row in found:
            start = len(self.readers[0])
            instance = self.readers[0].build(row[:start])
            for reader, field in zip(self.readers[1:], self.links, strict=True):
                field.set_cached_value(instance, reader.build(row[start : start + len(reader)]))
                start += len(reader)
            built.append(instance)
        return built


_statements: dict[tuple[str, str], _Statement] = {}


def _read(name: str, key: int) -> list[Any]:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    statement = _statements.get((name, vendor))
    if statement is None:
        statement = _statements[(name, vendor)] = _Statement(**STATEMENTS[name])
    return statement.read(key)


# Each list as the page's querysets ordered it (a model's ``Meta.ordering`` starts with its dossier:
# within one dossier only the rest of it counts).
STATEMENTS: dict[str, dict[str, Any]] = {
    "events": {"model": DossierEvent, "where": "dossier_id", "order": ("seq",), "related": ("actor",)},
    "components": {"model": DossierComponent, "where": "dossier_id", "order": ("position", "id")},
    "files": {
        "model": DossierFile,
        "where": "component__dossier_id",
        "order": ("component_id", "uploaded_at", "id"),
    },
    "tasks": {
        "model": ProcessingTask,
        "where": "dossier_id",
        "order": ("position", "id"),
        "related": ("agency", "assignee"),
    },
    "consultations": {
        "model": Consultation,
        "where": "dossier_id",
        "order": ("requested_at", "id"),
        "related": ("requested_agency",),
    },
    "result": {"model": Result, "where": "dossier_id", "order": ("id",), "related": ("signer",)},
    "fee_lines": {"model": FeeLine, "where": "dossier_id", "order": ("id",)},
}


@dataclass(frozen=True, slots=True)
class PageRows:
    events: list[DossierEvent]
    components: list[DossierComponent]
    tasks: list[ProcessingTask]
    consultations: list[Consultation]
    result: Result | None
    fee_lines: list[FeeLine]


def page_rows(dossier_id: int) -> PageRows:
    """The dossier's rows the page shows, each kind read once by a statement built once per process."""
    results = _read("result", dossier_id)
    return PageRows(
        events=events_of(dossier_id),
        components=components_of(dossier_id),
        tasks=_read("tasks", dossier_id),
        consultations=_read("consultations", dossier_id),
        result=results[0] if results else None,
        fee_lines=_read("fee_lines", dossier_id),
    )


def events_of(dossier_id: int) -> list[DossierEvent]:
    """The dossier's events in order, with their actors."""
    found: list[DossierEvent] = _read("events", dossier_id)
    return found


def components_of(dossier_id: int) -> list[DossierComponent]:
    """The dossier's components in order, each with its files as ``prefetch_related("files")`` leaves
    them (two statements)."""
    components: list[DossierComponent] = _read("components", dossier_id)
    files: dict[int, list[DossierFile]] = {c.pk: [] for c in components}
    for file in _read("files", dossier_id):
        files[file.component_id].append(file)
    to_component = DossierFile._meta.get_field("component")
    for component in components:
        for file in files[component.pk]:
            to_component.set_cached_value(file, component)  # as the prefetch sets it
        _prefetched(component, "files", DossierFile, files[component.pk])
    return components


def _prefetched(instance: Model, name: str, model: type[Model], found: list[Any]) -> None:
    """Leave ``found`` as ``prefetch_related(name)`` leaves it: ``instance.<name>.all()`` is it."""
    queryset: QuerySet[Any] = QuerySet(model=model)
    queryset._result_cache = found
    queryset._prefetch_done = True  # type: ignore[attr-defined]
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset
