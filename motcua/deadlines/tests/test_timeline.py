"""The clock timeline: supplements (W7, scenario 13), apology and extension (W8, scenarios 14-17),
financial obligations, per-step budgets (scenario 19) and the refusals of a malformed timeline."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import time_machine

from motcua.core.errors import ValidationFailed
from motcua.deadlines.arithmetic import Granularity, Timeliness, TimeUnit
from motcua.deadlines.tests.test_arithmetic import CAL, vn
from motcua.deadlines.timeline import (
    ClockEvent,
    ClockEventKind,
    SupplementPolicy,
    Timeline,
    apology_deadline,
    classify_step,
    replay,
    step_due,
    supplement_window_end,
)

K = ClockEventKind
WD = TimeUnit.WORKING_DAY

# W7 / scenario 13: 10 working days from Mon 02/03/2026; Form 02 on Wed 04/03; supplement Tue 10/03 10:00.
W7 = [
    ClockEvent(K.START, vn(2026, 3, 2, 9)),
    ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 4, 10)),
    ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 10, 10)),
]
# Scenario 16: 5 working days from Mon 09/03/2026 (due Mon 16/03); Form 04 on Fri 13/03 proposing 20/03.
S16_START = ClockEvent(K.START, vn(2026, 3, 9, 9))
S16_EXTENDED = ClockEvent(K.EXTENDED, vn(2026, 3, 13, 10), new_due_at=vn(2026, 3, 20, 17))


W7_AT = vn(2026, 3, 11, 9)


def w7(policy: SupplementPolicy, at: datetime = W7_AT) -> Timeline:
    return replay(W7, amount=10, unit=WD, calendar=CAL, policy=policy, at=at)


def test_w7_restart_recomputes_the_full_limit_from_the_supplement() -> None:
    timeline = w7(SupplementPolicy.RESTART)
    assert timeline.original_due_at == vn(2026, 3, 16, 17)
    assert timeline.legal_due_at == vn(2026, 3, 24, 17)
    assert timeline.due_at == vn(2026, 3, 24, 17)
    assert timeline.extended_due_at is None
    assert (timeline.is_running, timeline.is_paused) == (True, False)
    assert timeline.supplement_count == 1
    assert timeline.elapsed_working_days == 1  # Wed 11/03, counted from the restart
    assert timeline.remaining_working_days == 9
    assert timeline.timeliness is None
    assert timeline.elapsed_working_minutes is None and timeline.remaining_working_minutes is None


def test_restart_is_the_default_policy() -> None:
    timeline = replay(W7, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 11, 9))
    assert timeline.legal_due_at == vn(2026, 3, 24, 17)


def test_w7_pause_keeps_the_two_days_already_used() -> None:
    timeline = w7(SupplementPolicy.PAUSE)
    assert timeline.original_due_at == vn(2026, 3, 16, 17)
    assert timeline.legal_due_at == vn(2026, 3, 20, 17)
    assert timeline.elapsed_working_days == 3  # Tue 03, Wed 04, then Wed 11/03
    assert timeline.remaining_working_days == 7


def test_policy_none_does_not_move_the_clock() -> None:
    timeline = w7(SupplementPolicy.NONE)
    assert timeline.legal_due_at == timeline.original_due_at == vn(2026, 3, 16, 17)
    assert timeline.is_running and not timeline.is_paused
    assert timeline.supplement_count == 1
    assert timeline.elapsed_working_days == 7  # 03-06/03 and 09-11/03


@pytest.mark.parametrize("policy", [SupplementPolicy.RESTART, SupplementPolicy.PAUSE])
def test_the_clock_is_paused_while_the_supplement_is_awaited(policy: SupplementPolicy) -> None:
    timeline = replay(W7[:2], amount=10, unit=WD, calendar=CAL, policy=policy, at=vn(2026, 3, 6, 9))
    assert (timeline.is_running, timeline.is_paused) == (False, True)
    assert timeline.legal_due_at == vn(2026, 3, 16, 17)  # the last known due date, until the supplement
    assert timeline.elapsed_working_days == 2  # frozen at the request
    assert timeline.remaining_working_days == 8
    assert not timeline.is_apology_overdue


def test_as_of_a_cut_off_later_events_are_ignored() -> None:
    timeline = replay(W7, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 6, 9))
    assert timeline.is_paused
    assert timeline.legal_due_at == vn(2026, 3, 16, 17)
    before_request = replay(W7, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 3, 9))
    assert before_request.is_running and before_request.supplement_count == 0
    assert before_request.elapsed_working_days == 1


def test_replay_never_mutates_its_input() -> None:
    events = list(W7)
    snapshot = list(events)
    w7(SupplementPolicy.PAUSE)
    replay(events, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 11, 9))
    assert events == snapshot


def test_w8_apology_deadline_is_the_working_day_before_the_due_day() -> None:
    assert apology_deadline(vn(2026, 3, 16, 17), CAL) == date(2026, 3, 13)
    assert apology_deadline(vn(2026, 2, 23, 17), CAL) == date(2026, 2, 13)  # across Tết
    assert apology_deadline(vn(2026, 3, 18, 17), CAL) == date(2026, 3, 17)


def test_scenario_14_supplement_window() -> None:
    end = supplement_window_end(vn(2026, 3, 2, 9), CAL)
    assert end == date(2026, 3, 5)
    assert date(2026, 3, 6) > end  # a request on Fri 06/03 is day 4: outside the window
    assert supplement_window_end(vn(2026, 2, 13, 14), CAL) == date(2026, 2, 25)
    assert supplement_window_end(vn(2026, 3, 2, 9), CAL, days=5) == date(2026, 3, 9)


def test_scenario_16_apology_overdue_without_form_04() -> None:
    on_friday = replay([S16_START], amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 13, 16))
    assert on_friday.legal_due_at == vn(2026, 3, 16, 17)
    assert not on_friday.is_apology_overdue
    saturday = replay([S16_START], amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 14, 9))
    assert saturday.is_apology_overdue
    extended = replay([S16_START, S16_EXTENDED], amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 14, 9))
    assert not extended.is_apology_overdue
    assert extended.extended_due_at == vn(2026, 3, 20, 17)
    assert extended.due_at == vn(2026, 3, 20, 17)
    assert extended.legal_due_at == extended.original_due_at == vn(2026, 3, 16, 17)
    assert extended.remaining_working_days == 5  # Mon 16 to Fri 20/03


def test_remaining_is_negative_when_overdue() -> None:
    timeline = replay([S16_START], amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 18, 9))
    assert timeline.remaining_working_days == -2
    assert timeline.elapsed_working_days == 7


def test_scenario_17_late_with_apology_stays_late() -> None:
    finished = ClockEvent(K.FINISHED, vn(2026, 3, 19, 10))
    events = [S16_START, S16_EXTENDED, finished]
    timeline = replay(events, amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 25, 9))
    assert timeline.timeliness is Timeliness.LATE
    assert timeline.is_late_with_apology
    assert timeline.finished_at == vn(2026, 3, 19, 10)
    assert (timeline.is_running, timeline.is_paused) == (False, False)
    assert timeline.elapsed_working_days == 8  # measured at the finish, not at ``at``
    assert timeline.remaining_working_days == 1

    aware = replay(events, amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 25, 9), extension_aware=True)
    assert aware.timeliness is Timeliness.EARLY
    assert aware.is_late_with_apology  # a fact about the legal date, whatever the classification

    on_new_date = [S16_START, S16_EXTENDED, ClockEvent(K.FINISHED, vn(2026, 3, 20, 16))]
    assert replay(on_new_date, amount=5, unit=WD, calendar=CAL, extension_aware=True).timeliness is (
        Timeliness.ON_TIME
    )
    after_new_date = [S16_START, S16_EXTENDED, ClockEvent(K.FINISHED, vn(2026, 3, 23, 9))]
    assert replay(after_new_date, amount=5, unit=WD, calendar=CAL, extension_aware=True).timeliness is (
        Timeliness.LATE
    )


def test_extended_but_finished_in_time_is_not_late_with_apology() -> None:
    events = [S16_START, S16_EXTENDED, ClockEvent(K.FINISHED, vn(2026, 3, 16, 15))]
    timeline = replay(events, amount=5, unit=WD, calendar=CAL)
    assert timeline.timeliness is Timeliness.ON_TIME
    assert not timeline.is_late_with_apology


def test_extended_and_running_past_the_legal_date_is_late_with_apology() -> None:
    events = [S16_START, S16_EXTENDED]
    assert replay(events, amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 17, 9)).is_late_with_apology
    assert not replay(events, amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 16, 9)).is_late_with_apology


def test_session_granularity_is_passed_through() -> None:
    events = [S16_START, ClockEvent(K.FINISHED, vn(2026, 3, 16, 10))]
    assert replay(events, amount=5, unit=WD, calendar=CAL).timeliness is Timeliness.ON_TIME
    session = replay(events, amount=5, unit=WD, calendar=CAL, granularity=Granularity.SESSION)
    assert session.timeliness is Timeliness.EARLY  # before the 13:30 session in which 17:00 falls


def test_financial_obligation_pauses_the_clock_under_any_policy() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 2, 9)),
        ClockEvent(K.FINANCIAL_OBLIGATION_REQUESTED, vn(2026, 3, 5, 10)),  # 3 days used
        ClockEvent(K.PAID, vn(2026, 3, 10, 8)),
    ]
    for policy in SupplementPolicy:
        timeline = replay(events, amount=10, unit=WD, calendar=CAL, policy=policy, at=vn(2026, 3, 10, 9))
        assert timeline.legal_due_at == vn(2026, 3, 19, 17)
        assert timeline.is_running
    waiting = replay(events[:2], amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 6, 9))
    assert waiting.is_paused and not waiting.is_running


def test_pause_then_restart_then_pause() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 2, 9)),
        ClockEvent(K.FINANCIAL_OBLIGATION_REQUESTED, vn(2026, 3, 3, 9)),  # 1 day used
        ClockEvent(K.PAID, vn(2026, 3, 4, 9)),  # 9 remain from Wed 04/03 → Tue 17/03
        ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 6, 9)),
        ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 9, 9)),  # restart: 10 from Mon 09/03
    ]
    partial = replay(events[:3], amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 4, 10))
    assert partial.legal_due_at == vn(2026, 3, 17, 17)
    restarted = replay(events, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 9, 10))
    assert restarted.legal_due_at == vn(2026, 3, 23, 17)
    assert restarted.original_due_at == vn(2026, 3, 16, 17)
    paused = replay(
        events, amount=10, unit=WD, calendar=CAL, policy=SupplementPolicy.PAUSE, at=vn(2026, 3, 9, 10)
    )
    # 1 day before the payment notice, 2 days (Thu 05, Fri 06) before the supplement request: 7 remain.
    assert paused.legal_due_at == vn(2026, 3, 18, 17)
    assert paused.elapsed_working_days == 3


def test_working_hour_limits_are_measured_in_minutes() -> None:
    start = ClockEvent(K.START, vn(2026, 3, 2, 15, 30))
    running = replay([start], amount=8, unit=TimeUnit.WORKING_HOUR, calendar=CAL, at=vn(2026, 3, 3, 9))
    assert running.legal_due_at == vn(2026, 3, 3, 15, 30)
    assert running.elapsed_working_minutes == 210
    assert running.remaining_working_minutes == 270
    paused = replay(
        [
            start,
            ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 2, 16, 30)),  # 1 h used
            ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 4, 8)),
        ],
        amount=8,
        unit=TimeUnit.WORKING_HOUR,
        calendar=CAL,
        policy=SupplementPolicy.PAUSE,
        at=vn(2026, 3, 4, 9),
    )
    assert paused.legal_due_at == vn(2026, 3, 4, 17)
    assert paused.elapsed_working_minutes == 120
    assert paused.remaining_working_minutes == 360
    overdue = replay([start], amount=8, unit=TimeUnit.WORKING_HOUR, calendar=CAL, at=vn(2026, 3, 3, 16, 0))
    assert overdue.remaining_working_minutes == -30


def test_calendar_day_and_month_limits_under_pause() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 2, 9)),
        ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 5, 9)),
        ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 9, 9)),
    ]
    pause = SupplementPolicy.PAUSE
    days = replay(
        events, amount=15, unit=TimeUnit.CALENDAR_DAY, calendar=CAL, policy=pause, at=vn(2026, 3, 9, 10)
    )
    assert days.original_due_at == vn(2026, 3, 17, 17)
    assert days.legal_due_at == vn(2026, 3, 23, 17)  # 12 remain from 09/03 → Sat 21/03 → Mon 23/03
    month = replay(events, amount=1, unit=TimeUnit.MONTH, calendar=CAL, policy=pause, at=vn(2026, 3, 9, 10))
    assert month.original_due_at == vn(2026, 4, 2, 17)
    assert month.legal_due_at == vn(
        2026, 4, 6, 17
    )  # counted from 06/03: the start moves by the 4 stopped days
    restart = replay(events, amount=1, unit=TimeUnit.MONTH, calendar=CAL, at=vn(2026, 3, 9, 10))
    assert restart.legal_due_at == vn(2026, 4, 9, 17)
    same_day_events = [
        ClockEvent(K.START, vn(2026, 3, 2, 9)),
        ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 2, 10)),
        ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 3, 14)),
    ]
    same_day = replay(
        same_day_events, amount=1, unit=TimeUnit.SAME_DAY, calendar=CAL, policy=pause, at=vn(2026, 3, 3, 15)
    )
    assert same_day.original_due_at == vn(2026, 3, 2, 17)
    assert same_day.legal_due_at == vn(2026, 3, 3, 17)  # nothing to keep: it runs again from the receipt


def test_a_pause_after_the_due_date_gives_no_time_back() -> None:
    events = [
        ClockEvent(K.START, vn(2026, 3, 2, 9)),
        ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 18, 9)),
        ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 20, 9)),
    ]
    timeline = replay(
        events, amount=10, unit=WD, calendar=CAL, policy=SupplementPolicy.PAUSE, at=vn(2026, 3, 20, 10)
    )
    assert timeline.legal_due_at == vn(2026, 3, 16, 17)
    assert timeline.remaining_working_days == -4


def test_stopped_dossiers_are_not_classified() -> None:
    events = [S16_START, ClockEvent(K.STOPPED, vn(2026, 3, 11, 9))]
    timeline = replay(events, amount=5, unit=WD, calendar=CAL, at=vn(2026, 3, 20, 9))
    assert timeline.stopped_at == vn(2026, 3, 11, 9)
    assert timeline.timeliness is None and timeline.finished_at is None
    assert not timeline.is_running and not timeline.is_paused
    assert not timeline.is_apology_overdue
    assert timeline.elapsed_working_days == 2


def test_finishing_while_a_supplement_is_awaited_is_allowed() -> None:
    events = [*W7[:2], ClockEvent(K.FINISHED, vn(2026, 3, 6, 9))]
    timeline = replay(events, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 20, 9))
    assert timeline.timeliness is Timeliness.EARLY
    assert not timeline.is_paused


# --------------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------------

START = ClockEvent(K.START, vn(2026, 3, 2, 9))
FINISHED = ClockEvent(K.FINISHED, vn(2026, 3, 12, 9))

REFUSED = [
    ("no events", [], "no_start"),
    ("no START first", [ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 2, 9))], "no_start"),
    ("two STARTs", [START, ClockEvent(K.START, vn(2026, 3, 3, 9))], "duplicate_start"),
    (
        "out of order",
        [
            START,
            ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 5, 9)),
            ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 4, 9)),
        ],
        "events_out_of_order",
    ),
    (
        "supplement received without a request",
        [START, ClockEvent(K.SUPPLEMENT_RECEIVED, vn(2026, 3, 4, 9))],
        "no_open_supplement_request",
    ),
    (
        "two open supplement requests",
        [
            START,
            ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 3, 9)),
            ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 4, 9)),
        ],
        "supplement_already_requested",
    ),
    (
        "payment notice while a supplement is awaited",
        [
            START,
            ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 3, 9)),
            ClockEvent(K.FINANCIAL_OBLIGATION_REQUESTED, vn(2026, 3, 4, 9)),
        ],
        "clock_paused",
    ),
    ("payment without a notice", [START, ClockEvent(K.PAID, vn(2026, 3, 4, 9))], "no_open_financial_request"),
    (
        "supplement after finish",
        [START, FINISHED, ClockEvent(K.SUPPLEMENT_REQUESTED, vn(2026, 3, 13, 9))],
        "after_finish",
    ),
    ("anything after a stop", [START, ClockEvent(K.STOPPED, vn(2026, 3, 4, 9)), FINISHED], "after_finish"),
    (
        "second extension",
        [
            START,
            ClockEvent(K.EXTENDED, vn(2026, 3, 13, 9), new_due_at=vn(2026, 3, 20, 17)),
            ClockEvent(K.EXTENDED, vn(2026, 3, 19, 9), new_due_at=vn(2026, 3, 27, 17)),
        ],
        "second_extension",
    ),
    ("extension without a date", [START, ClockEvent(K.EXTENDED, vn(2026, 3, 13, 9))], "missing_new_due_at"),
    (
        "extension to an earlier date",
        [START, ClockEvent(K.EXTENDED, vn(2026, 3, 13, 9), new_due_at=vn(2026, 3, 16, 17))],
        "extension_not_later",
    ),
    ("naive event time", [START, ClockEvent(K.FINISHED, datetime(2026, 3, 12, 9))], "naive_datetime"),
    (
        "naive extension date",
        [START, ClockEvent(K.EXTENDED, vn(2026, 3, 13, 9), new_due_at=datetime(2026, 3, 20, 17))],
        "naive_datetime",
    ),
]


@pytest.mark.parametrize(("events", "code"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_malformed_timelines_are_refused(events: list[ClockEvent], code: str) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        replay(events, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 30, 9))
    assert excinfo.value.code == code
    assert excinfo.value.field == "events"
    assert excinfo.value.message_vi and excinfo.value.message_en


def test_second_extension_is_refused_even_when_asked_before_it() -> None:
    events = [
        START,
        ClockEvent(K.EXTENDED, vn(2026, 3, 13, 9), new_due_at=vn(2026, 3, 20, 17)),
        ClockEvent(K.EXTENDED, vn(2026, 3, 19, 9), new_due_at=vn(2026, 3, 27, 17)),
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        replay(events, amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 14, 9))
    assert excinfo.value.message_en == (
        "The appointment was already rescheduled once; a second extension is not allowed (ND61 Art 19(9))."
    )


def test_the_instant_asked_for_must_be_aware_and_after_the_start() -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        replay([START], amount=10, unit=WD, calendar=CAL, at=datetime(2026, 3, 5, 9))
    assert (excinfo.value.code, excinfo.value.field) == ("naive_datetime", "at")
    with pytest.raises(ValidationFailed) as excinfo:
        replay([START], amount=10, unit=WD, calendar=CAL, at=vn(2026, 3, 1, 9))
    assert (excinfo.value.code, excinfo.value.field) == ("at_before_start", "at")


def test_at_defaults_to_now() -> None:
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):
        timeline = replay([START], amount=10, unit=WD, calendar=CAL)
    assert timeline.elapsed_working_days == 6
    assert timeline.remaining_working_days == 4


# --------------------------------------------------------------------------------------------------
# Per-step budgets (scenario 19)
# --------------------------------------------------------------------------------------------------


def test_scenario_19_step_late_while_the_dossier_is_on_time() -> None:
    dossier = replay(
        [ClockEvent(K.START, vn(2026, 3, 2, 9)), ClockEvent(K.FINISHED, vn(2026, 3, 16, 16))],
        amount=10,
        unit=WD,
        calendar=CAL,
    )
    assert dossier.timeliness is Timeliness.ON_TIME

    # Sở Nông nghiệp và Môi trường: 6 working days from Mon 02/03, done Wed 04/03.
    department_due = step_due(started_at=vn(2026, 3, 2, 9), budget_amount=6, budget_unit=WD, calendar=CAL)
    assert department_due.due_at == vn(2026, 3, 10, 17)
    assert (
        classify_step(
            started_at=vn(2026, 3, 2, 9),
            finished_at=vn(2026, 3, 4, 15),
            budget_amount=6,
            budget_unit=WD,
            calendar=CAL,
        )
        is Timeliness.EARLY
    )
    # The tax office: 3 working days from Wed 04/03 15:00 (due Mon 09/03), takes 5 (done Wed 11/03).
    tax_due = step_due(started_at=vn(2026, 3, 4, 15), budget_amount=3, budget_unit=WD, calendar=CAL)
    assert tax_due.due_at == vn(2026, 3, 9, 17)
    assert CAL.working_days_between(date(2026, 3, 4), date(2026, 3, 11)) == 5
    assert (
        classify_step(
            started_at=vn(2026, 3, 4, 15),
            finished_at=vn(2026, 3, 11, 10),
            budget_amount=3,
            budget_unit=WD,
            calendar=CAL,
        )
        is Timeliness.LATE
    )


def test_step_budgets_in_hours_and_same_day() -> None:
    assert step_due(
        started_at=vn(2026, 3, 2, 15, 30), budget_amount=8, budget_unit=TimeUnit.WORKING_HOUR, calendar=CAL
    ).due_at == vn(2026, 3, 3, 15, 30)
    assert (
        classify_step(
            started_at=vn(2026, 3, 5, 15, 10),
            finished_at=vn(2026, 3, 6, 9),
            budget_amount=1,
            budget_unit=TimeUnit.SAME_DAY,
            calendar=CAL,
            cutoff=time(16),
            granularity=Granularity.SESSION,
        )
        is Timeliness.LATE
    )
