"""States, their labels and the national portal status codes (SPEC §5.1, DVCQG-SYNC §6.1)."""

from __future__ import annotations

import pytest

from motcua.workflow import (
    ACT_LABELS,
    ACTIVE,
    REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS,
    STATE_LABELS,
    STEP_LABELS,
    TERMINAL,
    Act,
    State,
    Step,
    is_terminal,
    national_status,
)
from motcua.workflow.states import (
    BEFORE_ACCEPTANCE,
    STEP_STATES,
    WAITING_FOR_APPLICANT,
    state_label,
    step_label,
)

S = State


def test_state_values_are_readable_lowercase_names() -> None:
    assert [s.value for s in State] == [s.name.lower() for s in State]
    assert [s.value for s in Step] == [s.name.lower() for s in Step]
    assert len(State) == 14  # the SPEC's 13 plus the counter pseudo-state NEW


def test_national_status_exactly_as_spec() -> None:
    assert {state: national_status(state) for state in State} == {
        S.NEW: None,
        S.DRAFT: None,
        S.SUBMITTED: 1,
        S.INTAKE_SUPPLEMENT_REQUESTED: 1,
        S.INTAKE_REFUSED: 3,
        S.RECEIVED: 2,
        S.IN_PROCESSING: 4,
        S.PROCESSING_SUPPLEMENT_REQUESTED: 5,
        S.AWAITING_FINANCIAL_OBLIGATION: 6,
        S.WITHDRAWAL_REQUESTED: 7,
        S.STOPPED: 8,
        S.REFUSED_AFTER_APPRAISAL: 9,
        S.RESULT_READY: 9,
        S.RETURNED: 10,
    }
    assert REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS == 9


def test_every_code_from_1_to_10_except_none_is_used() -> None:
    assert {national_status(state) for state in State} == {None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}


def test_refusal_after_appraisal_may_be_sent_as_8_by_setting() -> None:
    assert national_status(S.REFUSED_AFTER_APPRAISAL, refused_after_appraisal=8) == 8
    assert national_status(S.RESULT_READY, refused_after_appraisal=8) == 9
    with pytest.raises(ValueError, match="8 or 9"):
        national_status(S.REFUSED_AFTER_APPRAISAL, refused_after_appraisal=10)


def test_terminal_and_active_sets() -> None:
    assert {S.INTAKE_REFUSED, S.STOPPED, S.RETURNED} == TERMINAL
    assert {
        S.RECEIVED,
        S.IN_PROCESSING,
        S.PROCESSING_SUPPLEMENT_REQUESTED,
        S.AWAITING_FINANCIAL_OBLIGATION,
        S.WITHDRAWAL_REQUESTED,
    } == ACTIVE
    assert {S.PROCESSING_SUPPLEMENT_REQUESTED, S.AWAITING_FINANCIAL_OBLIGATION} == WAITING_FOR_APPLICANT
    assert {S.NEW, S.DRAFT, S.SUBMITTED, S.INTAKE_SUPPLEMENT_REQUESTED} == BEFORE_ACCEPTANCE
    assert ACTIVE - {S.RECEIVED} == STEP_STATES
    # Every state is exactly one of: before acceptance, active, ended awaiting return, terminal.
    ended = {S.REFUSED_AFTER_APPRAISAL, S.RESULT_READY}
    groups = [BEFORE_ACCEPTANCE, ACTIVE, ended, TERMINAL]
    assert sum(len(g) for g in groups) == len(State)
    assert set().union(*groups) == set(State)


def test_is_terminal() -> None:
    assert [s for s in State if is_terminal(s)] == [S.INTAKE_REFUSED, S.STOPPED, S.RETURNED]
    assert not is_terminal(S.REFUSED_AFTER_APPRAISAL)


def test_labels_in_both_languages_for_every_state_step_and_act() -> None:
    for labels in (STATE_LABELS, STEP_LABELS):
        assert all(label.vi and label.en for label in labels.values())
        assert len({label.vi for label in labels.values()}) == len(labels)
        assert len({label.en for label in labels.values()}) == len(labels)
    assert set(STATE_LABELS) == set(State)
    assert set(STEP_LABELS) == set(Step)
    assert set(ACT_LABELS) == set(Act)
    assert all(all(label) for label in ACT_LABELS.values())


def test_labels_follow_the_national_portal_wording_where_it_has_one() -> None:
    assert STATE_LABELS[S.SUBMITTED].vi == "Mới đăng ký"
    assert STATE_LABELS[S.RECEIVED].vi == "Được tiếp nhận"
    assert STATE_LABELS[S.INTAKE_REFUSED].vi == "Không được tiếp nhận"
    assert STATE_LABELS[S.IN_PROCESSING].vi == "Đang xử lý"
    assert STATE_LABELS[S.PROCESSING_SUPPLEMENT_REQUESTED].vi == "Yêu cầu bổ sung giấy tờ"
    assert STATE_LABELS[S.WITHDRAWAL_REQUESTED].vi == "Công dân yêu cầu rút hồ sơ"
    assert STATE_LABELS[S.STOPPED].vi == "Dừng xử lý"
    assert STATE_LABELS[S.RESULT_READY].vi == "Đã xử lý xong"
    assert STATE_LABELS[S.RETURNED].vi == "Đã trả kết quả"


def test_label_helpers_pick_the_language() -> None:
    assert state_label(S.RETURNED) == "Đã trả kết quả"
    assert state_label(S.RETURNED, "en-gb") == "Returned"
    assert state_label(S.RETURNED, None) == "Đã trả kết quả"
    assert step_label(Step.SIGNING, "en") == "Awaiting signature"
    assert step_label(Step.SIGNING, "vi") == "Đã phê duyệt, chờ ký"
