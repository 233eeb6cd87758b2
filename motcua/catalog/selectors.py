"""Reads of the catalog: the version in force at an instant, browsing, and search.

Search runs by words on the pre-folded ``Procedure.search_folded`` column with each database's own
engine (PostgreSQL: the generated ``search_tsv`` column with a GIN index, pg_trgm as a fallback;
SQLite: FTS5), in stages from exact words to typo variants, at most ``CANDIDATES`` rows; one Python
ranking then orders them, so both databases give the same order for the same candidates
(docs/decisions/0005-catalog-search.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Q, QuerySet

from motcua.core import clock
from motcua.core.text import fold

from .models import (
    ChannelOffer,
    ComponentTemplate,
    LegalBasis,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    ResultDocument,
    VersionAgency,
    VersionStatus,
)

CANDIDATES = 100
TRIGRAM_BELOW = 3  # PostgreSQL: fewer full-text candidates than this adds pg_trgm matches
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


def version_in_force_beside(
    version_id: int, *, at: dt.datetime | dt.date | None = None
) -> ProcedureVersion | None:
    """The version in force on the local day of ``at`` of the procedure that ``version_id`` belongs to
    (one query; intake checks that it is ``version_id`` itself)."""
    day = local_day(at)
    return (
        ProcedureVersion.objects.filter(
            procedure__versions__pk=version_id, status__in=IN_FORCE_STATUSES, effective_from__lte=day
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
        .order_by()  # Meta.ordering would add the code to SELECT DISTINCT
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


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def rank(query: str, rows: list[tuple[int, str, str]]) -> list[int]:
    """Order candidate ``(id, code, folded text)`` rows for ``query``: share of query tokens found
    (typos allowed), the query as a contiguous phrase, share of the name covered, shorter first."""
    q = tokens(query)
    if not q:
        return [row[0] for row in rows]
    scored: list[tuple[tuple[float, int, float, int, str], int]] = []
    for procedure_id, code, text in rows:
        words = _words(text)
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
    """The indexed words with a delete-one index, to expand typos ("ki" → "ky"): SQLite reads the
    FTS5 vocabulary, PostgreSQL ``ts_stat`` over the stored ``search_tsv`` column. Reloaded when the
    table's row count or top id changes, or after ``ttl`` seconds (an edited name)."""

    ttl = 60.0

    def __init__(self) -> None:
        self.lock = Lock()
        self.key: tuple[object, ...] | None = None
        self.loaded_at = 0.0
        self.terms: set[str] = set()
        self.deletes: dict[str, set[str]] = defaultdict(set)
        self.checked_at = 0.0

    def _current_key(self) -> tuple[object, ...]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), max(id) FROM catalog_procedure")
            count, top = cursor.fetchone()
        return (connection.vendor, connection.settings_dict["NAME"], count, top)

    def load(self) -> None:
        key = self._current_key()
        if key == self.key and time.monotonic() - self.loaded_at < self.ttl:
            return
        sql = (
            "SELECT word FROM ts_stat('SELECT search_tsv FROM catalog_procedure')"
            if connection.vendor == "postgresql"
            else "SELECT term FROM catalog_procedure_fts_vocab"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            terms = {row[0] for row in cursor.fetchall()}
        deletes: dict[str, set[str]] = defaultdict(set)
        for term in terms:
            for variant in self._deletes(term):
                deletes[variant].add(term)
        with self.lock:
            self.terms, self.deletes, self.key, self.loaded_at = terms, deletes, key, time.monotonic()
            _variants.cache_clear()

    @staticmethod
    def _deletes(term: str) -> set[str]:
        return {term[:i] + term[i + 1 :] for i in range(len(term))} if len(term) >= 2 else set()

    def variants(self, token: str) -> tuple[str, ...]:
        return _variants(token, id(self.terms))


_vocabulary = _Vocabulary()


@functools.lru_cache(maxsize=4096)
def _variants(token: str, _generation: int) -> tuple[str, ...]:
    """The indexed words that ``token`` may stand for: itself, and one typo away (sorted)."""
    vocabulary = _vocabulary
    found = {token} if token in vocabulary.terms else set()
    if len(token) >= 2:
        candidates = set(vocabulary.deletes.get(token, set()))  # a letter too few in the query
        for variant in vocabulary._deletes(token):
            candidates |= vocabulary.deletes.get(variant, set())  # substitution
            if variant in vocabulary.terms:
                candidates.add(variant)  # a letter too many in the query
        found |= {c for c in candidates if _token_score(token, c) > 0}
    return tuple(sorted(found))


def _within_sql(within: QuerySet[Procedure] | None) -> tuple[str, list[Any]]:
    """``AND p.id IN (…)`` for a filtered queryset, applied before the candidate limit."""
    if within is None:
        return "", []
    sql, params = within.values("id").query.sql_with_params()
    return f" AND p.id IN ({sql})", list(params)


def _or_of_most(groups: list[str], conj: str, disj: str) -> str:
    """Rows with all but one of the word groups (or any group, for two words or fewer)."""
    if len(groups) <= 2:
        return disj.join(groups)
    return disj.join("(" + conj.join(groups[:i] + groups[i + 1 :]) + ")" for i in range(len(groups)))


def _stages(
    words: list[str], quote: Callable[[str], str], prefix: Callable[[str], str], conj: str, disj: str
) -> list[str]:
    """The match expressions tried in turn, each finding what the one before found and more: every
    word exactly; the known words exactly and the unknown ones by their typo variants; every word by
    its variants and (3+ letters) as a prefix; all words but one. Rows found by an earlier stage are
    the ones the ranking puts first, so the search stops at the first stage that finds anything."""
    groups: list[str] = []
    mixed: list[str] = []
    for token in words:
        parts = [quote(v) for v in _vocabulary.variants(token)]
        if len(token) >= 3:
            parts.append(prefix(token))
        group = "(" + disj.join(parts) + ")" if parts else ""
        if group:
            groups.append(group)
        mixed.append(quote(token) if token in _vocabulary.terms else group)
    stages: list[str] = []
    if all(token in _vocabulary.terms for token in words):
        stages.append(conj.join(quote(w) for w in words))
    elif all(mixed):
        stages.append(conj.join(mixed))
    if groups:
        stages.append(conj.join(groups))
    if len(groups) > 1:
        stages.append(_or_of_most(groups, conj, disj))
    return stages


def _run_stages(
    sql: str, stages: list[str], params: Callable[[str], list[Any]]
) -> list[tuple[int, str, str]]:
    rows: list[tuple[int, str, str]] = []
    with connection.cursor() as cursor:
        for stage in stages:
            cursor.execute(sql, params(stage))
            rows = cursor.fetchall()
            if rows:
                break
    return rows


def _candidates_sqlite(query: str, within: QuerySet[Procedure] | None) -> list[tuple[int, str, str]]:
    """FTS5 candidates, the contiguous phrase first, then by bm25."""
    _vocabulary.load()
    words = tokens(query)
    stages = _stages(words, lambda w: f'"{w}"', lambda w: f'"{w}"*', " AND ", " OR ")
    if not stages:
        return []
    extra, extra_params = _within_sql(within)
    # S608: fixed fragments and Django's compiled filter; every value is a parameter.
    sql = (
        "SELECT p.id, p.code, p.search_folded FROM catalog_procedure_fts f "  # noqa: S608
        "JOIN catalog_procedure p ON p.id = f.rowid "
        "WHERE catalog_procedure_fts MATCH %s AND p.current_version_id IS NOT NULL" + extra + " "
        "ORDER BY instr(' ' || p.search_folded || ' ', %s) > 0 DESC, bm25(catalog_procedure_fts) LIMIT %s"
    )
    phrase = " " + " ".join(words) + " "
    return _run_stages(sql, stages, lambda stage: [stage, *extra_params, phrase, CANDIDATES])


def _candidates_postgresql(query: str, within: QuerySet[Procedure] | None) -> list[tuple[int, str, str]]:
    """Full-text candidates from the GIN index on ``search_tsv``, ordered like the Python ranking (more
    exact words, the phrase, fewer words) so the limit keeps the best; pg_trgm word similarity on the
    folded text only when the words find fewer than ``TRIGRAM_BELOW`` rows (a typo the vocabulary
    cannot expand, a missing space)."""
    _vocabulary.load()
    words = tokens(query)
    stages = _stages(words, lambda w: w, lambda w: f"{w}:*", " & ", " | ")
    extra, extra_params = _within_sql(within)
    rows: list[tuple[int, str, str]] = []
    if stages:
        exact = " + ".join(["(p.search_tsv @@ to_tsquery('simple', %s))::int"] * len(words))
        sql = (
            "SELECT p.id, p.code, p.search_folded FROM catalog_procedure p "  # noqa: S608
            "WHERE p.search_tsv @@ to_tsquery('simple', %s) AND p.current_version_id IS NOT NULL"
            + extra
            + f" ORDER BY {exact} DESC, p.search_tsv @@ to_tsquery('simple', %s) DESC, "
            "length(p.search_tsv), p.code LIMIT %s"
        )
        phrase = " <-> ".join(words)
        rows = _run_stages(sql, stages, lambda stage: [stage, *extra_params, *words, phrase, CANDIDATES])
    if len(rows) < TRIGRAM_BELOW:
        seen = {row[0] for row in rows}
        folded = " ".join(words)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.id, p.code, p.search_folded FROM catalog_procedure p "  # noqa: S608
                "WHERE %s <%% p.search_folded AND p.current_version_id IS NOT NULL"
                + extra
                + " ORDER BY word_similarity(%s, p.search_folded) DESC, p.code LIMIT %s",
                [folded, *extra_params, folded, CANDIDATES],
            )
            rows += [row for row in cursor.fetchall() if row[0] not in seen]
    return rows


def search_procedure_ids(query: str, *, within: QuerySet[Procedure] | None = None) -> list[int]:
    """Procedure ids matching ``query`` (with or without accents, small typos), best first."""
    if not tokens(query):
        return []
    if connection.vendor == "postgresql":
        rows = _candidates_postgresql(query, within)
    else:
        rows = _candidates_sqlite(query, within)
    code_like = query.strip()
    ranked = rank(query, rows)
    exact_qs = Procedure.objects.filter(code=code_like, current_version__isnull=False)
    if within is not None:
        exact_qs = exact_qs.filter(pk__in=within.values("id"))
    exact = list(exact_qs.values_list("id", flat=True))
    return exact + [pk for pk in ranked if pk not in exact]


# --------------------------------------------------------------------------------------------------
# The frozen parts of a published version, read once per process
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionParts:
    """What intake reads of a version: its cases, each case's component templates, and its channel
    offers with their fees (``offer.fees.all()`` answers from memory). Shared between requests:
    read these instances, never change them."""

    cases: tuple[ProcedureCase, ...]
    templates: dict[int, tuple[ComponentTemplate, ...]]
    offers: tuple[ChannelOffer, ...]


# version pk → (what identifies that row, its parts). A published version and its parts are frozen
# (models.VersionPart refuses save and delete), so an entry never goes stale while the row it was
# read for exists: a new text is a new version, with a new pk. The key also carries the version's
# number, status-independent dates and database alias, and any save of a version empties the
# process's cache (a test database rolled back re-uses primary keys; SQLite re-uses them too).
_parts: dict[int, tuple[tuple[Any, ...], VersionParts]] = {}
_parts_lock = Lock()
PARTS_CACHED = 256


def _parts_key(version: ProcedureVersion) -> tuple[Any, ...]:
    return (
        connection.alias,
        version.procedure_id,
        version.number,
        version.effective_from,
        version.published_at,
    )


def _read_parts(version: ProcedureVersion) -> VersionParts:
    cases = tuple(ProcedureCase.objects.filter(version=version).order_by("position", "pk"))
    templates: dict[int, list[ComponentTemplate]] = {case.pk: [] for case in cases}
    for template in ComponentTemplate.objects.filter(case__version=version).order_by(
        "case", "position", "pk"
    ):
        templates[template.case_id].append(template)
    offers = tuple(
        ChannelOffer.objects.filter(version=version).order_by("position", "pk").prefetch_related("fees")
    )
    return VersionParts(
        cases=cases, templates={pk: tuple(rows) for pk, rows in templates.items()}, offers=offers
    )


def version_parts(version: ProcedureVersion) -> VersionParts:
    """The cases, component templates and channel offers (with fees) of ``version``.

    Read from the database each time for a draft; for a version that left DRAFT (frozen), read once
    per process and kept (``PARTS_CACHED`` versions at most).
    """
    return _frozen(_parts, version, _read_parts)


_T = TypeVar("_T")


def _frozen(
    cache: dict[int, tuple[tuple[Any, ...], _T]],
    version: ProcedureVersion,
    read: Callable[[ProcedureVersion], _T],
) -> _T:
    """``read(version)``: each time for a draft; for a frozen version, once per process in ``cache``
    (``PARTS_CACHED`` versions at most, keyed as ``_parts_key``)."""
    if not version.is_frozen:
        return read(version)
    key = _parts_key(version)
    cached = cache.get(version.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    value = read(version)
    with _parts_lock:
        if len(cache) >= PARTS_CACHED:
            cache.clear()
        cache[version.pk] = (key, value)
    return value


@dataclass(frozen=True, slots=True)
class PageParts:
    """What the public page of a version shows besides its intake parts: legal bases, results and
    the agencies it names (role and name as published). Shared between requests: read, never change."""

    legal_bases: tuple[LegalBasis, ...]
    results: tuple[ResultDocument, ...]
    agencies: tuple[VersionAgency, ...]


# version pk → (the same key as ``_parts``, its page parts); emptied with ``_parts`` (decision 0036).
_page_parts: dict[int, tuple[tuple[Any, ...], PageParts]] = {}


def _read_page_parts(version: ProcedureVersion) -> PageParts:
    return PageParts(
        legal_bases=tuple(LegalBasis.objects.filter(version=version).order_by("position", "pk")),
        results=tuple(ResultDocument.objects.filter(version=version).order_by("position", "pk")),
        agencies=tuple(VersionAgency.objects.filter(version=version).order_by("role", "position", "pk")),
    )


def page_parts(version: ProcedureVersion) -> PageParts:
    """The legal bases, results and named agencies of ``version``: read each time for a draft, once
    per process for a frozen version (as ``version_parts``)."""
    return _frozen(_page_parts, version, _read_page_parts)


def forget_version_parts(**_: Any) -> None:
    """Empty the caches of frozen parts (``post_save``/``post_delete`` of a version, tests)."""
    with _parts_lock:
        _parts.clear()
        _page_parts.clear()
