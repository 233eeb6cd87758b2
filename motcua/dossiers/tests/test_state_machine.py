"""Random acts by random people through the services (hypothesis stateful testing).

Invariants after every step: the state is one of the table's; a terminal dossier stays terminal;
the hash chain verifies; a refused act changed nothing; the due date never moves earlier except
through a restart after a supplement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from motcua.core.errors import MotcuaError
from motcua.dossiers import services
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import Consultation, Dossier, DossierEvent
from motcua.workflow import TERMINAL, State

from .factories import World, vn

pytestmark = pytest.mark.django_db

Act = Callable[[World, int, Any, dt.datetime], Any]


def _open_consultation(dossier_id: int) -> int:
    found = (
        Consultation.objects.filter(dossier_id=dossier_id, responded_at=None)
        .values_list("pk", flat=True)
        .first()
    )
    return found or 0


ACTS: dict[str, Act] = {
    "forward": lambda w, d, a, t: services.forward_dossier(dossier_id=d, actor=a, at=t),
    "assign": lambda w, d, a, t: services.assign_handler(
        dossier_id=d, actor=a, handler_id=w.handler.pk, at=t
    ),
    "appraise": lambda w, d, a, t: services.appraise(dossier_id=d, actor=a, opinion="Ý kiến", at=t),
    "consult": lambda w, d, a, t: services.consult(
        dossier_id=d,
        actor=a,
        agency_id=w.other_agency.pk,
        content="Xin ý kiến",
        deadline=t + dt.timedelta(days=3),
        at=t,
    ),
    "answer": lambda w, d, a, t: services.answer_consultation(
        consultation_id=_open_consultation(d), actor=a, response="Đồng ý", at=t
    ),
    "request_supplement": lambda w, d, a, t: services.request_supplement(
        dossier_id=d,
        actor=a,
        reason="Thiếu",
        guidance="Bổ sung",
        override_basis="Luật X",
        confirm_repeat=True,
        at=t,
    ),
    "receive_supplement": lambda w, d, a, t: services.receive_supplement(dossier_id=d, actor=a, at=t),
    "request_payment": lambda w, d, a, t: services.request_financial_obligation(
        dossier_id=d, actor=a, amount=100_000, description="Lệ phí trước bạ", at=t
    ),
    "confirm_payment": lambda w, d, a, t: services.confirm_payment(dossier_id=d, actor=a, at=t),
    "propose_refusal": lambda w, d, a, t: services.propose_refusal(
        dossier_id=d, actor=a, reason="Không đủ", at=t
    ),
    "refuse": lambda w, d, a, t: services.refuse_after_appraisal(
        dossier_id=d, actor=a, reason="Không đủ", at=t
    ),
    "approve": lambda w, d, a, t: services.approve(dossier_id=d, actor=a, at=t),
    "sign": lambda w, d, a, t: services.sign_result(dossier_id=d, actor=a, at=t),
    "issue": lambda w, d, a, t: services.issue_result(dossier_id=d, actor=a, number="1/QĐ", at=t),
    "return": lambda w, d, a, t: services.return_result(dossier_id=d, actor=a, at=t),
    "extend": lambda w, d, a, t: services.apologise_and_extend(
        dossier_id=d,
        actor=a,
        reason="Chậm",
        new_due=(Dossier.objects.get(pk=d).due_at or t) + dt.timedelta(days=7),
        at=t,
    ),
    "withdraw": lambda w, d, a, t: services.request_withdrawal(dossier_id=d, actor=a, reason="Rút", at=t),
    "stop": lambda w, d, a, t: services.stop_processing(dossier_id=d, actor=a, reason="Dừng", at=t),
}
ACTORS = ("reception", "head", "leader", "handler", "approver", "clerk", "coordinator", "citizen", None)


class DossierMachine(RuleBasedStateMachine):
    world: World

    @initialize()
    def open_dossier(self) -> None:
        self.at = vn(2026, 3, 2, 8)
        self.dossier = services.receive_at_counter(
            intake=self.world.intake(), actor=self.world.reception, at=self.at
        )
        self.was_terminal = False
        self.due = self.dossier.due_at

    @rule(act=st.sampled_from(sorted(ACTS)), who=st.sampled_from(ACTORS), hours=st.integers(1, 40))
    def act(self, act: str, who: str | None, hours: int) -> None:
        self.at += dt.timedelta(hours=hours)
        actor = getattr(self.world, who) if who else None
        before = Dossier.objects.filter(pk=self.dossier.pk).values().get()
        events = DossierEvent.objects.filter(dossier=self.dossier).count()
        try:
            ACTS[act](self.world, self.dossier.pk, actor, self.at)
        except MotcuaError:
            assert Dossier.objects.filter(pk=self.dossier.pk).values().get() == before
            assert DossierEvent.objects.filter(dossier=self.dossier).count() == events
            return
        after = Dossier.objects.get(pk=self.dossier.pk)
        last = DossierEvent.objects.filter(dossier=self.dossier).order_by("-seq").first()
        assert last is not None and last.seq == events + 1 and after.version == before["version"] + 1
        if self.due is not None and after.due_at is not None and after.due_at < self.due:
            assert last.name == "supplement_received", (act, self.due, after.due_at)
        self.due = after.due_at

    @invariant()
    def state_is_known_and_terminal_stays_terminal(self) -> None:
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        state = State(dossier.state)
        if self.was_terminal:
            assert state in TERMINAL
        self.was_terminal = state in TERMINAL
        assert (dossier.code is not None) == (dossier.received_at is not None)

    @invariant()
    def history_verifies(self) -> None:
        assert verify_history(self.dossier.pk) == []


def test_random_acts_keep_the_invariants(world):
    DossierMachine.world = world
    run_state_machine_as_test(
        DossierMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
