"""Every row of SPEC §5.2 (T1-T24), restated here independently of table.py and compared."""

from __future__ import annotations

import re

import pytest

from motcua.workflow import TRANSITIONS, Act, ClockEffect, State, Step
from motcua.workflow.roles import ACTORS
from motcua.workflow.table import ROWS_BY_ACT, transition

S, K, C = State, Step, ClockEffect
APPLICANT = {"citizen", "organisation", "authorised_rep"}
STAFF = {
    "reception_officer", "one_stop_head", "dept_leader", "handler", "approver", "clerk", "coordinator",
    "finance", "procedure_controller", "postal_agent", "inspector", "support",
}  # fmt: skip
ACTIVE = {
    S.RECEIVED, S.IN_PROCESSING, S.PROCESSING_SUPPLEMENT_REQUESTED, S.AWAITING_FINANCIAL_OBLIGATION,
    S.WITHDRAWAL_REQUESTED,
}  # fmt: skip
ALL_STEPS = set(Step)

# number, act, sources, target, roles, event, form, clock, reason required, step guard, step after
EXPECTED = [
    ("T1", Act.SUBMIT, {S.DRAFT}, S.SUBMITTED, APPLICANT | {"postal_agent", "support"},
     "submitted", None, C.NONE, False, set(), None),
    ("T2", Act.ACCEPT, {S.NEW}, S.RECEIVED, {"reception_officer"},
     "accepted", "form01", C.START, False, set(), None),
    ("T3", Act.REQUEST_COMPLETION, {S.NEW}, S.INTAKE_SUPPLEMENT_REQUESTED, {"reception_officer"},
     "completion_requested", "form02", C.NONE, True, set(), None),
    ("T4", Act.REFUSE_AT_INTAKE, {S.NEW}, S.INTAKE_REFUSED, {"reception_officer"},
     "refused_at_intake", "form03", C.NONE, True, set(), None),
    ("T5", Act.REQUEST_COMPLETION, {S.SUBMITTED}, S.INTAKE_SUPPLEMENT_REQUESTED, {"reception_officer"},
     "completion_requested", "form02", C.NONE, True, set(), None),
    ("T6", Act.RESUBMIT, {S.INTAKE_SUPPLEMENT_REQUESTED}, S.SUBMITTED,
     APPLICANT | {"postal_agent", "reception_officer"}, "resubmitted", None, C.NONE, False, set(), None),
    ("T7", Act.ACCEPT, {S.SUBMITTED}, S.RECEIVED, {"reception_officer"},
     "accepted", "form01", C.START, False, set(), None),
    ("T8", Act.REFUSE_AT_INTAKE, {S.SUBMITTED}, S.INTAKE_REFUSED, {"reception_officer"},
     "refused_at_intake", "form03", C.NONE, True, set(), None),
    ("T9", Act.FORWARD, {S.RECEIVED}, S.IN_PROCESSING, {"system", "reception_officer"},
     "forwarded", None, C.NONE, False, set(), K.AWAITING_ASSIGNMENT),
    ("T10", Act.ASSIGN, {S.IN_PROCESSING}, None, {"dept_leader"}, "assigned", None, C.NONE, False,
     {K.AWAITING_ASSIGNMENT, K.ASSIGNED, K.APPRAISING, K.CONSULTING, K.REFUSAL_PROPOSED}, K.ASSIGNED),
    ("T11", Act.APPRAISE, {S.IN_PROCESSING}, None, {"handler"}, "appraised", None, C.NONE, False,
     {K.ASSIGNED, K.APPRAISING, K.REFUSAL_PROPOSED}, K.APPRAISING),
    ("T12a", Act.CONSULT, {S.IN_PROCESSING}, None, {"handler"}, "consultation_requested", None, C.NONE,
     False, {K.APPRAISING, K.CONSULTING}, K.CONSULTING),
    ("T12b", Act.ANSWER_CONSULTATION, {S.IN_PROCESSING}, None, {"coordinator", "handler"},
     "consultation_answered", None, C.NONE, False, {K.CONSULTING}, K.APPRAISING),
    ("T13", Act.REQUEST_SUPPLEMENT, {S.IN_PROCESSING}, S.PROCESSING_SUPPLEMENT_REQUESTED, {"handler"},
     "supplement_requested", "form02", C.RESTART_OR_PAUSE_REQUEST, True,
     {K.ASSIGNED, K.APPRAISING, K.CONSULTING}, None),
    ("T14", Act.RECEIVE_SUPPLEMENT, {S.PROCESSING_SUPPLEMENT_REQUESTED}, S.IN_PROCESSING,
     {"reception_officer"}, "supplement_received", "form01", C.RESUME, False, set(), None),
    ("T15", Act.STOP_PROCESSING, {S.PROCESSING_SUPPLEMENT_REQUESTED}, S.STOPPED,
     {"handler", "reception_officer"}, "stopped", "form05", C.STOP, True, set(), None),
    ("T16", Act.REQUEST_FINANCIAL_OBLIGATION, {S.IN_PROCESSING}, S.AWAITING_FINANCIAL_OBLIGATION,
     {"handler"}, "financial_obligation_requested", None, C.PAUSE, False,
     {K.ASSIGNED, K.APPRAISING, K.CONSULTING, K.SIGNING, K.ISSUING}, None),
    ("T17", Act.CONFIRM_PAYMENT, {S.AWAITING_FINANCIAL_OBLIGATION}, S.IN_PROCESSING,
     {"system", "finance", "reception_officer"}, "payment_confirmed", None, C.RESUME_PAYMENT, False,
     set(), None),
    ("T18", Act.FORWARD, {S.IN_PROCESSING}, None,
     {"system", "reception_officer", "dept_leader", "handler"}, "forwarded", None, C.NONE, False,
     {K.AWAITING_ASSIGNMENT, K.ASSIGNED, K.APPRAISING, K.CONSULTING}, None),
    ("T19a", Act.PROPOSE_REFUSAL, {S.IN_PROCESSING}, None, {"handler"}, "refusal_proposed", None,
     C.NONE, True, {K.APPRAISING}, K.REFUSAL_PROPOSED),
    ("T19b", Act.REFUSE_AFTER_APPRAISAL, {S.IN_PROCESSING}, S.REFUSED_AFTER_APPRAISAL, {"approver"},
     "refused_after_appraisal", "form03", C.FINISH, True, {K.APPRAISING, K.REFUSAL_PROPOSED}, None),
    ("T20", Act.APOLOGISE_AND_EXTEND, ACTIVE, None, {"dept_leader"}, "extended", "form04", C.EXTEND,
     True, set(), None),
    ("T21a", Act.APPROVE, {S.IN_PROCESSING}, None, {"approver"}, "approved", None, C.NONE, False,
     {K.APPRAISING}, K.SIGNING),
    ("T21b", Act.SIGN_RESULT, {S.IN_PROCESSING}, None, {"approver"}, "result_signed", None, C.NONE,
     False, {K.SIGNING}, K.ISSUING),
    ("T21c", Act.ISSUE_RESULT, {S.IN_PROCESSING}, S.RESULT_READY, {"clerk"}, "result_issued", None,
     C.FINISH, False, {K.ISSUING}, None),
    ("T22", Act.RETURN_RESULT, {S.RESULT_READY, S.REFUSED_AFTER_APPRAISAL}, S.RETURNED,
     {"reception_officer", "postal_agent", "system"}, "result_returned", None, C.NONE, False, set(), None),
    ("T23a", Act.REQUEST_WITHDRAWAL, ACTIVE - {S.WITHDRAWAL_REQUESTED}, S.WITHDRAWAL_REQUESTED,
     APPLICANT | {"reception_officer", "system"}, "withdrawal_requested", None, C.NONE, True,
     ALL_STEPS - {K.ISSUING}, None),
    ("T23b", Act.STOP_PROCESSING, {S.WITHDRAWAL_REQUESTED}, S.STOPPED,
     {"reception_officer", "one_stop_head"}, "stopped", "form05", C.STOP, False, set(), None),
    ("T24", Act.REPORT_INCIDENT, {S.RECEIVED, S.IN_PROCESSING}, None, STAFF, "incident_reported", None,
     C.NONE, True, set(), None),
]  # fmt: skip


@pytest.mark.parametrize("expected", EXPECTED, ids=[row[0] for row in EXPECTED])
def test_row_matches_spec(expected: tuple[object, ...]) -> None:
    number, act, sources, target, roles, event, form, clock, reason, step_sources, step = expected
    row = transition(str(number))
    assert (row.act, row.sources, row.target, row.roles) == (act, sources, target, roles)
    assert (row.event, row.form, row.clock, row.requires_reason) == (event, form, clock, reason)
    assert (row.step_sources, row.step) == (step_sources, step)


def test_the_table_has_exactly_these_rows_in_this_order() -> None:
    assert [row.number for row in TRANSITIONS] == [row[0] for row in EXPECTED]


def test_every_spec_transition_t1_to_t24_has_a_row() -> None:
    bases = {re.fullmatch(r"(T\d+)[a-z]?", row.number).group(1) for row in TRANSITIONS}  # type: ignore[union-attr]
    assert bases == {f"T{n}" for n in range(1, 25)}


def test_every_act_has_a_row_and_one_event() -> None:
    for act in Act:
        rows = ROWS_BY_ACT[act]
        assert rows, act
        assert len({row.event for row in rows}) == 1, act


def test_rows_of_one_act_start_from_disjoint_states() -> None:
    for act, rows in ROWS_BY_ACT.items():
        seen: set[State] = set()
        for row in rows:
            assert not (row.sources & seen), act
            seen |= row.sources


def test_events_are_past_tense_and_acts_are_verbs() -> None:
    for row in TRANSITIONS:
        assert re.fullmatch(r"[a-z_]+", row.event), row.event
        assert any(word.endswith("ed") for word in row.event.split("_")), row.event
        assert row.act.value == row.act.name.lower()


def test_roles_are_known_role_names() -> None:
    for row in TRANSITIONS:
        assert row.roles, row.number
        assert row.roles <= ACTORS, row.number


def test_system_administrator_is_never_in_the_table() -> None:
    assert all("system_admin" not in row.roles for row in TRANSITIONS)


def test_every_row_names_its_source_in_both_languages() -> None:
    for row in TRANSITIONS:
        for note in (row.note_vi, row.note_en):
            assert re.search(r"\[(V|S|P|I)\]|SPEC T\d+", note), (row.number, note)


def test_forms_and_clock_effects_by_act() -> None:
    forms = {row.act: row.form for row in TRANSITIONS if row.form}
    assert forms == {
        Act.ACCEPT: "form01",
        Act.REQUEST_COMPLETION: "form02",
        Act.REFUSE_AT_INTAKE: "form03",
        Act.REQUEST_SUPPLEMENT: "form02",
        Act.RECEIVE_SUPPLEMENT: "form01",
        Act.STOP_PROCESSING: "form05",
        Act.REFUSE_AFTER_APPRAISAL: "form03",
        Act.APOLOGISE_AND_EXTEND: "form04",
    }
    starts = [row.number for row in TRANSITIONS if row.clock == C.START]
    finishes = [row.number for row in TRANSITIONS if row.clock == C.FINISH]
    stops = [row.number for row in TRANSITIONS if row.clock == C.STOP]
    assert (starts, finishes, stops) == (["T2", "T7"], ["T19b", "T21c"], ["T15", "T23b"])


def test_unknown_number() -> None:
    with pytest.raises(KeyError):
        transition("T25")
