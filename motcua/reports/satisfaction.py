"""Ratings and feedback, read without importing the feedback app.

``reports`` and ``feedback`` sit side by side in the layers (import-linter forbids either importing
the other), and the ratings and feedback models are being built in another branch. So the reports
read them through ONE callable named by the setting ``MOTCUA_RATINGS_SOURCE`` (a dotted path), with
this contract::

    def unhappy_dossier_ids(dossier_ids: Iterable[int]) -> set[int]:
        '''Of these dossiers, those with a "dislike" rating or a substantiated feedback (PAKN).'''

Until the setting names such a callable, ``unhappy_dossiers`` answers ``None`` ("no data"), and every
indicator that needs it (Decision 766 indicator 5.4, TT01/2018 indicator 7) is shown as "no data"
and left out of the totals, as SPEC §7.1 asks ("an indicator without data is excluded"). It lights up
as soon as the feedback app sets ``MOTCUA_RATINGS_SOURCE``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

UnhappySource = Callable[[Iterable[int]], set[int]]


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
    source = ratings_source()
    if source is None:
        return None
    return set(source(dossier_ids if isinstance(dossier_ids, QuerySet) else list(dossier_ids)))
