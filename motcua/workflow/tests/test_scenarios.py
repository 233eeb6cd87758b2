"""SPEC §11 acceptance scenarios, as far as the state table decides them (3-5, 13-16, 22-23).

Dates, codes and notifications belong to deadlines/, dossiers/ and paperwork/; here: which act is
allowed, what state and national status follow, which form and clock effect the row names.
"""

from __future__ import annotations

import pytest

from motcua.workflow import (
    Act,
    ActNotAllowed,
    ClockEffect,
    Position,
    RoleNotAllowed,
    State,
    Step,
    check,
    is_terminal,
    national_status,
)
from motcua.workflow.states import BEFORE_ACCEPTANCE
from motcua.workflow.tests.support import TO_APPRAISAL, perform, walk

S, K = State, Step


def test_scenario_3_no_code_for_incomplete_counter_intake() -> None:
    row = check(act=Act.REQUEST_COMPLETION, state=S.NEW, step=None, roles=["reception_officer"])
    assert (row.number, row.target, row.form, row.clock) == (
        "T3",
        S.INTAKE_SUPPLEMENT_REQUESTED,
        "form02",
        ClockEffect.NONE,
    )
    assert row.requires_reason
    assert row.target in BEFORE_ACCEPTANCE  # no dossier code, no clock, not "received"
    # The applicant comes back with everything; the officer records it, then accepts (T6, T7).
    position = walk(
        S.NEW, [(Act.REQUEST_COMPLETION, "reception_officer"), (Act.RESUBMIT, "reception_officer")]
    )
    assert perform(position, Act.ACCEPT, "reception_officer") == Position(S.RECEIVED, None)


def test_scenario_3_an_officer_cannot_accept_an_unsubmitted_online_draft() -> None:
    with pytest.raises(ActNotAllowed):
        check(act=Act.ACCEPT, state=S.DRAFT, step=None, roles=["reception_officer"])


@pytest.mark.parametrize("start", [S.NEW, S.SUBMITTED])
def test_scenario_4_intake_refusal(start: State) -> None:
    row = check(act=Act.REFUSE_AT_INTAKE, state=start, step=None, roles=["reception_officer"])
    assert (row.target, row.form, row.requires_reason, row.clock) == (
        S.INTAKE_REFUSED,
        "form03",
        True,
        ClockEffect.NONE,
    )
    assert national_status(S.INTAKE_REFUSED) == 3
    assert is_terminal(S.INTAKE_REFUSED)


def test_scenario_5_online_incomplete_keeps_no_received_at() -> None:
    row = check(act=Act.REQUEST_COMPLETION, state=S.SUBMITTED, step=None, roles=["reception_officer"])
    assert (row.number, row.form, row.clock) == ("T5", "form02", ClockEffect.NONE)
    assert national_status(S.INTAKE_SUPPLEMENT_REQUESTED) == 1
    resubmitted = perform(Position(S.INTAKE_SUPPLEMENT_REQUESTED, None), Act.RESUBMIT, "citizen")
    assert resubmitted == Position(S.SUBMITTED, None)


def test_scenario_13_supplement_during_appraisal_moves_status_4_5_4() -> None:
    appraising = walk(S.DRAFT, TO_APPRAISAL)
    request = check(
        act=Act.REQUEST_SUPPLEMENT, state=appraising.state, step=appraising.step, roles=["handler"]
    )
    assert (request.form, request.clock, request.requires_reason) == (
        "form02",
        ClockEffect.RESTART_OR_PAUSE_REQUEST,
        True,
    )
    waiting = perform(appraising, Act.REQUEST_SUPPLEMENT, "handler")
    receive = check(
        act=Act.RECEIVE_SUPPLEMENT, state=waiting.state, step=waiting.step, roles=["reception_officer"]
    )
    assert receive.clock == ClockEffect.RESUME
    back = perform(waiting, Act.RECEIVE_SUPPLEMENT, "reception_officer")
    assert [national_status(p.state) for p in (appraising, waiting, back)] == [4, 5, 4]


def test_scenario_13_the_handler_never_receives_the_supplement_directly() -> None:
    # ND61 Art 5(1)(e): supplements go through the one-stop unit.
    with pytest.raises(RoleNotAllowed):
        check(
            act=Act.RECEIVE_SUPPLEMENT,
            state=S.PROCESSING_SUPPLEMENT_REQUESTED,
            step=K.APPRAISING,
            roles=["handler"],
        )


def test_scenarios_14_15_late_or_second_supplement_requests_are_not_blocked_by_the_table() -> None:
    # The 3-working-day window (14) and the "one go" warning (15) need dates and history: the table
    # allows the act, and dossiers/deadlines ask for the override or show the warning.
    once = walk(
        S.DRAFT,
        [*TO_APPRAISAL, (Act.REQUEST_SUPPLEMENT, "handler"), (Act.RECEIVE_SUPPLEMENT, "reception_officer")],
    )
    assert (
        check(act=Act.REQUEST_SUPPLEMENT, state=once.state, step=once.step, roles=["handler"]).number == "T13"
    )


def test_scenario_15_no_second_request_while_one_is_open() -> None:
    with pytest.raises(ActNotAllowed):
        check(
            act=Act.REQUEST_SUPPLEMENT,
            state=S.PROCESSING_SUPPLEMENT_REQUESTED,
            step=K.APPRAISING,
            roles=["handler"],
        )


def test_scenario_16_apology_and_extension() -> None:
    row = check(act=Act.APOLOGISE_AND_EXTEND, state=S.IN_PROCESSING, step=K.APPRAISING, roles=["dept_leader"])
    assert (row.number, row.target, row.form, row.clock, row.requires_reason) == (
        "T20",
        None,
        "form04",
        ClockEffect.EXTEND,
        True,
    )
    # The handler drafts but the head of the agency signs the apology.
    with pytest.raises(RoleNotAllowed):
        check(act=Act.APOLOGISE_AND_EXTEND, state=S.IN_PROCESSING, step=K.APPRAISING, roles=["handler"])
    # "At most once" needs the clock history: deadlines.timeline refuses a second EXTENDED event.
    with pytest.raises(ActNotAllowed):
        check(act=Act.APOLOGISE_AND_EXTEND, state=S.RESULT_READY, step=None, roles=["dept_leader"])


def test_scenario_22_boundary_independent_intake_uses_the_same_table() -> None:
    # Receiving at commune B for commune A changes units and calendars, not the acts.
    position = walk(S.DRAFT, TO_APPRAISAL[:3])
    assert position == Position(S.IN_PROCESSING, K.AWAITING_ASSIGNMENT)


def test_scenario_23_stop_on_request_moves_status_7_then_8() -> None:
    processing = walk(S.DRAFT, TO_APPRAISAL)
    requested = perform(processing, Act.REQUEST_WITHDRAWAL, "citizen")
    assert requested == Position(S.WITHDRAWAL_REQUESTED, K.APPRAISING)
    stop = check(
        act=Act.STOP_PROCESSING, state=requested.state, step=requested.step, roles=["reception_officer"]
    )
    assert (stop.number, stop.form, stop.clock) == ("T23b", "form05", ClockEffect.STOP)
    stopped = perform(requested, Act.STOP_PROCESSING, "reception_officer")
    assert [national_status(p.state) for p in (requested, stopped)] == [7, 8]
    assert is_terminal(stopped.state)


def test_scenario_23_withdrawal_rejected_once_result_ready() -> None:
    ready = walk(
        S.DRAFT,
        [
            *TO_APPRAISAL,
            (Act.APPROVE, "approver"),
            (Act.SIGN_RESULT, "approver"),
            (Act.ISSUE_RESULT, "clerk"),
        ],
    )
    assert ready == Position(S.RESULT_READY, None)
    with pytest.raises(ActNotAllowed) as caught:
        perform(ready, Act.REQUEST_WITHDRAWAL, "citizen")
    assert caught.value.code == "act_not_allowed_in_state"
    assert caught.value.message_vi == "Không thể «yêu cầu rút» hồ sơ ở trạng thái «Đã xử lý xong»."
    assert caught.value.message_en == "Cannot request withdrawal of a dossier that is Result ready."


def test_scenario_23_withdrawal_rejected_once_the_result_is_signed() -> None:
    signed = walk(S.DRAFT, [*TO_APPRAISAL, (Act.APPROVE, "approver"), (Act.SIGN_RESULT, "approver")])
    with pytest.raises(ActNotAllowed) as caught:
        perform(signed, Act.REQUEST_WITHDRAWAL, "citizen")
    assert caught.value.code == "act_not_allowed_in_step"
    # ... also while the applicant pays for a signed result.
    paying = perform(signed, Act.REQUEST_FINANCIAL_OBLIGATION, "handler")
    with pytest.raises(ActNotAllowed):
        perform(paying, Act.REQUEST_WITHDRAWAL, "citizen")
    # Approved but not yet signed: no decision exists, the applicant may still withdraw.
    approved = walk(S.DRAFT, [*TO_APPRAISAL, (Act.APPROVE, "approver")])
    assert perform(approved, Act.REQUEST_WITHDRAWAL, "citizen").state == S.WITHDRAWAL_REQUESTED


def test_scenario_23_a_request_made_on_the_national_portal_or_at_the_counter() -> None:
    received = walk(S.NEW, [(Act.ACCEPT, "reception_officer")])
    assert perform(received, Act.REQUEST_WITHDRAWAL, "system") == Position(S.WITHDRAWAL_REQUESTED, None)
    assert perform(received, Act.REQUEST_WITHDRAWAL, "reception_officer").state == S.WITHDRAWAL_REQUESTED
