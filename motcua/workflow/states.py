"""The states of a dossier (SPEC §5.1), the steps inside processing, and the national portal codes.

Pure Python: no Django, no database. ``dossiers`` stores ``State`` and ``Step`` values; ``integration``
asks ``national_status`` which ``TrangThaiHoSo`` code (1-10) to send to the national public service
portal (DVCQG-SYNC.md §6.1).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, NamedTuple


class State(StrEnum):
    """Where a dossier is in its life cycle (SPEC §5.1).

    ``NEW`` is not in the SPEC's list: it is the pseudo-state of a dossier an officer is entering at
    the counter (SPEC T2/T3/T4 start from "(counter)", before any dossier exists). It keeps the
    counter acts apart from the applicant's online ``DRAFT``: an officer can never accept a draft the
    applicant has not submitted. ``dossiers`` may create the row in ``NEW`` or treat "no row yet" as
    ``NEW``; either way no code is issued and no clock runs before ``accept`` (SPEC §6.1 rule 1).
    """

    NEW = "new"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INTAKE_SUPPLEMENT_REQUESTED = "intake_supplement_requested"
    INTAKE_REFUSED = "intake_refused"
    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    PROCESSING_SUPPLEMENT_REQUESTED = "processing_supplement_requested"
    AWAITING_FINANCIAL_OBLIGATION = "awaiting_financial_obligation"
    WITHDRAWAL_REQUESTED = "withdrawal_requested"
    STOPPED = "stopped"
    REFUSED_AFTER_APPRAISAL = "refused_after_appraisal"
    RESULT_READY = "result_ready"
    RETURNED = "returned"


class Step(StrEnum):
    """Where a dossier is inside the competent agency; meaningful while a step is kept (``STEP_STATES``).

    SPEC §5.1 lists the sub-states of IN_PROCESSING; they are a field of the dossier, not states, so
    the national status stays 4 throughout. Differences from the SPEC's list, and why:

    * ``VERIFYING`` is folded into ``APPRAISING``: GLOSSARY has one act, ``appraise``, for
      "thẩm định, thẩm tra, xác minh"; a verification is an appraisal record (ND61 Art 19(3)).
    * ``AWAITING_APPROVAL`` is ``APPRAISING`` once an appraisal is recorded: GLOSSARY has no act for
      handing the draft to the approver (*trình*), so the approver may ``approve`` any dossier whose
      appraisal is recorded. If such an act is added, it gets its own step.
    * ``REFUSAL_PROPOSED`` is new: the handler proposed a refusal (``propose_refusal``) and the
      approver decides (``refuse_after_appraisal``, SPEC T19).
    * ``INTERAGENCY_AT_X`` is not a step: inter-agency work is a set of tasks at other agencies
      (SPEC T18), tracked by ``dossiers``, while the lead agency's step stays where it was.
    """

    AWAITING_ASSIGNMENT = "awaiting_assignment"
    ASSIGNED = "assigned"
    APPRAISING = "appraising"
    CONSULTING = "consulting"
    REFUSAL_PROPOSED = "refusal_proposed"
    SIGNING = "signing"
    ISSUING = "issuing"


class Label(NamedTuple):
    vi: str
    en: str


STATE_LABELS: Final[dict[State, Label]] = {
    State.NEW: Label("Đang tiếp nhận tại quầy", "Being received at the counter"),
    State.DRAFT: Label("Bản nháp", "Draft"),
    State.SUBMITTED: Label("Mới đăng ký", "Submitted"),
    State.INTAKE_SUPPLEMENT_REQUESTED: Label("Chờ bổ sung, hoàn thiện", "Awaiting completion"),
    State.INTAKE_REFUSED: Label("Không được tiếp nhận", "Refused at intake"),
    State.RECEIVED: Label("Được tiếp nhận", "Received"),
    State.IN_PROCESSING: Label("Đang xử lý", "In processing"),
    State.PROCESSING_SUPPLEMENT_REQUESTED: Label("Yêu cầu bổ sung giấy tờ", "Awaiting a supplement"),
    State.AWAITING_FINANCIAL_OBLIGATION: Label(
        "Chờ thực hiện nghĩa vụ tài chính", "Awaiting the financial obligation"
    ),
    State.WITHDRAWAL_REQUESTED: Label("Công dân yêu cầu rút hồ sơ", "Withdrawal requested"),
    State.STOPPED: Label("Dừng xử lý", "Stopped"),
    State.REFUSED_AFTER_APPRAISAL: Label("Không đủ điều kiện giải quyết", "Refused after appraisal"),
    State.RESULT_READY: Label("Đã xử lý xong", "Result ready"),
    State.RETURNED: Label("Đã trả kết quả", "Returned"),
}

STEP_LABELS: Final[dict[Step, Label]] = {
    Step.AWAITING_ASSIGNMENT: Label("Chờ phân công thụ lý", "Awaiting assignment"),
    Step.ASSIGNED: Label("Đã phân công thụ lý", "Assigned"),
    Step.APPRAISING: Label("Đang thẩm định", "Appraising"),
    Step.CONSULTING: Label("Đang lấy ý kiến", "Consulting"),
    Step.REFUSAL_PROPOSED: Label("Đề xuất từ chối, chờ quyết định", "Refusal proposed"),
    Step.SIGNING: Label("Đã phê duyệt, chờ ký", "Awaiting signature"),
    Step.ISSUING: Label("Đã ký, chờ vào số, phát hành", "Awaiting issue"),
}

# Nothing can happen to the dossier any more. REFUSED_AFTER_APPRAISAL is not here: SPEC §5.1 calls it
# "terminal for processing; the notice is returned like a result", so it leaves by ``return_result``
# (SPEC T22) to RETURNED, exactly like a result.
TERMINAL: Final = frozenset({State.INTAKE_REFUSED, State.STOPPED, State.RETURNED})

# Accepted and not yet finished: the clock has started and may run (it is paused or stopped while
# the applicant supplements or pays, depending on the procedure's policy; SPEC §6.1 rule 7, T16).
# Processing ends (``finished_at``) on leaving these states.
ACTIVE: Final = frozenset(
    {
        State.RECEIVED,
        State.IN_PROCESSING,
        State.PROCESSING_SUPPLEMENT_REQUESTED,
        State.AWAITING_FINANCIAL_OBLIGATION,
        State.WITHDRAWAL_REQUESTED,
    }
)

# The active states that wait for the applicant (reported separately, SPEC §6.1 rule 10).
WAITING_FOR_APPLICANT: Final = frozenset(
    {State.PROCESSING_SUPPLEMENT_REQUESTED, State.AWAITING_FINANCIAL_OBLIGATION}
)

# Before acceptance: no dossier code, no clock (SPEC §4.3 dossier_code, §6.1 rule 1).
BEFORE_ACCEPTANCE: Final = frozenset(
    {State.NEW, State.DRAFT, State.SUBMITTED, State.INTAKE_SUPPLEMENT_REQUESTED}
)

# States in which the dossier keeps its step: IN_PROCESSING, and the states it comes back to
# IN_PROCESSING from (after a supplement or a payment the handler picks up where they were). In
# every other state the step is None.
STEP_STATES: Final = frozenset(
    {
        State.IN_PROCESSING,
        State.PROCESSING_SUPPLEMENT_REQUESTED,
        State.AWAITING_FINANCIAL_OBLIGATION,
        State.WITHDRAWAL_REQUESTED,
    }
)

# SPEC §5.1 leaves open whether a refusal after appraisal is sent as 8 (Dừng xử lý) or as 9 (Đã xử lý
# xong) with a refusal result (DVCQG-SYNC §11 item 6) [I]. motcua sends 9 because:
# * ND61 Art 19(8): the refusal is issued within the time limit and "entered in the result section":
#   processing is finished with a result (the reasoned Form 03), which the 766 timeliness counts;
# * the notice is returned like a result, so the trail reads 4 → 9 → 10, never 8 → 10;
# * 8 stays reserved for stopping (TT03 Form 05: on request, or for non-supplementation), so
#   withdrawals and refusals are not mixed in the portal's figures.
# The integration adapter may pass another value (a setting) until the VPCP technical guide settles it.
REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS: Final = 9

_NATIONAL_STATUS: Final[dict[State, int | None]] = {
    State.NEW: None,
    State.DRAFT: None,
    State.SUBMITTED: 1,  # Mới đăng ký
    State.INTAKE_SUPPLEMENT_REQUESTED: 1,  # SPEC §5.1: "stays 1 / portal 'chờ bổ sung'"
    State.INTAKE_REFUSED: 3,  # Không được tiếp nhận
    State.RECEIVED: 2,  # Được tiếp nhận
    State.IN_PROCESSING: 4,  # Đang xử lý
    State.PROCESSING_SUPPLEMENT_REQUESTED: 5,  # Yêu cầu bổ sung giấy tờ
    State.AWAITING_FINANCIAL_OBLIGATION: 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    State.WITHDRAWAL_REQUESTED: 7,  # Công dân yêu cầu rút hồ sơ
    State.STOPPED: 8,  # Dừng xử lý
    State.REFUSED_AFTER_APPRAISAL: REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS,
    State.RESULT_READY: 9,  # Đã xử lý xong
    State.RETURNED: 10,  # Đã trả kết quả
}


def national_status(
    state: State, *, refused_after_appraisal: int = REFUSED_AFTER_APPRAISAL_NATIONAL_STATUS
) -> int | None:
    """The national portal's ``TrangThaiHoSo`` (1-10) for a state, or None where it has none.

    ``refused_after_appraisal`` lets the integration adapter follow a per-deployment setting (8 or 9)
    for REFUSED_AFTER_APPRAISAL; every other state has one fixed code (SPEC §5.1).
    """
    if state == State.REFUSED_AFTER_APPRAISAL:
        if refused_after_appraisal not in (8, 9):
            raise ValueError("A refusal after appraisal is sent as 8 or 9 (SPEC §5.1).")
        return refused_after_appraisal
    return _NATIONAL_STATUS[state]


def is_terminal(state: State) -> bool:
    """No act is possible any more (INTAKE_REFUSED, STOPPED, RETURNED)."""
    return state in TERMINAL


def state_label(state: State, language: str | None = "vi") -> str:
    label = STATE_LABELS[state]
    return label.en if (language or "vi").startswith("en") else label.vi


def step_label(step: Step, language: str | None = "vi") -> str:
    label = STEP_LABELS[step]
    return label.en if (language or "vi").startswith("en") else label.vi
