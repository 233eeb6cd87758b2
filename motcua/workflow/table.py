"""The dossier state table: which act is legal from which state, who may do it, what it produces.

One row per transition of SPEC §5.2, keeping its T-number. A SPEC row naming several acts is split
into lettered rows (T12a consult / T12b answer_consultation, T19a-b, T21a-c, T23a-b); an act that
appears in several SPEC rows (``accept`` in T2 and T7) has one row each, with disjoint sources.

Reading a row: from any state in ``sources`` (and, inside processing, any step in ``step_sources``),
an actor holding one of ``roles`` may perform ``act``; the dossier moves to ``target`` (None: the
state is unchanged) and to ``step`` (None: the step is unchanged), the event log records ``event``,
``form`` is produced, and ``clock`` says what happens to the deadline (``deadlines.timeline`` does
the arithmetic). The reason for each rule is in ``note_en``/``note_vi``, with its source and the
SPEC's confidence marker ([V] law read, [S] secondary, [P] practice, [I] inference).

Decisions (see also ``states.py``):

* Counter intake (T2-T4) starts from the pseudo-state NEW, never from DRAFT.
* "Citizen" in the SPEC is ``APPLICANT`` (citizen, organisation, authorised representative). A
  postal agent hands dossiers in (T1, T6) and collects results (T22) on the applicant's behalf. The
  reception officer may record a resubmission (T6) when the applicant comes back to the counter.
* "System" is the pseudo-role ``SYSTEM``; "Any" (T24) is every staff role; "Processing agency"
  (T20) is the department leader, who signs the apology.
* T16 (financial obligation) is requested by the handler and confirmed by the system, finance or
  the reception officer (fees collected at the counter, DESIGN.md).
* The approver can ``approve`` (T21a) or ``refuse_after_appraisal`` (T19b) only after an appraisal is
  recorded; ``sign_result`` only after ``approve``; ``issue_result`` only after ``sign_result``.
* A withdrawal (T23a) is refused once a result is signed (step ISSUING) and from RESULT_READY on:
  the one-stop unit stops a dossier only while no decision or result exists (TT03 Art 7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, Literal, NamedTuple

from motcua.workflow import roles as r
from motcua.workflow.states import ACTIVE, State, Step


class Act(StrEnum):
    """What a person (or the system) does to a dossier; GLOSSARY.md names, verbs."""

    SUBMIT = "submit"
    ACCEPT = "accept"
    REQUEST_COMPLETION = "request_completion"
    REFUSE_AT_INTAKE = "refuse_at_intake"
    RESUBMIT = "resubmit"
    FORWARD = "forward"
    ASSIGN = "assign"
    APPRAISE = "appraise"
    CONSULT = "consult"
    ANSWER_CONSULTATION = "answer_consultation"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REQUEST_FINANCIAL_OBLIGATION = "request_financial_obligation"
    CONFIRM_PAYMENT = "confirm_payment"
    PROPOSE_REFUSAL = "propose_refusal"
    REFUSE_AFTER_APPRAISAL = "refuse_after_appraisal"
    APPROVE = "approve"
    SIGN_RESULT = "sign_result"
    ISSUE_RESULT = "issue_result"
    RETURN_RESULT = "return_result"
    APOLOGISE_AND_EXTEND = "apologise_and_extend"
    REQUEST_WITHDRAWAL = "request_withdrawal"
    STOP_PROCESSING = "stop_processing"
    REPORT_INCIDENT = "report_incident"


class ClockEffect(StrEnum):
    """What an act does to the clock (SPEC §5.2 "Clock" column, §6.1 rules 7-8)."""

    NONE = "none"
    START = "start"  # acceptance: the time limit starts (SPEC §6.1 rule 1)
    RESTART_OR_PAUSE_REQUEST = "restart_or_pause_request"  # supplement requested (policy per procedure)
    RESUME = "resume"  # supplement received: restart from the beginning, or resume (rule 7)
    PAUSE = "pause"  # financial obligation requested
    RESUME_PAYMENT = "resume_payment"  # paid
    EXTEND = "extend"  # apology and new appointment, at most once (rule 8)
    STOP = "stop"
    FINISH = "finish"

    @property
    def clock_event(self) -> str | None:
        """The ``deadlines.timeline.ClockEventKind`` value ``dossiers`` appends, or None."""
        return _CLOCK_EVENT[self]


_CLOCK_EVENT: Final[dict[ClockEffect, str | None]] = {
    ClockEffect.NONE: None,
    ClockEffect.START: "start",
    ClockEffect.RESTART_OR_PAUSE_REQUEST: "supplement_requested",
    ClockEffect.RESUME: "supplement_received",
    ClockEffect.PAUSE: "financial_obligation_requested",
    ClockEffect.RESUME_PAYMENT: "paid",
    ClockEffect.EXTEND: "extended",
    ClockEffect.STOP: "stopped",
    ClockEffect.FINISH: "finished",
}

Form = Literal["form01", "form02", "form03", "form04", "form05", "form06", "form07"]


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table (see the module docstring for how to read it)."""

    number: str
    act: Act
    sources: frozenset[State]
    target: State | None
    roles: frozenset[str]
    event: str
    form: Form | None
    clock: ClockEffect
    requires_reason: bool
    note_vi: str
    note_en: str
    step_sources: frozenset[Step] = field(default=frozenset())
    step: Step | None = None


class ActLabel(NamedTuple):
    """How an act reads: on a button, and inside the sentences of a refusal."""

    vi: str  # a button: "Phê duyệt"
    en: str  # a button: "Approve"
    vi_phrase: str  # fits "Không thể «…» hồ sơ ở trạng thái …": "phê duyệt"
    en_phrase: str  # fits "Cannot … a dossier that is …": "approve", "request a supplement for"


# fmt: off
ACT_LABELS: Final[dict[Act, ActLabel]] = {
    Act.SUBMIT: ActLabel("Nộp hồ sơ", "Submit", "nộp", "submit"),
    Act.ACCEPT: ActLabel("Tiếp nhận", "Accept", "tiếp nhận", "accept"),
    Act.REQUEST_COMPLETION: ActLabel("Hướng dẫn bổ sung, hoàn thiện", "Request completion",
                                     "hướng dẫn bổ sung, hoàn thiện", "request completion of"),
    Act.REFUSE_AT_INTAKE: ActLabel("Từ chối tiếp nhận", "Refuse at intake",
                                   "từ chối tiếp nhận", "refuse to receive"),
    Act.RESUBMIT: ActLabel("Nộp lại", "Resubmit", "nộp lại", "resubmit"),
    Act.FORWARD: ActLabel("Chuyển hồ sơ", "Forward", "chuyển", "forward"),
    Act.ASSIGN: ActLabel("Phân công thụ lý", "Assign", "phân công thụ lý", "assign"),
    Act.APPRAISE: ActLabel("Thẩm định", "Appraise", "thẩm định", "appraise"),
    Act.CONSULT: ActLabel("Lấy ý kiến", "Consult", "lấy ý kiến về", "consult other agencies on"),
    Act.ANSWER_CONSULTATION: ActLabel("Trả lời xin ý kiến", "Answer the consultation",
                                      "trả lời xin ý kiến về", "answer a consultation on"),
    Act.REQUEST_SUPPLEMENT: ActLabel("Yêu cầu bổ sung", "Request a supplement",
                                     "yêu cầu bổ sung", "request a supplement for"),
    Act.RECEIVE_SUPPLEMENT: ActLabel("Nhận bổ sung", "Receive the supplement",
                                     "nhận bổ sung", "receive a supplement for"),
    Act.REQUEST_FINANCIAL_OBLIGATION: ActLabel("Thông báo nghĩa vụ tài chính", "Request payment",
                                               "thông báo nghĩa vụ tài chính cho",
                                               "request the financial obligation for"),
    Act.CONFIRM_PAYMENT: ActLabel("Xác nhận đã thực hiện nghĩa vụ tài chính", "Confirm payment",
                                  "xác nhận nghĩa vụ tài chính cho", "confirm payment for"),
    Act.PROPOSE_REFUSAL: ActLabel("Đề xuất từ chối", "Propose refusal",
                                  "đề xuất từ chối", "propose refusing"),
    Act.REFUSE_AFTER_APPRAISAL: ActLabel("Từ chối giải quyết", "Refuse", "từ chối giải quyết", "refuse"),
    Act.APPROVE: ActLabel("Phê duyệt", "Approve", "phê duyệt", "approve"),
    Act.SIGN_RESULT: ActLabel("Ký kết quả", "Sign the result", "ký kết quả", "sign the result of"),
    Act.ISSUE_RESULT: ActLabel("Vào số, phát hành", "Issue the result",
                               "phát hành kết quả", "issue the result of"),
    Act.RETURN_RESULT: ActLabel("Trả kết quả", "Return the result", "trả kết quả", "return the result of"),
    Act.APOLOGISE_AND_EXTEND: ActLabel("Xin lỗi và hẹn lại", "Apologise and extend",
                                       "xin lỗi, hẹn lại", "apologise and extend the deadline of"),
    Act.REQUEST_WITHDRAWAL: ActLabel("Yêu cầu rút hồ sơ", "Request withdrawal",
                                     "yêu cầu rút", "request withdrawal of"),
    Act.STOP_PROCESSING: ActLabel("Dừng giải quyết", "Stop processing", "dừng giải quyết", "stop processing"),
    Act.REPORT_INCIDENT: ActLabel("Báo cáo sự cố", "Report an incident", "báo cáo sự cố về",
                                  "report an incident on"),
}
# fmt: on

# Shorthands for the table below.
S, K, C = State, Step, ClockEffect
APPLICANT = r.APPLICANT
# A handler holds the dossier and no decision exists yet.
WORKING: Final = frozenset({K.ASSIGNED, K.APPRAISING, K.CONSULTING})
# No decision or result notice exists yet: nothing is signed (TT03 Art 7).
UNSIGNED: Final = frozenset(Step) - {K.ISSUING}


def _row(
    number: str,
    act: Act,
    sources: Iterable[State],
    target: State | None,
    roles: Iterable[str],
    event: str,
    form: Form | None,
    clock: ClockEffect,
    *,
    reason: bool = False,
    steps: Iterable[Step] = (),
    step: Step | None = None,
    vi: str,
    en: str,
) -> Transition:
    return Transition(
        number=number,
        act=act,
        sources=frozenset(sources),
        target=target,
        roles=frozenset(roles),
        event=event,
        form=form,
        clock=clock,
        requires_reason=reason,
        note_vi=vi,
        note_en=en,
        step_sources=frozenset(steps),
        step=step,
    )


# fmt: off
TRANSITIONS: Final[tuple[Transition, ...]] = (
    # --- intake ------------------------------------------------------------------------------------
    _row("T1", Act.SUBMIT, {S.DRAFT}, S.SUBMITTED, APPLICANT | {r.POSTAL_AGENT, r.SUPPORT},
         "submitted", None, C.NONE,
         vi="SPEC T1: đủ thành phần bắt buộc; tài khoản xác thực (VNeID mức 2) [I]",
         en="SPEC T1: mandatory components present; authenticated account (VNeID level 2) [I]"),
    _row("T2", Act.ACCEPT, {S.NEW}, S.RECEIVED, {r.RECEPTION_OFFICER},
         "accepted", "form01", C.START,
         vi="NĐ 61 Đ17(1) [V]; NĐ 118 Đ17(1)(c), TT 03 Đ5 [S]: đủ, đúng; số hóa; cấp mã, Mẫu 01, "
            "bắt đầu tính hạn",
         en="ND61 Art 17(1) [V]; ND118 Art 17(1)(c), TT03 Art 5 [S]: complete, accurate, scanned; code, "
            "Form 01, clock starts"),
    _row("T3", Act.REQUEST_COMPLETION, {S.NEW}, S.INTAKE_SUPPLEMENT_REQUESTED, {r.RECEPTION_OFFICER},
         "completion_requested", "form02", C.NONE, reason=True,
         vi="NĐ 61 Đ15(3), Đ17(1)(a) [V]: hướng dẫn đầy đủ, một lần; không cấp mã, không tính hạn",
         en="ND61 Art 15(3), 17(1)(a) [V]: complete guidance in one go; no code, no clock"),
    _row("T4", Act.REFUSE_AT_INTAKE, {S.NEW}, S.INTAKE_REFUSED, {r.RECEPTION_OFFICER},
         "refused_at_intake", "form03", C.NONE, reason=True,
         vi="NĐ 61 Đ17(1)(b) [V]: không thuộc thẩm quyền, không phải TTHC, rõ ràng không đủ điều kiện",
         en="ND61 Art 17(1)(b) [V]: wrong competence, not a procedure, or ineligible on its face"),
    _row("T5", Act.REQUEST_COMPLETION, {S.SUBMITTED}, S.INTAKE_SUPPLEMENT_REQUESTED, {r.RECEPTION_OFFICER},
         "completion_requested", "form02", C.NONE, reason=True,
         vi="NĐ 61 Đ17(2)(a) [V]: thông báo trực tuyến nội dung, lý do, hướng dẫn đầy đủ một lần",
         en="ND61 Art 17(2)(a) [V]: notify online with content, reason and full guidance in one go"),
    _row("T6", Act.RESUBMIT, {S.INTAKE_SUPPLEMENT_REQUESTED}, S.SUBMITTED,
         APPLICANT | {r.POSTAL_AGENT, r.RECEPTION_OFFICER},
         "resubmitted", None, C.NONE,
         vi="SPEC T6: nộp lại hồ sơ đã hoàn thiện (tại quầy, cán bộ ghi nhận thay)",
         en="SPEC T6: the completed dossier comes back (at the counter the officer records it)"),
    _row("T7", Act.ACCEPT, {S.SUBMITTED}, S.RECEIVED, {r.RECEPTION_OFFICER},
         "accepted", "form01", C.START,
         vi="NĐ 61 Đ17(2)(b) [V]; NĐ 118 Đ17(2) [S]: đủ, hợp lệ; cấp mã, Mẫu 01 điện tử, bắt đầu tính hạn",
         en="ND61 Art 17(2)(b) [V]; ND118 Art 17(2) [S]: complete and valid; code, e-Form 01, clock starts"),
    _row("T8", Act.REFUSE_AT_INTAKE, {S.SUBMITTED}, S.INTAKE_REFUSED, {r.RECEPTION_OFFICER},
         "refused_at_intake", "form03", C.NONE, reason=True,
         vi="SPEC T8; căn cứ như NĐ 61 Đ17(1)(b) [V]: Mẫu 03 điện tử nêu rõ lý do",
         en="SPEC T8; grounds as ND61 Art 17(1)(b) [V]: electronic Form 03 with the reason"),
    # --- processing --------------------------------------------------------------------------------
    _row("T9", Act.FORWARD, {S.RECEIVED}, S.IN_PROCESSING, {r.SYSTEM, r.RECEPTION_OFFICER},
         "forwarded", None, C.NONE, step=K.AWAITING_ASSIGNMENT,
         vi="NĐ 61 Đ18(2)(3) [V]; NĐ 118 Đ18 [S]: bản điện tử ngay (sau 15 giờ: đầu ngày làm việc sau), "
            "bản giấy ≤ 1 ngày làm việc; dòng giao–nhận trên Mẫu 06",
         en="ND61 Art 18(2)(3) [V]; ND118 Art 18 [S]: e-dossier at once (after 15:00: next morning), "
            "paper within 1 working day; a hand-over row on Form 06"),
    _row("T10", Act.ASSIGN, {S.IN_PROCESSING}, None, {r.DEPT_LEADER},
         "assigned", None, C.NONE, steps=WORKING | {K.AWAITING_ASSIGNMENT, K.REFUSAL_PROPOSED},
         step=K.ASSIGNED,
         vi="NĐ 61 Đ19(1) [V]: người đứng đầu cơ quan phân công cán bộ thụ lý "
            "(phân công lại thì thẩm định lại)",
         en="ND61 Art 19(1) [V]: the head of the agency assigns a handler "
            "(reassigning restarts the appraisal)"),
    _row("T11", Act.APPRAISE, {S.IN_PROCESSING}, None, {r.HANDLER},
         "appraised", None, C.NONE, steps={K.ASSIGNED, K.APPRAISING, K.REFUSAL_PROPOSED}, step=K.APPRAISING,
         vi="NĐ 61 Đ19(3) [V]: thẩm định, xác minh; lập biên bản thời gian, địa điểm, thành phần, nội dung",
         en="ND61 Art 19(3) [V]: appraisal and verification; record time, place, participants, content"),
    _row("T12a", Act.CONSULT, {S.IN_PROCESSING}, None, {r.HANDLER},
         "consultation_requested", None, C.NONE, steps={K.APPRAISING, K.CONSULTING}, step=K.CONSULTING,
         vi="NĐ 61 Đ19(5) [V]: văn bản nêu nội dung, thời hạn; có thể lấy ý kiến song song",
         en="ND61 Art 19(5) [V]: a notice stating content and deadline; several agencies in parallel"),
    _row("T12b", Act.ANSWER_CONSULTATION, {S.IN_PROCESSING}, None, {r.COORDINATOR, r.HANDLER},
         "consultation_answered", None, C.NONE, steps={K.CONSULTING}, step=K.APPRAISING,
         vi="NĐ 61 Đ19(5) [V]: trả lời đúng hạn (quá hạn thì báo Trưởng Bộ phận Một cửa); "
            "về bước thẩm định khi ý kiến cuối cùng được trả lời",
         en="ND61 Art 19(5) [V]: answer by the deadline (if late, the one-stop head is told); "
            "back to APPRAISING with the last open answer"),
    _row("T13", Act.REQUEST_SUPPLEMENT, {S.IN_PROCESSING}, S.PROCESSING_SUPPLEMENT_REQUESTED, {r.HANDLER},
         "supplement_requested", "form02", C.RESTART_OR_PAUSE_REQUEST, reason=True, steps=WORKING,
         vi="NĐ 61 Đ19(4), Đ5(1)(e) [V]: trong 3 ngày làm việc, một lần, qua Bộ phận Một cửa; "
            "thời hạn tính lại từ đầu khi nhận đủ (hoặc tạm dừng theo luật chuyên ngành)",
         en="ND61 Art 19(4), 5(1)(e) [V]: within 3 working days, in one go, through the one-stop unit; "
            "the time limit restarts once complete (or pauses, per specialised law)"),
    _row("T14", Act.RECEIVE_SUPPLEMENT, {S.PROCESSING_SUPPLEMENT_REQUESTED}, S.IN_PROCESSING,
         {r.RECEPTION_OFFICER},
         "supplement_received", "form01", C.RESUME,
         vi="NĐ 61 Đ19(4) [V]: hẹn ngày trả mới (tính lại từ đầu hoặc phần còn lại); Mẫu 01 điều chỉnh [I]",
         en="ND61 Art 19(4) [V]: new appointment (full limit again, or the rest of it); amended Form 01 [I]"),
    _row("T15", Act.STOP_PROCESSING, {S.PROCESSING_SUPPLEMENT_REQUESTED}, S.STOPPED,
         {r.HANDLER, r.RECEPTION_OFFICER},
         "stopped", "form05", C.STOP, reason=True,
         vi="SPEC T15 [I]: không bổ sung trong thời hạn luật chuyên ngành hoặc thông báo; Mẫu 05 TT 03",
         en="SPEC T15 [I]: not supplemented within the period of specialised law or the notice; "
            "TT03 Form 05"),
    _row("T16", Act.REQUEST_FINANCIAL_OBLIGATION, {S.IN_PROCESSING}, S.AWAITING_FINANCIAL_OBLIGATION,
         {r.HANDLER},
         "financial_obligation_requested", None, C.PAUSE, steps=WORKING | {K.SIGNING, K.ISSUING},
         vi="SPEC T16 [P]: phải nộp phí, thuế, tiền sử dụng đất trước khi phát hành; "
            "thời gian nộp thường không tính [I]",
         en="SPEC T16 [P]: fees, taxes or land levies due before issuing; the time taken to pay is "
            "usually excluded [I]"),
    _row("T17", Act.CONFIRM_PAYMENT, {S.AWAITING_FINANCIAL_OBLIGATION}, S.IN_PROCESSING,
         {r.SYSTEM, r.FINANCE, r.RECEPTION_OFFICER},
         "payment_confirmed", None, C.RESUME_PAYMENT,
         vi="NĐ 61 Đ22 [V]: xác nhận đã nộp (đối soát trực tuyến hoặc thu tại quầy); biên lai điện tử",
         en="ND61 Art 22 [V]: payment confirmed (online reconciliation or at the counter); e-receipt"),
    _row("T18", Act.FORWARD, {S.IN_PROCESSING}, None,
         {r.SYSTEM, r.RECEPTION_OFFICER, r.DEPT_LEADER, r.HANDLER},
         "forwarded", None, C.NONE, steps=WORKING | {K.AWAITING_ASSIGNMENT},
         vi="NĐ 61 Đ19(6)(7) [V]: liên thông: mỗi cơ quan một nhiệm vụ, một thời hạn; dòng giao–nhận Mẫu 06",
         en="ND61 Art 19(6)(7) [V]: inter-agency: a task and a time limit for each agency; Form 06 rows"),
    _row("T19a", Act.PROPOSE_REFUSAL, {S.IN_PROCESSING}, None, {r.HANDLER},
         "refusal_proposed", None, C.NONE, reason=True, steps={K.APPRAISING}, step=K.REFUSAL_PROPOSED,
         vi="NĐ 61 Đ19(8) [V]: sau thẩm định, cán bộ thụ lý đề xuất từ chối có lý do",
         en="ND61 Art 19(8) [V]: after appraisal the handler proposes a reasoned refusal"),
    _row("T19b", Act.REFUSE_AFTER_APPRAISAL, {S.IN_PROCESSING}, S.REFUSED_AFTER_APPRAISAL, {r.APPROVER},
         "refused_after_appraisal", "form03", C.FINISH, reason=True, steps={K.APPRAISING, K.REFUSAL_PROPOSED},
         vi="NĐ 61 Đ19(8) [V]: Mẫu 03 nêu rõ lý do, trong thời hạn, ghi vào phần kết quả; trả như kết quả",
         en="ND61 Art 19(8) [V]: reasoned Form 03 within the time limit, in the result section; "
            "returned like a result"),
    _row("T20", Act.APOLOGISE_AND_EXTEND, ACTIVE, None, {r.DEPT_LEADER},
         "extended", "form04", C.EXTEND, reason=True,
         vi="NĐ 61 Đ19(9) [V], giữ sau NĐ 118 [S]: chậm nhất 1 ngày trước hạn, xin lỗi, nêu lý do, "
            "ngày hẹn mới; không quá một lần",
         en="ND61 Art 19(9) [V], kept after ND118 [S]: at least 1 day before the due date, apology with "
            "the reason and the new date; at most once"),
    _row("T21a", Act.APPROVE, {S.IN_PROCESSING}, None, {r.APPROVER},
         "approved", None, C.NONE, steps={K.APPRAISING}, step=K.SIGNING,
         vi="SPEC T21: người có thẩm quyền phê duyệt kết quả đã thẩm định",
         en="SPEC T21: the competent person approves the appraised result"),
    _row("T21b", Act.SIGN_RESULT, {S.IN_PROCESSING}, None, {r.APPROVER},
         "result_signed", None, C.NONE, steps={K.SIGNING}, step=K.ISSUING,
         vi="TT 01/2018 Đ10(1)(d) [V]: kết quả điện tử phải ký số",
         en="TT01/2018 Art 10(1)(d) [V]: electronic results are digitally signed"),
    _row("T21c", Act.ISSUE_RESULT, {S.IN_PROCESSING}, S.RESULT_READY, {r.CLERK},
         "result_issued", None, C.FINISH, steps={K.ISSUING},
         vi="SPEC T21: vào số, phát hành; kết thúc giải quyết (thời điểm hoàn thành)",
         en="SPEC T21: numbered and issued; processing ends (finished_at)"),
    _row("T22", Act.RETURN_RESULT, {S.RESULT_READY, S.REFUSED_AFTER_APPRAISAL}, S.RETURNED,
         {r.RECEPTION_OFFICER, r.POSTAL_AGENT, r.SYSTEM},
         "result_returned", None, C.NONE,
         vi="NĐ 61 Đ6(2)(b), Đ20(4) [V]; NĐ 118 Đ22 [S]: xuất trình Mẫu 01 (và giấy ủy quyền); "
            "trả sớm khi đã báo; kết quả điện tử vào kho dữ liệu",
         en="ND61 Art 6(2)(b), 20(4) [V]; ND118 Art 22 [S]: against Form 01 (and an authorisation); "
            "early return after notice; e-result to the personal data store"),
    # --- stopping and incidents --------------------------------------------------------------------
    _row("T23a", Act.REQUEST_WITHDRAWAL, ACTIVE - {S.WITHDRAWAL_REQUESTED}, S.WITHDRAWAL_REQUESTED,
         APPLICANT | {r.RECEPTION_OFFICER, r.SYSTEM},
         "withdrawal_requested", None, C.NONE, reason=True, steps=UNSIGNED,
         vi="NĐ 118 Đ21(1)(2), TT 03 Đ7 [S]: tại quầy, qua bưu chính hoặc Cổng DVCQG; "
            "chỉ khi chưa có quyết định, kết quả",
         en="ND118 Art 21(1)(2), TT03 Art 7 [S]: at the counter, by post or on the national portal; "
            "only while no decision or result exists"),
    _row("T23b", Act.STOP_PROCESSING, {S.WITHDRAWAL_REQUESTED}, S.STOPPED,
         {r.RECEPTION_OFFICER, r.ONE_STOP_HEAD},
         "stopped", "form05", C.STOP,
         vi="TT 03 Đ7 [S]: Bộ phận Một cửa nơi tiếp nhận ra thông báo dừng (Mẫu 05) theo yêu cầu",
         en="TT03 Art 7 [S]: the receiving one-stop unit issues the stop notice (TT03 Form 05) on request"),
    _row("T24", Act.REPORT_INCIDENT, {S.RECEIVED, S.IN_PROCESSING}, None, r.STAFF,
         "incident_reported", None, C.NONE, reason=True,
         vi="NĐ 61 Đ21(2) [V]: hồ sơ bị mất, hư hỏng: khắc phục, xác định trách nhiệm, xin lỗi",
         en="ND61 Art 21(2) [V]: a lost or damaged dossier: fix it, assign responsibility, apologise"),
)
# fmt: on

ROWS_BY_ACT: Final[dict[Act, tuple[Transition, ...]]] = {
    act: tuple(t for t in TRANSITIONS if t.act == act) for act in Act
}


def transition(number: str) -> Transition:
    """The row with this T-number ("T13", "T21b")."""
    for row in TRANSITIONS:
        if row.number == number:
            return row
    raise KeyError(number)
