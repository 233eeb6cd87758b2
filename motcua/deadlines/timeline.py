"""The clock of a dossier: replaying its ClockEvents into the legal, original and extended due dates.

SPEC §4.3 (ClockEvent), §6.1 rules 7-9 and 11, §6.2 ``legalDue``, worked examples W7-W8 and
scenarios 13-19. The event log is append-only and lives with the dossier; this module only reads a
sequence of events (never mutating it) and answers "when is it due, is the clock running, how much
time is left, was it early, on time or late". No Django here either.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from motcua.core.clock import VN_TZ, now
from motcua.core.errors import ValidationFailed
from motcua.deadlines.arithmetic import (
    DEFAULT_CUTOFF,
    DEFAULT_HOURS,
    Due,
    Granularity,
    OfficeHours,
    Timeliness,
    TimeUnit,
    WorkingCalendar,
    add_months,
    add_working_time,
    classify,
    due_date,
    format_day,
    to_local_checked,
    working_time_between,
)

__all__ = [
    "ClockEvent",
    "ClockEventKind",
    "SupplementPolicy",
    "Timeline",
    "apology_deadline",
    "classify_step",
    "replay",
    "step_due",
    "supplement_window_end",
]


class ClockEventKind(StrEnum):
    """What happened to the clock (SPEC §4.3 ClockEvent)."""

    START = "start"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    SUPPLEMENT_RECEIVED = "supplement_received"
    FINANCIAL_OBLIGATION_REQUESTED = "financial_obligation_requested"
    PAID = "paid"
    EXTENDED = "extended"
    STOPPED = "stopped"
    FINISHED = "finished"


class SupplementPolicy(StrEnum):
    """What a supplement request during processing does to the clock (per procedure)."""

    RESTART = "restart"  # ND61 Art 19(4): "được tính lại từ đầu sau khi nhận đủ hồ sơ"
    PAUSE = "pause"  # specialised law: the time already used is kept
    NONE = "none"  # the clock keeps running


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """One entry of the clock timeline; ``new_due_at`` is the proposed date of an EXTENDED event."""

    kind: ClockEventKind
    at: datetime
    new_due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    """The clock of one dossier (or step) replayed up to an instant.

    ``legal_due_at`` is the due date the law gives after supplements and payments;
    ``original_due_at`` the one computed at START (kept for statistics, SPEC §6.1 rule 8);
    ``due_at`` the appointment in force: the later of the legal and the extended due date.
    Elapsed and remaining time are measured at the finish, the stop, the start of a pause, or
    ``at``, whichever applies; ``remaining_*`` is negative when the appointment has passed.
    The ``*_working_minutes`` fields are set for working-hour limits only.
    """

    original_due_at: datetime
    legal_due_at: datetime
    extended_due_at: datetime | None
    due_at: datetime
    is_running: bool
    is_paused: bool
    finished_at: datetime | None
    stopped_at: datetime | None
    elapsed_working_days: int
    remaining_working_days: int
    elapsed_working_minutes: int | None
    remaining_working_minutes: int | None
    timeliness: Timeliness | None
    is_late_with_apology: bool
    is_apology_overdue: bool
    supplement_count: int


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def _refuse(code: str, message_vi: str, message_en: str, field: str = "events") -> ValidationFailed:
    return ValidationFailed(message_vi, message_en, code=code, field=field)


def _stamp(instant: datetime) -> str:
    local = instant.astimezone(VN_TZ)
    return f"{local:%H:%M} {format_day(local.date())}"


_KIND_VI: Final = {
    ClockEventKind.START: "bắt đầu tính hạn",
    ClockEventKind.SUPPLEMENT_REQUESTED: "yêu cầu bổ sung",
    ClockEventKind.SUPPLEMENT_RECEIVED: "nhận bổ sung",
    ClockEventKind.FINANCIAL_OBLIGATION_REQUESTED: "thông báo nghĩa vụ tài chính",
    ClockEventKind.PAID: "hoàn thành nghĩa vụ tài chính",
    ClockEventKind.EXTENDED: "gia hạn",
    ClockEventKind.STOPPED: "dừng giải quyết",
    ClockEventKind.FINISHED: "hoàn thành",
}


# --------------------------------------------------------------------------------------------------
# Replay
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    legal_due_at: datetime
    anchor: datetime  # the instant the current run of the clock started (START or a resumption)
    month_anchor: date  # MONTH limits: the day the corresponding day is counted from
    used: int = 0  # working or calendar days used before ``anchor`` (PAUSE)
    used_us: int = 0  # working microseconds used before ``anchor`` (hour limits, PAUSE)
    used_working_days: int = 0  # for reporting, whatever the unit
    shift_days: int = 0  # MONTH limits under PAUSE: calendar days the clock was stopped (moves the start)
    paused_at: datetime | None = None
    supplement_open: bool = False
    financial_open: bool = False
    extended_due_at: datetime | None = None
    finished_at: datetime | None = None
    stopped_at: datetime | None = None
    supplement_count: int = 0


class _Clock:
    """The fixed parameters of one replay (limit, calendar, hours, policy)."""

    def __init__(
        self,
        amount: int,
        unit: TimeUnit,
        calendar: WorkingCalendar,
        hours: OfficeHours,
        cutoff: time,
    ) -> None:
        self.amount = amount
        self.unit = unit
        self.calendar = calendar
        self.hours = hours
        self.cutoff = cutoff

    def due(self, received_at: datetime, amount: int) -> Due:
        return due_date(
            received_at=received_at,
            amount=amount,
            unit=self.unit,
            calendar=self.calendar,
            hours=self.hours,
            cutoff=self.cutoff,
        )

    def end_of_office_day(self, d: date) -> datetime:
        return datetime.combine(d, self.hours.end_of_day(d), VN_TZ)

    def restart(self, state: _State, at: datetime) -> None:
        """ND61 Art 19(4): the full time limit runs again from the receipt of the supplement."""
        state.used = state.used_us = state.used_working_days = state.shift_days = 0
        state.anchor = at
        state.month_anchor = at.astimezone(VN_TZ).date()
        state.legal_due_at = self.due(at, self.amount).due_at

    def resume(self, state: _State, paused_at: datetime, at: datetime) -> None:
        """PAUSE: keep the time used between the last start and the pause; the rest runs from ``at``."""
        start_day = state.anchor.astimezone(VN_TZ).date()
        pause_day = paused_at.astimezone(VN_TZ).date()
        resume_day = at.astimezone(VN_TZ).date()
        state.used_working_days += max(self.calendar.working_days_between(start_day, pause_day), 0)
        if paused_at > state.legal_due_at:
            # The limit had already run out when the clock stopped: a pause cannot give time back.
            state.anchor = at
            return
        unit = self.unit
        if unit is TimeUnit.WORKING_DAY:
            state.used += max(self.calendar.working_days_between(start_day, pause_day), 0)
            state.legal_due_at = self.due(at, max(self.amount - state.used, 0)).due_at
        elif unit is TimeUnit.CALENDAR_DAY:
            state.used += (pause_day - start_day).days
            state.legal_due_at = self.due(at, max(self.amount - state.used, 0)).due_at
        elif unit is TimeUnit.WORKING_HOUR:
            state.used_us += working_time_between(state.anchor, paused_at, self.calendar, self.hours) // (
                timedelta(microseconds=1)
            )
            remaining_us = max(self.amount * 3_600_000_000 - state.used_us, 0)
            state.legal_due_at = add_working_time(
                at, timedelta(microseconds=remaining_us), self.calendar, self.hours
            )
        elif unit is TimeUnit.MONTH:
            # A month limit cannot be split into used and remaining parts: the calendar days the clock
            # was stopped move its start instead, and the month is counted from there (BLDS
            # Art 148(3), then 148(5)). Moving the end would disagree with RESTART at month ends.
            state.shift_days += (resume_day - pause_day).days
            nominal = add_months(state.month_anchor + timedelta(days=state.shift_days), self.amount)
            state.legal_due_at = self.end_of_office_day(self.calendar.working_on_or_after(nominal))
        else:
            # A same-day limit has nothing to keep: it runs again from the resumption.
            state.legal_due_at = self.due(at, self.amount).due_at
        state.anchor = at


def _check_events(events: Sequence[ClockEvent]) -> None:
    if not events or events[0].kind != ClockEventKind.START:
        raise _refuse(
            "no_start",
            "Dòng thời gian phải bắt đầu bằng sự kiện tiếp nhận (bắt đầu tính hạn).",
            "The timeline must begin with a START event (the acceptance of the dossier).",
        )
    previous: datetime | None = None
    for event in events:
        to_local_checked(event.at, "events")
        if event.new_due_at is not None:
            to_local_checked(event.new_due_at, "events")
        if previous is not None and event.at < previous:
            raise _refuse(
                "events_out_of_order",
                f"Sự kiện “{_KIND_VI[event.kind]}” lúc {_stamp(event.at)} xảy ra trước sự kiện liền trước "
                f"({_stamp(previous)}).",
                f"The event “{event.kind.value}” at {_stamp(event.at)} is earlier than the event before "
                f"it ({_stamp(previous)}).",
            )
        previous = event.at


def _apply(clock: _Clock, state: _State, event: ClockEvent, policy: SupplementPolicy) -> None:
    kind = event.kind
    if state.finished_at is not None or state.stopped_at is not None:
        raise _refuse(
            "after_finish",
            f"Không thể ghi nhận “{_KIND_VI[kind]}” sau khi hồ sơ đã hoàn thành hoặc dừng giải quyết.",
            f"Cannot record “{kind.value}” after the dossier was finished or stopped.",
        )
    if kind == ClockEventKind.START:
        raise _refuse(
            "duplicate_start",
            "Hồ sơ đã bắt đầu tính hạn; không thể bắt đầu lần thứ hai.",
            "The clock has already started; it cannot start twice.",
        )
    if kind == ClockEventKind.SUPPLEMENT_REQUESTED or kind == ClockEventKind.FINANCIAL_OBLIGATION_REQUESTED:
        if state.supplement_open and kind == ClockEventKind.SUPPLEMENT_REQUESTED:
            raise _refuse(
                "supplement_already_requested",
                "Đang chờ bổ sung theo yêu cầu trước; phải nhận bổ sung trước khi yêu cầu lần nữa.",
                "A supplement request is already open; receive it before requesting again.",
            )
        if state.supplement_open or state.financial_open:
            raise _refuse(
                "clock_paused",
                f"Không thể “{_KIND_VI[kind]}” khi đang chờ bổ sung hoặc chờ nghĩa vụ tài chính.",
                f"Cannot record “{kind.value}” while a supplement or a payment is awaited.",
            )
        if kind == ClockEventKind.SUPPLEMENT_REQUESTED:
            state.supplement_open = True
            state.supplement_count += 1
            if policy != SupplementPolicy.NONE:
                state.paused_at = event.at
        else:
            # The time the applicant takes to pay is excluded (SPEC T16 [I]): a pause.
            state.financial_open = True
            state.paused_at = event.at
        return
    if kind == ClockEventKind.SUPPLEMENT_RECEIVED:
        if not state.supplement_open:
            raise _refuse(
                "no_open_supplement_request",
                "Không có yêu cầu bổ sung nào đang chờ nên không thể ghi nhận đã nhận bổ sung.",
                "There is no open supplement request to receive a supplement for.",
            )
        state.supplement_open = False
        paused_at, state.paused_at = state.paused_at, None
        if policy == SupplementPolicy.RESTART:
            clock.restart(state, event.at)
        elif policy == SupplementPolicy.PAUSE and paused_at is not None:
            clock.resume(state, paused_at, event.at)
        return
    if kind == ClockEventKind.PAID:
        if not state.financial_open or state.paused_at is None:
            raise _refuse(
                "no_open_financial_request",
                "Không có thông báo nghĩa vụ tài chính nào đang chờ thanh toán.",
                "There is no open financial obligation to record a payment for.",
            )
        clock.resume(state, state.paused_at, event.at)
        state.financial_open = False
        state.paused_at = None
        return
    if kind == ClockEventKind.EXTENDED:
        # ND61 Art 19(9): the appointment may be rescheduled at most once, to a later date.
        if state.extended_due_at is not None:
            raise _refuse(
                "second_extension",
                "Hồ sơ đã được hẹn lại một lần; không được gia hạn lần thứ hai (NĐ 61 Điều 19(9)).",
                "The appointment was already rescheduled once; a second extension is not allowed "
                "(ND61 Art 19(9)).",
            )
        if event.new_due_at is None:
            raise _refuse(
                "missing_new_due_at",
                "Gia hạn phải ghi ngày hẹn trả kết quả mới.",
                "An extension must state the new due date.",
            )
        if event.new_due_at <= state.legal_due_at:
            raise _refuse(
                "extension_not_later",
                f"Ngày hẹn mới {_stamp(event.new_due_at)} phải sau hạn hiện tại "
                f"{_stamp(state.legal_due_at)}.",
                f"The new due date {_stamp(event.new_due_at)} must be after the current due date "
                f"{_stamp(state.legal_due_at)}.",
            )
        state.extended_due_at = event.new_due_at
        return
    if kind == ClockEventKind.STOPPED:
        state.stopped_at = event.at
        return
    state.finished_at = event.at  # FINISHED


def _minutes(delta: timedelta) -> int:
    """Whole minutes, truncated toward zero."""
    minutes = abs(delta) // timedelta(minutes=1)
    return minutes if delta >= timedelta(0) else -minutes


def replay(
    events: Sequence[ClockEvent],
    *,
    amount: int,
    unit: TimeUnit,
    calendar: WorkingCalendar,
    hours: OfficeHours = DEFAULT_HOURS,
    cutoff: time = DEFAULT_CUTOFF,
    policy: SupplementPolicy = SupplementPolicy.RESTART,
    granularity: Granularity = Granularity.DAY,
    extension_aware: bool = False,
    at: datetime | None = None,
) -> Timeline:
    """Replay the clock events of a dossier as of ``at`` (default: now).

    The whole sequence is checked (order, START first, nothing after FINISHED/STOPPED, at most one
    extension); events later than ``at`` are then ignored, so a report at a cut-off sees the clock
    as it was. Supplements follow ``policy`` (SPEC §6.1 rule 7); a financial obligation pauses the
    clock until PAID. A finished dossier is classified against the legal due date unless
    ``extension_aware`` (SPEC §6.1 rule 8: "late with apology" stays LATE by default).
    """
    sequence = tuple(events)
    _check_events(sequence)
    when = now() if at is None else at
    to_local_checked(when, "at")
    start = sequence[0]
    if when < start.at:
        raise _refuse(
            "at_before_start",
            f"Thời điểm xem ({_stamp(when)}) trước khi bắt đầu tính hạn ({_stamp(start.at)}).",
            f"The instant asked for ({_stamp(when)}) is before the clock started ({_stamp(start.at)}).",
            field="at",
        )
    clock = _Clock(amount, unit, calendar, hours, cutoff)
    original = clock.due(start.at, amount).due_at
    state = _State(legal_due_at=original, anchor=start.at, month_anchor=start.at.astimezone(VN_TZ).date())
    as_of: _State | None = None
    for event in sequence[1:]:
        if as_of is None and event.at > when:
            as_of = dataclasses.replace(state)
        _apply(clock, state, event, policy)
    if as_of is not None:
        state = as_of
    return _summarise(clock, state, original, when, granularity, extension_aware)


def _summarise(
    clock: _Clock,
    state: _State,
    original: datetime,
    when: datetime,
    granularity: Granularity,
    extension_aware: bool,
) -> Timeline:
    calendar, hours = clock.calendar, clock.hours
    legal = state.legal_due_at
    extended = state.extended_due_at
    due_at = extended if extended is not None and extended > legal else legal
    ended_at = state.finished_at or state.stopped_at
    is_paused = ended_at is None and state.paused_at is not None
    measured_at = ended_at or (state.paused_at if is_paused else None) or when
    measured_day = measured_at.astimezone(VN_TZ).date()
    elapsed_days = state.used_working_days + max(
        calendar.working_days_between(state.anchor.astimezone(VN_TZ).date(), measured_day), 0
    )
    remaining_days = calendar.working_days_between(measured_day, due_at.astimezone(VN_TZ).date())
    elapsed_minutes: int | None = None
    remaining_minutes: int | None = None
    if clock.unit is TimeUnit.WORKING_HOUR:
        run = working_time_between(state.anchor, measured_at, calendar, hours)
        elapsed_minutes = _minutes(timedelta(microseconds=state.used_us) + max(run, timedelta(0)))
        remaining_minutes = _minutes(working_time_between(measured_at, due_at, calendar, hours))

    timeliness: Timeliness | None = None
    if state.finished_at is not None:
        target = due_at if extension_aware else legal
        timeliness = classify(
            finished_at=state.finished_at, due_at=target, granularity=granularity, hours=hours
        )
    late_against_legal = False
    if extended is not None and state.stopped_at is None:
        late_against_legal = (
            classify(
                finished_at=state.finished_at or when, due_at=legal, granularity=granularity, hours=hours
            )
            is Timeliness.LATE
        )
    # ND61 Art 19(9): the apology (Form 04) is due at the latest one working day before the due day.
    is_apology_overdue = (
        ended_at is None
        and not is_paused
        and extended is None
        and when.astimezone(VN_TZ).date() > apology_deadline(legal, calendar)
    )
    return Timeline(
        original_due_at=original,
        legal_due_at=legal,
        extended_due_at=extended,
        due_at=due_at,
        is_running=ended_at is None and not is_paused,
        is_paused=is_paused,
        finished_at=state.finished_at,
        stopped_at=state.stopped_at,
        elapsed_working_days=elapsed_days,
        remaining_working_days=remaining_days,
        elapsed_working_minutes=elapsed_minutes,
        remaining_working_minutes=remaining_minutes,
        timeliness=timeliness,
        is_late_with_apology=late_against_legal,
        is_apology_overdue=is_apology_overdue,
        supplement_count=state.supplement_count,
    )


# --------------------------------------------------------------------------------------------------
# Legal side deadlines
# --------------------------------------------------------------------------------------------------


def apology_deadline(due_at: datetime, calendar: WorkingCalendar) -> date:
    """The last day to send the apology and extension (Form 04): the working day before the due day.

    ND61 Art 19(9), kept after ND118 (Lai Châu QĐ 88/2025 Art 3(6)): "chậm nhất 01 ngày trước ngày
    hết hạn". W8: due Mon 16/03/2026 → Fri 13/03/2026.
    """
    return calendar.previous_working(to_local_checked(due_at, "due_at").date())


def supplement_window_end(received_at: datetime, calendar: WorkingCalendar, days: int = 3) -> date:
    """The last day the agency may ask for a supplement during processing.

    ND61 Art 19(4): the written request is sent within 3 working days of receipt (unless specialised
    law says otherwise). Scenario 14: accepted Mon 02/03/2026 → window ends Thu 05/03/2026.
    """
    return calendar.add_working_days(to_local_checked(received_at, "received_at").date(), days)


# --------------------------------------------------------------------------------------------------
# Per-step budgets (a processing task gets its own due date; SPEC §6.1 rule 11, scenario 19)
# --------------------------------------------------------------------------------------------------


def step_due(
    *,
    started_at: datetime,
    budget_amount: int,
    budget_unit: TimeUnit,
    calendar: WorkingCalendar,
    hours: OfficeHours = DEFAULT_HOURS,
    cutoff: time = DEFAULT_CUTOFF,
) -> Due:
    """The due date of one step (task) that started at ``started_at`` with its own budget."""
    return due_date(
        received_at=started_at,
        amount=budget_amount,
        unit=budget_unit,
        calendar=calendar,
        hours=hours,
        cutoff=cutoff,
    )


def classify_step(
    *,
    started_at: datetime,
    finished_at: datetime,
    budget_amount: int,
    budget_unit: TimeUnit,
    calendar: WorkingCalendar,
    hours: OfficeHours = DEFAULT_HOURS,
    cutoff: time = DEFAULT_CUTOFF,
    granularity: Granularity = Granularity.DAY,
) -> Timeliness:
    """Early, on time or late for one step against its own budget (TT01/2018 indicator 2)."""
    due = step_due(
        started_at=started_at,
        budget_amount=budget_amount,
        budget_unit=budget_unit,
        calendar=calendar,
        hours=hours,
        cutoff=cutoff,
    )
    return classify(finished_at=finished_at, due_at=due.due_at, granularity=granularity, hours=hours)
