"""Ratings and feedback, read without importing the feedback app.

``reports`` and ``feedback`` sit side by side in the layers (import-linter forbids either importing
the other), and the ratings and feedback models are being built in another branch. So the reports
read them through ONE callable named by the setting ``MOTCUA_RATINGS_SOURCE`` (a dotted path), with
this contract::

    def unhappy_dossier_ids(
        dossier_ids: Iterable[int], *, finished_since: datetime | None = None
    ) -> set[int]:
        '''Of these dossiers, those with a "dislike" rating or a substantiated feedback (PAKN).
        With ``finished_since``, every dossier of ``dossier_ids`` that can count finished at or
        after that instant: the source may use it to read less (a rating needs a returned dossier,
        so only the ratings of dossiers returned since then can count). A source without this
        parameter is called without it.'''

Until the setting names such a callable, ``unhappy_dossiers`` answers ``None`` ("no data"), and every
indicator that needs it (Decision 766 indicator 5.4, TT01/2018 indicator 7) is shown as "no data"
and left out of the totals, as SPEC §7.1 asks ("an indicator without data is excluded"). It lights up
as soon as the feedback app sets ``MOTCUA_RATINGS_SOURCE``.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

UnhappySource = Callable[..., set[int]]


def ratings_source() -> UnhappySource | None:
    path = getattr(settings, "MOTCUA_RATINGS_SOURCE", None)
    if not path:
        return None
    try:
        source: UnhappySource = import_string(path)
    except ImportError:
        return None
    return source


def unhappy_dossiers(dossier_ids: Iterable[int]) -> set[int] | None:
    """Dossiers with a dislike or a substantiated feedback; ``None`` when there are no ratings yet.

    A QuerySet of ids is passed on as it is (the source can use it as a subquery rather than
    receive hundreds of thousands of ids)."""
    return _unhappy(dossier_ids)


def _unhappy(dossier_ids: Iterable[int], **hints: Any) -> set[int] | None:
    source = ratings_source()
    if source is None:
        return None
    ids = dossier_ids if isinstance(dossier_ids, QuerySet) else list(dossier_ids)
    if hints and not _takes_hints(source):  # a source written before the hint: same answer, slower
        hints = {}
    return set(source(ids, **hints))


def _takes_hints(source: UnhappySource) -> bool:
    try:
        parameters = inspect.signature(source).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "finished_since" or p.kind is p.VAR_KEYWORD for p in parameters)


def unhappy_among(facts: QuerySet[Any], *, finished_since: dt.datetime) -> int | None:
    """How many of ``facts`` (report facts, ``ReportedDossier``) are of unhappy dossiers; ``None``
    when there are no ratings yet. Every dossier of ``facts`` that can be unhappy must have finished
    at or after ``finished_since`` (the facts in play of a period: its start).

    One query: the source's unhappy dossiers finished since then (a range on its own index, a few
    thousand rows), each looked up among ``facts`` by primary key. Without ``finished_since``
    PostgreSQL read every fact (5,000,000 at the benchmark's size: 0.6–1.8 s) to meet the ratings in
    a hash join."""
    unhappy = _unhappy(facts.values_list("dossier_id", flat=True), finished_since=finished_since)
    return None if unhappy is None else len(unhappy)
