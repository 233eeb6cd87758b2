"""Steps inside processing: approve only after appraisal, sign only after approval, issue only after
signing; the step is kept while the dossier waits and cleared when processing ends."""

from __future__ import annotations

import pytest

from motcua.workflow import Act, ActNotAllowed, Position, State, Step, after, check, transition
from motcua.workflow.tests.support import TO_APPRAISAL, perform, walk

S, K = State, Step


def test_the_whole_processing_path_step_by_step() -> None:
    position = walk(S.DRAFT, TO_APPRAISAL[:3])
    assert position == Position(S.IN_PROCESSING, K.AWAITING_ASSIGNMENT)
    expected = [
        (Act.ASSIGN, "dept_leader", K.ASSIGNED),
        (Act.APPRAISE, "handler", K.APPRAISING),
        (Act.CONSULT, "handler", K.CONSULTING),
        (Act.CONSULT, "handler", K.CONSULTING),  # a second agency, in parallel
        (Act.ANSWER_CONSULTATION, "coordinator", K.APPRAISING),
        (Act.APPROVE, "approver", K.SIGNING),
        (Act.SIGN_RESULT, "approver", K.ISSUING),
    ]
    for act, role, step in expected:
        position = perform(position, act, role)
        assert position == Position(S.IN_PROCESSING, step), act
    assert perform(position, Act.ISSUE_RESULT, "clerk") == Position(S.RESULT_READY, None)


@pytest.mark.parametrize(
    ("act", "role", "step"),
    [
        # approve before appraisal
        (Act.APPROVE, "approver", K.AWAITING_ASSIGNMENT),
        (Act.APPROVE, "approver", K.ASSIGNED),
        (Act.APPROVE, "approver", K.CONSULTING),
        (Act.APPROVE, "approver", K.REFUSAL_PROPOSED),
        # sign before approval
        (Act.SIGN_RESULT, "approver", K.ASSIGNED),
        (Act.SIGN_RESULT, "approver", K.APPRAISING),
        # issue before signing
        (Act.ISSUE_RESULT, "clerk", K.APPRAISING),
        (Act.ISSUE_RESULT, "clerk", K.SIGNING),
        # refuse before appraisal
        (Act.REFUSE_AFTER_APPRAISAL, "approver", K.ASSIGNED),
        (Act.PROPOSE_REFUSAL, "handler", K.ASSIGNED),
        # appraise before assignment, answer without a consultation
        (Act.APPRAISE, "handler", K.AWAITING_ASSIGNMENT),
        (Act.ANSWER_CONSULTATION, "coordinator", K.APPRAISING),
        # nothing goes back once signed, but money may still be due
        (Act.REQUEST_SUPPLEMENT, "handler", K.SIGNING),
        (Act.ASSIGN, "dept_leader", K.SIGNING),
        (Act.FORWARD, "handler", K.ISSUING),
    ],
)
def test_step_guards(act: Act, role: str, step: Step) -> None:
    with pytest.raises(ActNotAllowed) as caught:
        check(act=act, state=S.IN_PROCESSING, step=step, roles=[role])
    assert caught.value.code == "act_not_allowed_in_step"


def test_approve_before_appraise_is_refused_and_changes_nothing() -> None:
    position = walk(S.DRAFT, TO_APPRAISAL[:4])
    assert position == Position(S.IN_PROCESSING, K.ASSIGNED)
    with pytest.raises(ActNotAllowed) as caught:
        perform(position, Act.APPROVE, "approver")
    assert (
        caught.value.message_en == "Cannot approve a dossier at the step Assigned; it must be at: Appraising."
    )
    assert position == Position(S.IN_PROCESSING, K.ASSIGNED)


def test_refusal_path() -> None:
    position = walk(S.DRAFT, TO_APPRAISAL)
    position = perform(position, Act.PROPOSE_REFUSAL, "handler")
    assert position == Position(S.IN_PROCESSING, K.REFUSAL_PROPOSED)
    with pytest.raises(ActNotAllowed):
        perform(position, Act.APPROVE, "approver")
    refused = perform(position, Act.REFUSE_AFTER_APPRAISAL, "approver")
    assert refused == Position(S.REFUSED_AFTER_APPRAISAL, None)
    assert perform(refused, Act.RETURN_RESULT, "reception_officer") == Position(S.RETURNED, None)


def test_a_refusal_proposal_goes_back_by_a_new_appraisal_or_a_reassignment() -> None:
    proposed = walk(S.DRAFT, [*TO_APPRAISAL, (Act.PROPOSE_REFUSAL, "handler")])
    assert perform(proposed, Act.APPRAISE, "handler") == Position(S.IN_PROCESSING, K.APPRAISING)
    assert perform(proposed, Act.ASSIGN, "dept_leader") == Position(S.IN_PROCESSING, K.ASSIGNED)


def test_the_step_is_kept_while_the_applicant_supplements_or_pays() -> None:
    consulting = walk(S.DRAFT, [*TO_APPRAISAL, (Act.CONSULT, "handler")])
    waiting = perform(consulting, Act.REQUEST_SUPPLEMENT, "handler")
    assert waiting == Position(S.PROCESSING_SUPPLEMENT_REQUESTED, K.CONSULTING)
    assert perform(waiting, Act.RECEIVE_SUPPLEMENT, "reception_officer") == consulting

    signed = walk(S.DRAFT, [*TO_APPRAISAL, (Act.APPROVE, "approver"), (Act.SIGN_RESULT, "approver")])
    paying = perform(signed, Act.REQUEST_FINANCIAL_OBLIGATION, "handler")
    assert paying == Position(S.AWAITING_FINANCIAL_OBLIGATION, K.ISSUING)
    assert perform(paying, Act.CONFIRM_PAYMENT, "system") == signed


def test_acts_that_keep_the_state_keep_the_step() -> None:
    for number in ("T18", "T20", "T24"):
        row = transition(number)
        assert after(row, state=S.IN_PROCESSING, step=K.CONSULTING) == Position(S.IN_PROCESSING, K.CONSULTING)


def test_the_step_is_cleared_when_processing_ends() -> None:
    assert after(transition("T21c"), state=S.IN_PROCESSING, step=K.ISSUING).step is None
    assert after(transition("T19b"), state=S.IN_PROCESSING, step=K.APPRAISING).step is None
    assert after(transition("T15"), state=S.PROCESSING_SUPPLEMENT_REQUESTED, step=K.APPRAISING).step is None
    assert after(transition("T23b"), state=S.WITHDRAWAL_REQUESTED, step=K.ASSIGNED).step is None


def test_after_refuses_a_row_that_does_not_start_from_the_state() -> None:
    with pytest.raises(ValueError, match="T21a does not start from returned"):
        after(transition("T21a"), state=S.RETURNED, step=None)
