"""Reads of the catalog: the version in force at an instant, browsing, and search.

Search runs on the pre-folded ``Procedure.search_folded`` column with each database's own engine
(PostgreSQL: pg_trgm word similarity over a GIN index; SQLite: FTS5 with typo-expanded tokens), which
returns at most ``CANDIDATES`` rows; one Python ranking then orders them, so both databases give the
same order for the same candidates (docs/decisions/0005-catalog-search.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import time
from collections import defaultdict
from dataclasses import dataclass
from threading import Lock

from django.db import connection
from django.db.models import Q, QuerySet

from motcua.core import clock
from motcua.core.text import fold

from .models import Procedure, ProcedureVersion, VersionStatus

CANDIDATES = 100
IN_FORCE_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED, VersionStatus.ABOLISHED)


def local_day(at: dt.datetime | dt.date | None) -> dt.date:
    if at is None:
        return clock.today()
    if isinstance(at, dt.datetime):
        return clock.to_local(at).date() if at.tzinfo else at.date()
    return at


def version_in_force(code: str, *, at: dt.datetime | dt.date | None = None) -> ProcedureVersion | None:
    """The version of ``code`` that applied on the local day of ``at`` (SPEC §11 scenario 29: a dossier
    keeps the version in force when it was accepted)."""
    day = local_day(at)
    return (
        ProcedureVersion.objects.filter(
            procedure__code=code, status__in=IN_FORCE_STATUSES, effective_from__lte=day
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("procedure", "field")
        .order_by("-effective_from", "-number")
        .first()
    )


def public_version(code: str, *, at: dt.datetime | None = None) -> ProcedureVersion | None:
    """What the public sees: the version in force now, else the newest published (announced ahead)."""
    version = version_in_force(code, at=at)
    if version is not None and version.status != VersionStatus.ABOLISHED:
        return version
    return (
        ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED)
        .select_related("procedure", "field")
        .order_by("-effective_from")
        .first()
    )


def published_procedures(
    *, level: str = "", field: str = "", agency: str = "", online_level: str = ""
) -> QuerySet[Procedure]:
    qs = Procedure.objects.filter(current_version__isnull=False).select_related("field")
    if level:
        qs = qs.filter(levels__contains=f",{level},")
    if field:
        qs = (
            qs.filter(Q(field__code=field) | Q(field_id=int(field)))
            if field.isdigit()
            else qs.filter(Q(field__code=field) | Q(field__name_folded=fold(field)))
        )
    if agency:
        qs = qs.filter(agencies_folded__contains=fold(agency))
    if online_level:
        qs = qs.filter(online_level=online_level)
    return qs


def fields_in_use() -> list[tuple[int, str]]:
    """(field id, field name) of the fields that published procedures belong to, in folded order."""
    rows = (
        Procedure.objects.filter(current_version__isnull=False, field__isnull=False)
        .values_list("field_id", "field__name", "field__name_folded")
        .distinct()
    )
    return [(field_id, name) for field_id, name, _ in sorted(rows, key=lambda row: row[2])]


def agency_names_in_use() -> list[str]:
    from .models import VersionAgency

    names = (
        VersionAgency.objects.filter(
            version__status=VersionStatus.PUBLISHED, role__in=["implementing", "competent"]
        )
        .values_list("name", flat=True)
        .distinct()
    )
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(fold(name), name)
    return [by_folded[key] for key in sorted(by_folded)]


# --- Search ---


def tokens(text: str) -> list[str]:
    return [t for t in "".join(ch if ch.isalnum() else " " for ch in fold(text)).split() if t]


def _edit1(a: str, b: str) -> bool:
    """True when a and b differ by one substitution, insertion or deletion."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@functools.lru_cache(maxsize=65536)
def _token_score(query_token: str, name_token: str) -> float:
    if query_token == name_token:
        return 1.0
    if len(query_token) >= 3 and name_token.startswith(query_token):
        return 0.9
    if len(query_token) >= 2 and len(name_token) >= 2 and _edit1(query_token, name_token):
        # Two-letter syllables only by substitution ("ki"/"ky"), not by losing a letter.
        if len(query_token) == 2 and len(name_token) != 2:
            return 0.0
        return 0.8
    return 0.0


@dataclass(frozen=True)
class Ranked:
    procedure_id: int
    score: tuple[float, int, float, int]


def rank(query: str, rows: list[tuple[int, str, str]]) -> list[int]:
    """Order candidate ``(id, code, folded text)`` rows for ``query``: share of query tokens found
    (typos allowed), the query as a contiguous phrase, share of the name covered, shorter first."""
    q = tokens(query)
    if not q:
        return [row[0] for row in rows]
    scored: list[tuple[tuple[float, int, float, int, str], int]] = []
    for procedure_id, code, text in rows:
        words = text.split()
        total = 0.0
        positions: list[int] = []
        for qt in q:
            best, where = 0.0, -1
            for index, word in enumerate(words):
                s = _token_score(qt, word)
                if s > best:
                    best, where = s, index
                    if s == 1.0:
                        break
            total += best
            positions.append(where)
        phrase = int(
            all(p >= 0 for p in positions) and all(b == a + 1 for a, b in itertools.pairwise(positions))
        )
        matched = sum(1 for p in positions if p >= 0)
        coverage = matched / max(len(words), 1)
        key = (round(total / len(q), 3), phrase, round(coverage, 4), -len(words), code)
        scored.append((key, procedure_id))
    scored.sort(key=lambda item: (-item[0][0], -item[0][1], -item[0][2], -item[0][3], item[0][4]))
    return [procedure_id for key, procedure_id in scored if key[0] > 0]


class _Vocabulary:
    """SQLite only: the FTS5 vocabulary with a delete-one index, to expand typos ("ki" → "ky")."""

    ttl = 60.0

    def __init__(self) -> None:
        self.lock = Lock()
        self.key: tuple[object, ...] | None = None
        self.loaded_at = 0.0
        self.terms: set[str] = set()
        self.deletes: dict[str, set[str]] = defaultdict(set)

    def _current_key(self) -> tuple[object, ...]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(id) FROM catalog_procedure")
            count, top = cursor.fetchone()
        return (connection.settings_dict["NAME"], count, top)

    def load(self) -> None:
        key = self._current_key()
        if key == self.key and time.monotonic() - self.loaded_at < self.ttl:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT term FROM catalog_procedure_fts_vocab")
            terms = {row[0] for row in cursor.fetchall()}
        deletes: dict[str, set[str]] = defaultdict(set)
        for term in terms:
            for variant in self._deletes(term):
                deletes[variant].add(term)
        with self.lock:
            self.terms, self.deletes, self.key, self.loaded_at = terms, deletes, key, time.monotonic()

    @staticmethod
    def _deletes(term: str) -> set[str]:
        return {term[:i] + term[i + 1 :] for i in range(len(term))} if len(term) >= 2 else set()

    def variants(self, token: str) -> set[str]:
        found = {token} if token in self.terms else set()
        if len(token) < 2:
            return found
        candidates = set(self.deletes.get(token, set()))  # a letter too few in the query
        for variant in self._deletes(token):
            candidates |= self.deletes.get(variant, set())  # substitution
            if variant in self.terms:
                candidates.add(variant)  # a letter too many in the query
        return found | {c for c in candidates if _token_score(token, c) > 0}


_vocabulary = _Vocabulary()


def _fts_group(token: str) -> str:
    variants = sorted(_vocabulary.variants(token))
    parts = [f'"{v}"' for v in variants]
    if len(token) >= 3:
        parts.append(f'"{token}"*')
    return "(" + " OR ".join(parts) + ")" if parts else ""


def _candidates_sqlite(query: str, base_ids: set[int] | None) -> list[tuple[int, str, str]]:
    _vocabulary.load()
    groups = [g for g in (_fts_group(t) for t in tokens(query)) if g]
    if not groups:
        return []
    sql = (
        "SELECT p.id, p.code, p.search_folded FROM catalog_procedure_fts f "
        "JOIN catalog_procedure p ON p.id = f.rowid "
        "WHERE catalog_procedure_fts MATCH %s AND p.current_version_id IS NOT NULL "
        "ORDER BY bm25(catalog_procedure_fts) LIMIT %s"
    )
    with connection.cursor() as cursor:
        for joiner in (" AND ", " OR "):
            cursor.execute(sql, [joiner.join(groups), CANDIDATES])
            rows = cursor.fetchall()
            if rows or len(groups) == 1:
                break
    return [row for row in rows if base_ids is None or row[0] in base_ids]


def _candidates_postgresql(query: str, base_ids: set[int] | None) -> list[tuple[int, str, str]]:
    folded = " ".join(tokens(query))
    sql = (
        "SELECT id, code, search_folded FROM catalog_procedure "
        "WHERE %s <%% search_folded AND current_version_id IS NOT NULL "
        "ORDER BY word_similarity(%s, search_folded) DESC, similarity(%s, search_folded) DESC, code "
        "LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [folded, folded, folded, CANDIDATES])
        rows = cursor.fetchall()
    return [row for row in rows if base_ids is None or row[0] in base_ids]


def search_procedure_ids(query: str, *, within: QuerySet[Procedure] | None = None) -> list[int]:
    """Procedure ids matching ``query`` (with or without accents, small typos), best first."""
    if not tokens(query):
        return []
    base_ids = set(within.values_list("id", flat=True)) if within is not None else None
    if connection.vendor == "postgresql":
        rows = _candidates_postgresql(query, base_ids)
    else:
        rows = _candidates_sqlite(query, base_ids)
    code_like = query.strip()
    ranked = rank(query, rows)
    exact = list(
        Procedure.objects.filter(code=code_like, current_version__isnull=False).values_list("id", flat=True)
    )
    return exact + [pk for pk in ranked if pk not in exact]
