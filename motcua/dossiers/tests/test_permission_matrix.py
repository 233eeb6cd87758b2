"""Every act of the state table × every role × (own place / another place), through the services.

The expected column is written by hand from SPEC §4.1 (who may) and §5.2 (the table): an actor may
act only where both allow it, at the dossier's own unit or agency. "Own place": the receiving
one-stop unit for one-stop roles, the competent agency (the consulted agency for answers) for
agency roles, the dossier's own submitter for applicant roles. A refused act raises 403 and leaves
the dossier row, its events and its clock events exactly as they were. Each attempt runs inside a
savepoint that is rolled back, so one dossier per act serves every actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from motcua.accounts.models import ONE_STOP_ROLES, UNSCOPED_ROLES, Role, User
from motcua.accounts.services import grant_membership
from motcua.core.errors import PermissionRefused
from motcua.dossiers import services
from motcua.dossiers.models import ClockEvent, Dossier, DossierEvent
from motcua.units.models import OneStopKind, OneStopUnit

from .factories import vn

pytestmark = pytest.mark.django_db

R = Role
APPLICANTS = frozenset({R.CITIZEN, R.ORGANISATION, R.AUTHORISED_REP})
SYSTEM = "system"  # actor=None
START = vn(2026, 3, 2, 8)
AT = vn(2026, 3, 3, 9)

Call = Callable[[Any, int, User | None], object]


@dataclass(frozen=True)
class Case:
    trait: str  # how far the dossier is walked before the attempts
    call: Call
    allowed: frozenset[str]  # roles allowed at their own place (applicants: on their own dossier)
    system: bool = False  # the service also runs for actor=None
    anywhere: frozenset[str] = frozenset()  # roles allowed at any place (submitting one's own dossier)
    consulted: bool = False  # the own agency is the consulted one


def _ids(world):
    return list(world.version.cases.get().components.values_list("pk", flat=True))


S = services
CASES: dict[str, Case] = {
    "T1 submit": Case(
        "none",
        lambda w, d, a: S.submit_dossier(intake=w.intake(channel="online"), actor=a, at=AT),
        frozenset({R.POSTAL_AGENT, R.SUPPORT}),  # SPEC §4.1: support staff submit on the applicant's behalf
        anywhere=APPLICANTS,
    ),
    "T7 accept": Case(
        "submitted",
        lambda w, d, a: S.accept_dossier(dossier_id=d, actor=a, at=AT),
        frozenset({R.RECEPTION_OFFICER}),
    ),
    "T5 request_completion": Case(
        "submitted",
        lambda w, d, a: S.request_completion(
            dossier_id=d, actor=a, reason="Thiếu", guidance="Nộp thêm", at=AT
        ),
        frozenset({R.RECEPTION_OFFICER}),
    ),
    "T8 refuse_at_intake": Case(
        "submitted",
        lambda w, d, a: S.refuse_at_intake(dossier_id=d, actor=a, reason="Sai thẩm quyền", at=AT),
        frozenset({R.RECEPTION_OFFICER}),
    ),
    "T6 resubmit": Case(
        "intake_supplement",
        lambda w, d, a: S.resubmit_dossier(dossier_id=d, actor=a, at=AT),
        APPLICANTS | {R.POSTAL_AGENT, R.RECEPTION_OFFICER},
    ),
    "T9 forward": Case(
        "received",
        lambda w, d, a: S.forward_dossier(dossier_id=d, actor=a, at=AT),
        frozenset({R.RECEPTION_OFFICER}),
        system=True,
    ),
    "T18 forward": Case(
        "in_processing",
        lambda w, d, a: S.forward_dossier(
            dossier_id=d, actor=a, tasks=[S.TaskInput(agency_id=w.other_agency.pk, budget_amount=2)], at=AT
        ),
        frozenset({R.RECEPTION_OFFICER, R.DEPT_LEADER, R.HANDLER}),
        system=True,
    ),
    "T10 assign": Case(
        "in_processing",
        lambda w, d, a: S.assign_handler(dossier_id=d, actor=a, handler_id=w.handler.pk, at=AT),
        frozenset({R.DEPT_LEADER}),
    ),
    "T11 appraise": Case(
        "assigned",
        lambda w, d, a: S.appraise(dossier_id=d, actor=a, opinion="Đủ", at=AT),
        frozenset({R.HANDLER}),
    ),
    "T12a consult": Case(
        "appraising",
        lambda w, d, a: S.consult(
            dossier_id=d,
            actor=a,
            agency_id=w.other_agency.pk,
            content="Xin ý kiến",
            deadline=vn(2026, 3, 6),
            at=AT,
        ),
        frozenset({R.HANDLER}),
    ),
    "T12b answer_consultation": Case(
        "consulting",
        lambda w, d, a: S.answer_consultation(
            consultation_id=Dossier.objects.get(pk=d).consultations.get().pk,
            actor=a,
            response="Đồng ý",
            at=AT,
        ),
        frozenset({R.COORDINATOR, R.HANDLER}),
        consulted=True,
    ),
    "T13 request_supplement": Case(
        "appraising",
        lambda w, d, a: S.request_supplement(
            dossier_id=d, actor=a, reason="Thiếu", missing_component_ids=_ids(w)[:1], at=AT
        ),
        frozenset({R.HANDLER}),
    ),
    "T14 receive_supplement": Case(
        "supplement_requested",
        lambda w, d, a: S.receive_supplement(dossier_id=d, actor=a, at=AT),
        frozenset({R.RECEPTION_OFFICER}),
    ),
    "T15 stop_processing": Case(
        "supplement_requested",
        lambda w, d, a: S.stop_processing(dossier_id=d, actor=a, reason="Không bổ sung", at=AT),
        frozenset({R.HANDLER, R.RECEPTION_OFFICER}),
    ),
    "T16 request_financial_obligation": Case(
        "appraising",
        lambda w, d, a: S.request_financial_obligation(
            dossier_id=d, actor=a, amount=50_000, description="Lệ phí", at=AT
        ),
        frozenset({R.HANDLER}),
    ),
    "T17 confirm_payment": Case(
        "awaiting_payment",
        lambda w, d, a: S.confirm_payment(dossier_id=d, actor=a, receipt_no="BL-1", at=AT),
        frozenset({R.FINANCE, R.RECEPTION_OFFICER}),
        system=True,
    ),
    "T19a propose_refusal": Case(
        "appraising",
        lambda w, d, a: S.propose_refusal(dossier_id=d, actor=a, reason="Không đủ điều kiện", at=AT),
        frozenset({R.HANDLER}),
    ),
    "T19b refuse_after_appraisal": Case(
        "appraising",
        lambda w, d, a: S.refuse_after_appraisal(dossier_id=d, actor=a, reason="Không đủ điều kiện", at=AT),
        frozenset({R.APPROVER}),
    ),
    "T20 apologise_and_extend": Case(
        "appraising",
        lambda w, d, a: S.apologise_and_extend(
            dossier_id=d, actor=a, reason="Xác minh", new_due=dt.date(2026, 3, 20), at=AT
        ),
        frozenset({R.DEPT_LEADER}),
    ),
    "T21a approve": Case(
        "appraising", lambda w, d, a: S.approve(dossier_id=d, actor=a, at=AT), frozenset({R.APPROVER})
    ),
    "T21b sign_result": Case(
        "signing", lambda w, d, a: S.sign_result(dossier_id=d, actor=a, at=AT), frozenset({R.APPROVER})
    ),
    "T21c issue_result": Case(
        "issuing",
        lambda w, d, a: S.issue_result(dossier_id=d, actor=a, number="1/QĐ", at=AT),
        frozenset({R.CLERK}),
    ),
    "T22 return_result": Case(
        "result_ready",
        lambda w, d, a: S.return_result(dossier_id=d, actor=a, at=AT),
        frozenset({R.RECEPTION_OFFICER, R.POSTAL_AGENT}),
        system=True,
    ),
    "T23a request_withdrawal": Case(
        "appraising",
        lambda w, d, a: S.request_withdrawal(dossier_id=d, actor=a, reason="Không có nhu cầu", at=AT),
        APPLICANTS | {R.RECEPTION_OFFICER},
        system=True,
    ),
    "T23b stop_processing": Case(
        "withdrawal_requested",
        lambda w, d, a: S.stop_processing(dossier_id=d, actor=a, at=AT),
        frozenset({R.RECEPTION_OFFICER, R.ONE_STOP_HEAD}),
    ),
    "T24 report_incident": Case(
        "appraising",
        lambda w, d, a: S.report_incident(dossier_id=d, actor=a, reason="Thất lạc bản chính", at=AT),
        frozenset(
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
        ),
    ),
}

FACTORY_TRAITS = {"received", "in_processing", "assigned", "appraising", "signing", "issuing", "result_ready"}


def _dossier(world, factory, trait: str) -> Dossier | None:
    if trait == "none":
        return None
    if trait in ("submitted", "intake_supplement"):
        dossier = S.submit_dossier(intake=world.intake(channel="online"), actor=world.citizen, at=START)
        if trait == "intake_supplement":
            S.request_completion(
                dossier_id=dossier.pk, actor=world.reception, reason="Thiếu", guidance="Bổ sung", at=START
            )
        return dossier
    base = trait if trait in FACTORY_TRAITS else "appraising"
    dossier = factory.create(at=START, trait=base, step=dt.timedelta(minutes=10))
    then = vn(2026, 3, 2, 15)
    if trait == "consulting":
        S.consult(
            dossier_id=dossier.pk,
            actor=world.handler,
            agency_id=world.other_agency.pk,
            content="Xin ý kiến",
            deadline=vn(2026, 3, 6),
            at=then,
        )
    elif trait == "supplement_requested":
        S.request_supplement(
            dossier_id=dossier.pk,
            actor=world.handler,
            reason="Thiếu",
            missing_component_ids=_ids(world)[:1],
            at=then,
        )
    elif trait == "awaiting_payment":
        S.request_financial_obligation(
            dossier_id=dossier.pk, actor=world.handler, amount=50_000, description="Lệ phí", at=then
        )
    elif trait == "withdrawal_requested":
        S.request_withdrawal(dossier_id=dossier.pk, actor=world.reception, reason="Rút", at=then)
    return dossier


def _actors(world, case: Case) -> dict[tuple[str, str], User | None]:
    """One user per role and place; the world's own staff where the act needs the assigned handler."""
    other_centre = OneStopUnit.objects.create(
        code="ttpvhcc-khac",
        name="Trung tâm khác",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=world.other_agency,
        admin_unit=world.centre.admin_unit,
    )
    unrelated = type(world.agency).objects.create(
        identifier_code="000.00.99.H42",
        name="Sở Khác",
        kind=world.agency.kind,
        admin_unit=world.agency.admin_unit,
        name_folded="so khac",
    )
    own_agency = world.other_agency if case.consulted else world.agency
    known = {
        R.RECEPTION_OFFICER: world.reception,
        R.ONE_STOP_HEAD: world.head,
        R.DEPT_LEADER: world.leader,
        R.HANDLER: world.handler,
        R.APPROVER: world.approver,
        R.CLERK: world.clerk,
    }
    actors: dict[tuple[str, str], User | None] = {}
    for role in Role:
        for place in ("own", "other"):
            if place == "own" and not case.consulted and role in known:
                actors[(role.value, place)] = known[role]
                continue
            user = User.objects.create(username=f"{role.value}-{place}", email="")
            if role in ONE_STOP_ROLES:
                scope = {"one_stop_unit_id": (world.centre if place == "own" else other_centre).pk}
            elif role in UNSCOPED_ROLES:
                scope = {}
            else:
                scope = {"agency_id": (own_agency if place == "own" else unrelated).pk}
            grant_membership(user=user, role=role, **scope)
            actors[(role.value, place)] = user
    actors[(SYSTEM, "-")] = None
    return actors


def _snapshot(dossier_id: int | None) -> tuple[Any, ...]:
    if dossier_id is None:
        return (Dossier.objects.count(), DossierEvent.objects.count(), ClockEvent.objects.count())
    return (
        Dossier.objects.filter(pk=dossier_id).values().get(),
        DossierEvent.objects.filter(dossier_id=dossier_id).count(),
        ClockEvent.objects.filter(dossier_id=dossier_id).count(),
    )


@pytest.mark.parametrize("name", list(CASES))
def test_who_may_do_each_act(name, world, factory):
    case = CASES[name]
    dossier = _dossier(world, factory, case.trait)
    dossier_id = dossier.pk if dossier is not None else None
    allowed: set[tuple[str, str]] = set()
    for (role, place), actor in _actors(world, case).items():
        if actor is None and not case.system:
            continue
        savepoint = transaction.savepoint()
        try:
            if dossier_id is not None and role in APPLICANTS and place == "own":
                Dossier.objects.filter(pk=dossier_id).update(submitted_by=actor)
            before = _snapshot(dossier_id)
            try:
                case.call(world, dossier_id, actor)
            except PermissionRefused as refused:
                assert refused.status == 403
                assert _snapshot(dossier_id) == before, (role, place)
            else:
                allowed.add((role, place))
        finally:
            transaction.savepoint_rollback(savepoint)
    expected = {(role.value, "own") for role in case.allowed} | {
        (role.value, place) for role in case.anywhere for place in ("own", "other")
    }
    if case.system:
        expected.add((SYSTEM, "-"))
    assert sorted(allowed) == sorted(expected)
