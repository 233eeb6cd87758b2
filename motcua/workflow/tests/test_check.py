"""check(): wrong state, wrong step and wrong role refusals, with exact codes and messages."""

from __future__ import annotations

import pytest

from motcua.core.errors import MotcuaError, PermissionRefused, ValidationFailed
from motcua.workflow import (
    Act,
    ActNotAllowed,
    Position,
    RoleNotAllowed,
    State,
    Step,
    WorkflowRefusal,
    after,
    allowed_acts,
    check,
    transition,
)
from motcua.workflow.tests.support import EVERYONE

S, K = State, Step


def test_check_returns_the_row() -> None:
    row = check(act=Act.APPROVE, state=S.IN_PROCESSING, step=K.APPRAISING, roles=["approver"])
    assert row is transition("T21a")
    assert after(row, state=S.IN_PROCESSING, step=K.APPRAISING) == Position(S.IN_PROCESSING, K.SIGNING)


def test_same_act_picks_the_row_of_the_state() -> None:
    assert check(act=Act.ACCEPT, state=S.NEW, step=None, roles=["reception_officer"]).number == "T2"
    assert check(act=Act.ACCEPT, state=S.SUBMITTED, step=None, roles=["reception_officer"]).number == "T7"
    assert check(act=Act.FORWARD, state=S.RECEIVED, step=None, roles=["system"]).number == "T9"
    assert check(act=Act.FORWARD, state=S.IN_PROCESSING, step=K.ASSIGNED, roles=["handler"]).number == "T18"
    stop = Act.STOP_PROCESSING
    assert (
        check(act=stop, state=S.PROCESSING_SUPPLEMENT_REQUESTED, step=K.APPRAISING, roles=["handler"]).number
        == "T15"
    )
    assert check(act=stop, state=S.WITHDRAWAL_REQUESTED, step=None, roles=["one_stop_head"]).number == "T23b"


def test_wrong_state() -> None:
    with pytest.raises(ActNotAllowed) as caught:
        check(act=Act.APPROVE, state=S.RETURNED, step=None, roles=["approver"])
    error = caught.value
    assert isinstance(error, ValidationFailed)
    assert (error.code, error.status) == ("act_not_allowed_in_state", 400)
    assert error.message_vi == "Không thể «phê duyệt» hồ sơ ở trạng thái «Đã trả kết quả»."
    assert error.message_en == "Cannot approve a dossier that is Returned."
    assert error.extra == {
        "act": "approve",
        "state": "returned",
        "step": None,
        "allowed_states": ["in_processing"],
    }
    assert (error.act, error.state, error.step) == (Act.APPROVE, S.RETURNED, None)


def test_wrong_state_names_a_multi_word_act() -> None:
    with pytest.raises(ActNotAllowed) as caught:
        check(act=Act.REQUEST_SUPPLEMENT, state=S.RECEIVED, step=None, roles=["handler"])
    assert caught.value.message_vi == "Không thể «yêu cầu bổ sung» hồ sơ ở trạng thái «Được tiếp nhận»."
    assert caught.value.message_en == "Cannot request a supplement for a dossier that is Received."


def test_wrong_role() -> None:
    with pytest.raises(RoleNotAllowed) as caught:
        check(act=Act.APPROVE, state=S.IN_PROCESSING, step=K.APPRAISING, roles=["handler", "clerk"])
    error = caught.value
    assert isinstance(error, PermissionRefused)
    assert (error.code, error.status) == ("role_not_allowed", 403)
    assert error.message_vi == "Vai trò của bạn không được phép «phê duyệt» hồ sơ ở trạng thái «Đang xử lý»."
    assert error.message_en == "Your roles do not allow you to approve a dossier that is In processing."
    assert error.extra["allowed_roles"] == ["approver"]


def test_a_role_that_can_never_act_is_refused_whatever_the_state() -> None:
    # A citizen never approves: 403 even on a returned dossier, never a hint about states.
    with pytest.raises(RoleNotAllowed) as caught:
        check(act=Act.APPROVE, state=S.RETURNED, step=None, roles=["citizen"])
    assert caught.value.message_en == "Your roles do not allow you to approve a dossier that is Returned."


def test_a_role_of_another_row_of_the_same_act_is_refused() -> None:
    # A handler forwards inside processing (T18) but does not forward a received dossier (T9).
    with pytest.raises(RoleNotAllowed) as caught:
        check(act=Act.FORWARD, state=S.RECEIVED, step=None, roles=["handler"])
    assert caught.value.extra["allowed_roles"] == ["reception_officer", "system"]


def test_no_roles_at_all() -> None:
    with pytest.raises(RoleNotAllowed):
        check(act=Act.SUBMIT, state=S.DRAFT, step=None, roles=[])


def test_wrong_step() -> None:
    with pytest.raises(ActNotAllowed) as caught:
        check(act=Act.APPROVE, state=S.IN_PROCESSING, step=K.ASSIGNED, roles=["approver"])
    error = caught.value
    assert (error.code, error.status) == ("act_not_allowed_in_step", 400)
    assert error.message_vi == (
        "Không thể «phê duyệt» hồ sơ ở bước «Đã phân công thụ lý»; hồ sơ phải ở bước «Đang thẩm định»."
    )
    assert error.message_en == "Cannot approve a dossier at the step Assigned; it must be at: Appraising."
    assert error.extra["allowed_steps"] == ["appraising"]


def test_in_processing_without_a_step() -> None:
    with pytest.raises(ActNotAllowed) as caught:
        check(act=Act.APPRAISE, state=S.IN_PROCESSING, step=None, roles=["handler"])
    assert caught.value.code == "act_not_allowed_in_step"
    assert caught.value.message_en == (
        "Cannot appraise a dossier whose step is not set; "
        "it must be at: Assigned, Appraising, Refusal proposed."
    )


def test_both_refusals_are_workflow_refusals() -> None:
    assert issubclass(ActNotAllowed, WorkflowRefusal)
    assert issubclass(RoleNotAllowed, WorkflowRefusal)
    assert issubclass(WorkflowRefusal, MotcuaError)
    assert str(ActNotAllowed("a", "b", act=Act.SUBMIT, state=S.NEW, step=None)) == "a / b"


def test_roles_may_be_enum_members_and_values_may_be_strings() -> None:
    from motcua.accounts.models import Role

    row = check(act="accept", state="submitted", step=None, roles=[Role.RECEPTION_OFFICER])  # type: ignore[arg-type]
    assert row.number == "T7"
    assert allowed_acts(S.SUBMITTED, None, [Role.RECEPTION_OFFICER]) == [
        Act.ACCEPT,
        Act.REQUEST_COMPLETION,
        Act.REFUSE_AT_INTAKE,
    ]


def test_unknown_act_or_state_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check(act="fly", state=S.NEW, step=None, roles=["citizen"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        check(act=Act.SUBMIT, state="lost", step=None, roles=["citizen"])  # type: ignore[arg-type]


def test_allowed_acts_for_buttons() -> None:
    assert allowed_acts(S.DRAFT, None, ["citizen"]) == [Act.SUBMIT]
    assert allowed_acts(S.DRAFT, None, ["reception_officer"]) == []
    assert allowed_acts(S.NEW, None, ["reception_officer"]) == [
        Act.ACCEPT,
        Act.REQUEST_COMPLETION,
        Act.REFUSE_AT_INTAKE,
    ]
    assert allowed_acts(S.IN_PROCESSING, K.APPRAISING, ["handler"]) == [
        Act.FORWARD,
        Act.APPRAISE,
        Act.CONSULT,
        Act.REQUEST_SUPPLEMENT,
        Act.REQUEST_FINANCIAL_OBLIGATION,
        Act.PROPOSE_REFUSAL,
        Act.REPORT_INCIDENT,
    ]
    assert allowed_acts(S.IN_PROCESSING, K.APPRAISING, ["approver"]) == [
        Act.REFUSE_AFTER_APPRAISAL,
        Act.APPROVE,
        Act.REPORT_INCIDENT,
    ]
    assert allowed_acts(S.IN_PROCESSING, K.APPRAISING, ["citizen"]) == [Act.REQUEST_WITHDRAWAL]
    assert allowed_acts(S.RESULT_READY, None, ["citizen"]) == []
    assert allowed_acts(S.RESULT_READY, None, ["postal_agent"]) == [Act.RETURN_RESULT]


@pytest.mark.parametrize("state", list(State))
def test_allowed_acts_agree_with_check(state: State) -> None:
    steps: list[Step | None] = [None, *Step]
    for step in steps:
        for role in EVERYONE:
            allowed = allowed_acts(state, step, [role])
            for act in Act:
                try:
                    check(act=act, state=state, step=step, roles=[role])
                except WorkflowRefusal:
                    assert act not in allowed, (state, step, role, act)
                else:
                    assert act in allowed, (state, step, role, act)
