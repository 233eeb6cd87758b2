"""The one permission gate: may this user do this act, here, now?

Every page, endpoint and service asks ``allows()`` / ``require()``; nothing else decides who may do
what. Permissions are named ``<area>.<act>`` and mapped to the roles of SPEC §4.1. A role held at
an agency covers that agency and the agencies under it (a provincial committee covers its
departments); a role held at a one-stop unit covers that unit and its branches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models import QuerySet
from rules import permissions as rule_permissions
from rules import predicates as rule_predicates

from motcua.core import clock, revisions
from motcua.core.errors import PermissionRefused
from motcua.core.models import valid_on

from .models import Membership, Role, User
from .tokens import scope_of

R = Role

# Which roles may do what (SPEC §4.1). Later features add their acts here, never elsewhere.
PERMISSIONS: dict[str, frozenset[Role]] = {
    # Reception at the one-stop unit.
    "dossier.receive": frozenset({R.RECEPTION_OFFICER, R.POSTAL_AGENT, R.SUPPORT}),
    "dossier.submit": frozenset({R.POSTAL_AGENT, R.SUPPORT}),  # on the applicant's behalf (SPEC T1)
    "dossier.resubmit": frozenset({R.RECEPTION_OFFICER, R.POSTAL_AGENT, R.SUPPORT}),
    "dossier.request_withdrawal": frozenset({R.RECEPTION_OFFICER}),  # recorded at the counter (T23)
    "dossier.accept": frozenset({R.RECEPTION_OFFICER}),
    "dossier.request_completion": frozenset({R.RECEPTION_OFFICER}),
    "dossier.refuse_at_intake": frozenset({R.RECEPTION_OFFICER}),
    "dossier.digitize": frozenset({R.RECEPTION_OFFICER}),
    # T9 from the one-stop unit; T18 onward between agencies by the lead agency.
    "dossier.forward": frozenset({R.RECEPTION_OFFICER, R.DEPT_LEADER, R.HANDLER}),
    "dossier.return_result": frozenset({R.RECEPTION_OFFICER, R.POSTAL_AGENT}),
    "dossier.collect_fee": frozenset({R.RECEPTION_OFFICER, R.FINANCE}),
    "dossier.receive_supplement": frozenset({R.RECEPTION_OFFICER}),
    "dossier.apply_extension": frozenset({R.ONE_STOP_HEAD, R.RECEPTION_OFFICER}),
    "dossier.urge": frozenset({R.ONE_STOP_HEAD, R.DEPT_LEADER}),
    # Processing at the competent agency.
    "dossier.assign": frozenset({R.DEPT_LEADER}),
    "dossier.appraise": frozenset({R.HANDLER}),
    "dossier.consult": frozenset({R.HANDLER}),
    "dossier.answer_consultation": frozenset({R.COORDINATOR, R.HANDLER}),
    "dossier.request_supplement": frozenset({R.HANDLER}),
    "dossier.request_financial_obligation": frozenset({R.HANDLER}),
    "dossier.confirm_payment": frozenset({R.FINANCE, R.RECEPTION_OFFICER}),
    "dossier.propose_refusal": frozenset({R.HANDLER}),
    "dossier.refuse_after_appraisal": frozenset({R.APPROVER}),
    "dossier.approve": frozenset({R.APPROVER}),
    "dossier.sign_result": frozenset({R.APPROVER}),
    "dossier.issue_result": frozenset({R.CLERK}),
    "dossier.apologise_and_extend": frozenset({R.DEPT_LEADER}),  # signs Form 04 (SPEC §4.1)
    "dossier.stop_processing": frozenset({R.RECEPTION_OFFICER, R.ONE_STOP_HEAD, R.HANDLER}),  # T15, T23
    "dossier.report_incident": frozenset(
        {
            R.RECEPTION_OFFICER,
            R.ONE_STOP_HEAD,
            R.DEPT_LEADER,
            R.HANDLER,
            R.APPROVER,
            R.CLERK,
            R.COORDINATOR,
            R.FINANCE,
            R.POSTAL_AGENT,
        }
    ),  # T24: a lost or damaged dossier
    # Read a dossier, its history, forms and files. The procedure controller and the inspector read
    # and never act: no act above grants them anything (SPEC §4.1; decision 0061).
    "dossier.view": frozenset(
        {
            R.RECEPTION_OFFICER,
            R.ONE_STOP_HEAD,
            R.DEPT_LEADER,
            R.HANDLER,
            R.APPROVER,
            R.CLERK,
            R.COORDINATOR,
            R.FINANCE,
            R.PROCEDURE_CONTROLLER,
            R.INSPECTOR,
            R.POSTAL_AGENT,
        }
    ),
    # Reference data, configuration and oversight.
    "catalog.edit": frozenset({R.PROCEDURE_CONTROLLER}),
    "catalog.publish": frozenset({R.PROCEDURE_CONTROLLER}),
    "calendar.edit": frozenset({R.PROCEDURE_CONTROLLER, R.SYSTEM_ADMIN}),
    "units.edit": frozenset({R.SYSTEM_ADMIN, R.PROCEDURE_CONTROLLER}),
    # The head of a one-stop unit sets its counters: fields served, queue prefix, open or closed
    # (SPEC §4.1 "reassign counters"; ND61 Art 13(2)(b)).
    "units.counters": frozenset({R.ONE_STOP_HEAD, R.SYSTEM_ADMIN}),
    "accounts.manage": frozenset({R.SYSTEM_ADMIN}),
    "reports.view": frozenset({R.ONE_STOP_HEAD, R.DEPT_LEADER, R.PROCEDURE_CONTROLLER, R.INSPECTOR}),
    "payments.reconcile": frozenset({R.FINANCE}),
    "feedback.handle": frozenset({R.PROCEDURE_CONTROLLER, R.ONE_STOP_HEAD}),
    # The outbox operator page: see, retry or skip deliveries; manage webhook subscriptions.
    "integration.operate": frozenset({R.SYSTEM_ADMIN}),
    "backoffice.enter": frozenset(set(Role) - {R.CITIZEN, R.ORGANISATION, R.AUTHORISED_REP}),
}

# Roles whose reach is the whole installation (not one agency): the system administrator for
# configuration, the procedure controller for the catalogue, calendars, reports and (read-only)
# dossiers. The inspector is not one of them: its reach is its mandate, the agencies of its
# memberships (and those under them) while each membership is valid; an inspector membership at no
# agency reaches no dossier (SPEC §4.1 "across the agencies in its mandate, for a period";
# decision 0061).
PROVINCE_WIDE_ROLES = frozenset({R.SYSTEM_ADMIN, R.PROCEDURE_CONTROLLER})


# Within ``memoised()`` (one act of the dossier services), memberships and the agency and unit
# chains are read once and reused: the answers are the same, the queries are not repeated.
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("motcua_gate_memo", default=None)


@contextmanager
def memoised() -> Iterator[None]:
    """Read memberships and chains once inside this block (nested blocks share the outer memo)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def active_memberships(user: User, *, at: dt.date | None = None) -> QuerySet[Membership]:
    day = at or clock.today()
    return Membership.objects.filter(valid_on(day), user=user).select_related(
        "agency", "one_stop_unit", "one_stop_unit__agency"
    )


def reference() -> dict[Any, Any]:
    """This process's cache of reference data (memberships, agency and unit chains, office hours)
    under the current reference revision (``core.revisions``): the token is read once per
    ``memoised()`` block, or once per call outside one."""
    memo = _memo.get()
    found: dict[Any, Any] | None = memo.get("reference") if memo is not None else None
    if found is None:
        found = revisions.store(revisions.REFERENCE, revisions.token(revisions.REFERENCE))
        if memo is not None:
            memo["reference"] = found
    return found


_T = TypeVar("_T")


def kept(key: Hashable, compute: Callable[[], _T]) -> _T:
    """``compute()``, kept in this process's reference cache (``reference()``) under ``key``: read
    again once the reference revision changes. Shared by the requests of a process: never change it."""
    cache = reference()
    if key not in cache:
        cache[key] = compute()
    found: _T = cache[key]
    return found


def use_reference(token: str | None) -> None:
    """Inside ``memoised()``: the reference revision token, read by the caller in a statement of its
    own (the dossier lock), so ``reference()`` does not read it again."""
    memo = _memo.get()
    if memo is not None and "reference" not in memo:
        memo["reference"] = revisions.store(revisions.REFERENCE, str(token) if token is not None else None)


def memberships_on(user: User, *, at: dt.date | None = None) -> list[Membership]:
    """``active_memberships`` as a list, read once per reference revision (a membership, agency or
    one-stop unit written anywhere reads them again at the next call)."""
    key = ("memberships", user.pk, at or clock.today())
    return list(kept(key, lambda: tuple(active_memberships(user, at=at))))


def roles_of(user: User, *, at: dt.date | None = None) -> set[Role]:
    if not user.is_authenticated or not user.is_active:
        return set()
    return {Role(m.role) for m in memberships_on(user, at=at)}


def note_parent(kind: str, pk: int | None, parent_pk: int | None) -> None:
    """Inside ``memoised()``: the parent of agency (``kind="agency"``) or one-stop unit (``"unit"``)
    ``pk``, from a row the caller has just read, so walking the chain does not read it again."""
    memo = _memo.get()
    if memo is not None and pk is not None:
        memo[(f"{kind}_parent", pk)] = parent_pk


def _parent(kind: str, pk: int, read: Any) -> int | None:
    memo = _memo.get()
    key = (f"{kind}_parent", pk)
    if memo is not None and key in memo:
        parent: int | None = memo[key]
        return parent
    cache = reference()
    if key not in cache:
        cache[key] = read(pk)
    found: int | None = cache[key]
    if memo is not None:
        memo[key] = found
    return found


def agency_chain(agency_id: int | None) -> set[int]:
    """The agency and all its ancestors."""
    from motcua.units.models import Agency

    memo = _memo.get()
    key = ("agency_chain", agency_id)
    if memo is not None and key in memo:
        return set(memo[key])
    chain: set[int] = set()
    current = agency_id
    while current is not None and current not in chain:
        chain.add(current)
        current = _parent(
            "agency",
            current,
            lambda pk: Agency.objects.filter(pk=pk).values_list("parent_id", flat=True).first(),
        )
    if memo is not None:
        memo[key] = frozenset(chain)
    return chain


def unit_chain(unit_id: int | None) -> set[int]:
    """The one-stop unit and the centres above it."""
    from motcua.units.models import OneStopUnit

    memo = _memo.get()
    key = ("unit_chain", unit_id)
    if memo is not None and key in memo:
        return set(memo[key])
    chain: set[int] = set()
    current = unit_id
    while current is not None and current not in chain:
        chain.add(current)
        current = _parent(
            "unit",
            current,
            lambda pk: OneStopUnit.objects.filter(pk=pk).values_list("parent_centre_id", flat=True).first(),
        )
    if memo is not None:
        memo[key] = frozenset(chain)
    return chain


_agency_chain = agency_chain
_unit_chain = unit_chain


def allows(
    user: User | None,
    permission: str,
    *,
    agency_id: int | None = None,
    one_stop_unit_id: int | None = None,
    at: dt.date | None = None,
) -> bool:
    """True when ``user`` holds, on ``at``, a role that grants ``permission`` where it is asked.

    Without ``agency_id``/``one_stop_unit_id`` any active membership with a granting role suffices
    (e.g. to show a menu); with them, the membership must cover that place.
    """
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    scope = scope_of(user)
    if scope is not None and not _within_token_scope(scope, permission, agency_id, one_stop_unit_id):
        return False
    granting = PERMISSIONS[permission]
    memberships = [m for m in memberships_on(user, at=at) if m.role in granting]
    if not memberships:
        return False
    if agency_id is None and one_stop_unit_id is None:
        return True
    if any(m.role in PROVINCE_WIDE_ROLES for m in memberships):
        return True
    agencies = _agency_chain(agency_id) if agency_id is not None else set()
    units = _unit_chain(one_stop_unit_id) if one_stop_unit_id is not None else set()
    for m in memberships:
        if m.agency_id is not None and m.agency_id in agencies:
            return True
        if m.one_stop_unit_id is not None and m.one_stop_unit_id in units:
            return True
        # A one-stop unit acts for the agency that owns it.
        owner = m.one_stop_unit.agency_id if m.one_stop_unit is not None else None
        if agency_id is not None and owner in agencies:
            return True
    return False


def _within_token_scope(
    scope: Any, permission: str, agency_id: int | None, one_stop_unit_id: int | None
) -> bool:
    """A request authenticated by an API token: only the token's permissions, only at its agencies
    (and what is under them; a one-stop unit counts for the agency that owns it)."""
    from motcua.units.models import OneStopUnit

    if permission not in scope.permissions:
        return False
    if not scope.agency_ids or (agency_id is None and one_stop_unit_id is None):
        return True
    if agency_id is not None and _agency_chain(agency_id) & scope.agency_ids:
        return True
    if one_stop_unit_id is not None:
        owners = OneStopUnit.objects.filter(pk__in=_unit_chain(one_stop_unit_id)).values_list(
            "agency_id", flat=True
        )
        return any(_agency_chain(owner) & scope.agency_ids for owner in owners)
    return False


def require(
    user: User | None,
    permission: str,
    *,
    agency_id: int | None = None,
    one_stop_unit_id: int | None = None,
    at: dt.date | None = None,
) -> None:
    """Raise ``PermissionRefused`` (403, Vietnamese and English) unless ``allows()``."""
    if not allows(user, permission, agency_id=agency_id, one_stop_unit_id=one_stop_unit_id, at=at):
        raise PermissionRefused(
            "Bạn không có quyền thực hiện thao tác này tại cơ quan, đơn vị này.",
            "You are not allowed to do this at this agency or unit.",
            code="permission_denied",
            permission=permission,
        )


def agencies_of(user: User, *, at: dt.date | None = None) -> list[int]:
    """Agency ids the user works at (directly, or as owner of their one-stop unit)."""
    ids: list[int] = []
    for m in memberships_on(user, at=at):
        if m.agency_id is not None:
            ids.append(m.agency_id)
        elif m.one_stop_unit is not None:
            ids.append(m.one_stop_unit.agency_id)
    return sorted(set(ids))


def _predicate(permission: str) -> rule_predicates.Predicate:
    def check(user: User, obj: object = None) -> bool:
        from motcua.units.models import Agency, OneStopUnit

        if isinstance(obj, Agency):
            return allows(user, permission, agency_id=obj.pk)
        if isinstance(obj, OneStopUnit):
            return allows(user, permission, one_stop_unit_id=obj.pk)
        return allows(user, permission)

    return rule_predicates.Predicate(check, name=f"motcua.{permission}")


def register_rules(permissions: Iterable[str] = PERMISSIONS) -> None:
    """Expose every permission to Django's ``user.has_perm("motcua.<permission>", obj)`` and templates."""
    for permission in permissions:
        rule_permissions.set_perm(f"motcua.{permission}", _predicate(permission))  # type: ignore[no-untyped-call]
