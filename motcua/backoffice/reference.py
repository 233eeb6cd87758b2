"""Reference rows the counter page offers (issue #9): read once per revision per process.

The intake form lists every agency (competent agency), every one-stop unit (where the result is
returned) and the units where the officer may receive. Agencies, one-stop units and memberships
are reference data (``core.revisions``): their rows are kept in the gate's per-process cache under
the reference revision token, which the page reads anyway for the gate (one token read per request,
inside ``gate.memoised()``), so a unit or agency written anywhere is seen at the next request. The
procedure version the page is about is kept the same way under the catalogue's token, read in the
same statement as the reference token (``read_revisions``). The rows are shared by the requests of
a process: read them, never change them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.accounts import gate
from motcua.accounts.models import User
from motcua.catalog import selectors as catalog
from motcua.catalog.models import AgencyRole, ProcedureVersion
from motcua.catalog.selectors import page_parts
from motcua.core import clock, revisions
from motcua.dossiers import queues
from motcua.units.models import Agency, OneStopUnit


def agencies_by_name() -> tuple[Agency, ...]:
    """Every agency, ordered by name (the competent agency's choices)."""
    return gate.kept(("backoffice.agencies_by_name",), lambda: tuple(Agency.objects.order_by("name")))


def units_by_name() -> tuple[OneStopUnit, ...]:
    """Every one-stop unit, ordered by name (where the result is returned)."""
    return gate.kept(("backoffice.units_by_name",), lambda: tuple(OneStopUnit.objects.order_by("name")))


def intake_units(user: User) -> tuple[OneStopUnit, ...]:
    """The one-stop units where ``user`` may receive dossiers today (``queues.intake_units_for``)."""
    day = clock.today()
    return gate.kept(
        ("backoffice.intake_units", user.pk, day), lambda: tuple(queues.intake_units_for(user, day=day))
    )


def agency(pk: int) -> Agency | None:
    """The agency ``pk`` (any agency, as ``agencies_by_name``), None if there is none."""
    by_pk = gate.kept(("backoffice.agencies_by_pk",), lambda: {row.pk: row for row in agencies_by_name()})
    return by_pk.get(pk)


def competent_agency(version: ProcedureVersion) -> Agency | None:
    """``queues.competent_agency_of`` without its query for a version that left draft: the agencies
    it names are kept per process by the catalogue (``page_parts``, ordered by role and position as
    that query is), the agency row under the reference revision."""
    if not version.is_frozen:
        return queues.competent_agency_of(version)
    wanted = (AgencyRole.COMPETENT, AgencyRole.IMPLEMENTING)
    named = next(
        (a for a in page_parts(version).agencies if a.agency_id is not None and a.role in wanted), None
    )
    return agency(named.agency_id) if named is not None and named.agency_id is not None else None


def read_revisions() -> dict[Any, Any]:
    """Inside ``gate.memoised()``, before the gate's first question: the reference and catalogue
    revision tokens in one statement. The reference token goes to the gate (``use_reference``); the
    catalogue's cache under its token is returned, for ``version_in_force`` and ``version``."""
    tokens = revisions.tokens()
    gate.use_reference(tokens.get(revisions.REFERENCE))
    return revisions.store(revisions.CATALOG, tokens.get(revisions.CATALOG))


def version_in_force(cache: dict[Any, Any], code: str, at: dt.datetime) -> ProcedureVersion | None:
    """``catalog.selectors.version_in_force(code, at=at)``, kept in the catalogue's ``cache`` per code
    and local day (only when found: the code is typed by the officer)."""
    day = catalog.local_day(at)
    key = ("backoffice.version_in_force", code, day)
    found: ProcedureVersion | None = cache.get(key)
    if found is None:
        found = catalog.version_in_force(code, at=day)
        if found is not None:
            cache[key] = found
    return found


def version(cache: dict[Any, Any], pk: int) -> ProcedureVersion | None:
    """The procedure version ``pk`` with its procedure, kept in the catalogue's ``cache`` (only when
    found: the id comes from the posted form)."""
    key = ("backoffice.version", pk)
    found: ProcedureVersion | None = cache.get(key)
    if found is None:
        found = ProcedureVersion.objects.select_related("procedure").filter(pk=pk).first()
        if found is not None:
            cache[key] = found
    return found


KEPT_INTAKE_FORMS = 128


def kept_intake_forms(catalog: dict[Any, Any]) -> dict[Any, Any]:
    """Where the counter's blank intake forms are kept, drawn (decision 0053): a dict in the gate's
    cache (under the reference revision: agencies, units and the officer's units are in the form),
    a new, empty one whenever the catalogue's cache ``catalog`` (``read_revisions``) is a new one
    (another catalogue token). The caller keeps at most ``KEPT_INTAKE_FORMS`` forms in it: each set
    of an officer's units, procedure case and language makes a key; past that a form is drawn every
    time."""
    holder: dict[str, tuple[dict[Any, Any], dict[Any, Any]]] = gate.kept(("backoffice.intake_forms",), dict)
    held = holder.get("forms")
    if held is None or held[0] is not catalog:
        held = (catalog, {})
        holder["forms"] = held  # one assignment: a request in another thread sees one or the other
    return held[1]
