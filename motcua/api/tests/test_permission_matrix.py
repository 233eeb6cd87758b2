"""Every role × every act over the API: allowed or refused, and nothing changed when refused.

For each act a dossier is walked (through the services) to a state where the act is possible; each
role then tries it with a valid body and the current version. A refusal is a 403 (the gate or the
state table) or a 404 (the dossier is not theirs to see: no probing), and leaves the dossier, its
history and its tasks exactly as they were. The allowed role succeeds (200) on a dossier of its own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, ProcessingTask
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db

START = vn(2026, 3, 2, 8)
ROLES = ("reception", "head", "leader", "handler", "approver", "clerk", "coordinator", "citizen", "stranger")


def _online(world) -> Dossier:
    intake = world.intake(channel="online")
    return services.submit_dossier(intake=intake, actor=world.citizen, at=START)


def _body(act: str, world) -> dict[str, Any]:
    return {
        "request_completion": {"reason": "Thiếu giấy tờ", "guidance": "Bổ sung bản sao"},
        "refuse_at_intake": {"reason": "Không thuộc thẩm quyền"},
        "assign": {"handler_id": world.handler.pk},
        "appraise": {"opinion": "Đủ điều kiện"},
        "consult": {
            "agency_id": world.other_agency.pk,
            "content": "Xin ý kiến",
            "deadline": "2026-03-20T17:00:00+07:00",
        },
        "request_supplement": {"reason": "Thiếu", "guidance": "Bổ sung giấy tờ"},
        "request_financial_obligation": {"amount": 50000, "description": "Lệ phí"},
        "propose_refusal": {"reason": "Không đủ điều kiện"},
        "refuse_after_appraisal": {"reason": "Không đủ điều kiện"},
        "request_withdrawal": {"reason": "Người nộp xin rút"},
        "issue_result": {"number": "12/QĐ-STP"},
        "stop_processing": {"reason": "Người nộp rút hồ sơ"},
        "report_incident": {"reason": "Hồ sơ giấy bị hư hỏng"},
        "urge": {"message": "Đề nghị xử lý đúng hạn"},
    }.get(act, {})


# act → the trait its dossier is walked to ("online" = submitted online, not yet accepted).
CASES: dict[str, str] = {
    "accept": "online",
    "request_completion": "online",
    "refuse_at_intake": "online",
    "forward": "received",
    "report_incident": "received",
    "assign": "in_processing",
    "stop_processing": "withdrawal_requested",
    "request_withdrawal": "received",
    "receive_supplement": "supplement_requested",
    "confirm_payment": "awaiting_payment",
    "resubmit": "completion_requested",
    "refuse_after_appraisal": "refusal_proposed",
    "urge": "in_processing",
    "appraise": "assigned",
    "consult": "appraising",
    "request_supplement": "assigned",
    "request_financial_obligation": "assigned",
    "propose_refusal": "appraising",
    "approve": "appraising",
    "sign_result": "signing",
    "issue_result": "issuing",
    "return_result": "result_ready",
}

STAFF_AT_THE_DOSSIER = {"reception", "head", "leader", "handler", "approver", "clerk"}
ALLOWED: dict[str, set[str]] = {
    "accept": {"reception"},
    "request_completion": {"reception"},
    "refuse_at_intake": {"reception"},
    "resubmit": {"reception", "citizen"},
    "forward": {"reception"},
    "report_incident": STAFF_AT_THE_DOSSIER,
    "request_withdrawal": {"reception"},
    "stop_processing": {"reception", "head"},
    "assign": {"leader"},
    "urge": {"head", "leader"},
    "appraise": {"handler"},
    "consult": {"handler"},
    "request_supplement": {"handler"},
    "receive_supplement": {"reception"},
    "request_financial_obligation": {"handler"},
    "confirm_payment": {"reception"},
    "propose_refusal": {"handler"},
    "refuse_after_appraisal": {"approver"},
    "approve": {"approver"},
    "sign_result": {"approver"},
    "issue_result": {"clerk"},
    "return_result": {"reception"},
}


def _snapshot(dossier: Dossier) -> tuple[Any, ...]:
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.state,
        fresh.step,
        fresh.version,
        fresh.due_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
        list(ProcessingTask.objects.filter(dossier=dossier).values_list("pk", "assignee_id", "completed_at")),
    )


@pytest.fixture
def people(world, make_user):
    found = {name: getattr(world, name) for name in ROLES if name != "stranger"}
    found["stranger"] = make_user("nguoila")
    return found


def _client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


# Traits beyond the factory's: (the factory trait, then one more act by a given role).
EXTRA_TRAITS = {
    "withdrawal_requested": ("received", "request_withdrawal", "reception", {"reason": "Người nộp xin rút"}),
    "supplement_requested": (
        "assigned",
        "request_supplement",
        "handler",
        {"reason": "Thiếu", "guidance": "Bổ sung"},
    ),
    "awaiting_payment": (
        "assigned",
        "request_financial_obligation",
        "handler",
        {"amount": 1, "description": "Phí"},
    ),
    "refusal_proposed": ("appraising", "propose_refusal", "handler", {"reason": "Không đủ điều kiện"}),
}


def _make(world, factory, trait: str, n: int) -> Dossier:
    at = START + dt.timedelta(minutes=10 * n)
    if trait == "online":
        return _online(world)
    if trait == "completion_requested":
        dossier = _online(world)
        services.request_completion(
            dossier_id=dossier.pk, actor=world.reception, reason="Thiếu", guidance="Bổ sung", at=at
        )
        return dossier
    if trait in EXTRA_TRAITS:
        base, act, role, body = EXTRA_TRAITS[trait]
        dossier = factory.create(at=at, trait=base, step=dt.timedelta(minutes=1))
        response = _client(getattr(world, role)).post(
            f"/api/v1/dossiers/{dossier.pk}/acts/{act}", {**body, "version": dossier.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        return dossier
    return factory.create(at=at, trait=trait, step=dt.timedelta(minutes=1))


@pytest.mark.parametrize("act", sorted(CASES))
def test_role_by_act(act, world, factory, people, time_machine):
    time_machine.move_to(vn(2026, 3, 2, 14), tick=False)
    trait = CASES[act]
    dossier = _make(world, factory, trait, 0)
    outcome: dict[str, int] = {}
    for name in ROLES:
        before = _snapshot(dossier)
        body = {**_body(act, world), "version": before[2]}
        response = _client(people[name]).post(
            f"/api/v1/dossiers/{dossier.pk}/acts/{act}", body, format="json"
        )
        outcome[name] = response.status_code
        if response.status_code == 200:
            dossier = _make(world, factory, trait, len(outcome))
            continue
        assert response.status_code in (403, 404), (name, response.json())
        assert response["Content-Type"] == "application/problem+json"
        assert _snapshot(dossier) == before, name
    assert {name for name, status in outcome.items() if status == 200} == ALLOWED.get(act, set()), outcome
