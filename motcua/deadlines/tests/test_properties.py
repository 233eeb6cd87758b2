"""Properties of the deadline arithmetic over random calendars (hypothesis), 2020-2030.

Each example draws its own calendar: random holiday runs (like Tết), scattered days off and swapped
working Saturdays/Sundays. The indexed arithmetic is also checked against the day-by-day and
minute-by-minute walks of SPEC §6.2, which are slow but obviously right.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import (
    DEFAULT_HOURS,
    CalendarEntry,
    DayKind,
    Timeliness,
    TimeUnit,
    WorkingCalendar,
    classify,
    due_date,
)
from motcua.deadlines.timeline import ClockEvent, ClockEventKind, SupplementPolicy, replay

WD, CD, WH, MO = TimeUnit.WORKING_DAY, TimeUnit.CALENDAR_DAY, TimeUnit.WORKING_HOUR, TimeUnit.MONTH
FIRST, LAST = date(2019, 10, 1), date(2033, 12, 31)
EARLIEST, LATEST = date(2020, 1, 1), date(2030, 12, 31)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    off: set[date] = set()
    for start, length in draw(
        st.lists(st.tuples(st.dates(EARLIEST, LATEST), st.integers(1, 10)), max_size=40)
    ):
        off.update(start + timedelta(days=i) for i in range(length))
    off.update(draw(st.sets(st.dates(EARLIEST, LATEST), max_size=150)))
    makeup = {d for d in draw(st.sets(st.dates(EARLIEST, LATEST), max_size=60)) if d.weekday() >= 5} - off
    entries = [CalendarEntry(d, DayKind.DAY_OFF, "Nghỉ", "Day off") for d in off]
    entries += [CalendarEntry(d, DayKind.MAKEUP_WORKDAY, "Làm bù", "Make-up day") for d in makeup]
    return WorkingCalendar(entries, FIRST, LAST)


instants = st.builds(
    lambda d, minute: datetime(d.year, d.month, d.day, tzinfo=VN_TZ) + timedelta(minutes=minute),
    st.dates(EARLIEST, LATEST),
    st.integers(0, 24 * 60 - 1),
)

PROPERTY = settings(deadline=None, max_examples=80)


def walk_working_days(calendar: WorkingCalendar, start: date, n: int) -> date:
    """SPEC §6.2 dueDate for WORKING_DAY, literally: step one day at a time."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if calendar.is_working(d):
            counted += 1
    return d


def walk_working_minutes(calendar: WorkingCalendar, start: datetime, minutes: int) -> datetime:
    """Count office minutes one by one (SPEC §6.1 rule 5), from a whole-minute start."""
    t = start.astimezone(VN_TZ)
    counted = 0
    while True:
        windows = DEFAULT_HOURS.windows_for(t.date(), calendar)
        inside = any(begin <= t.time() < end for begin, end in windows)
        if inside:
            if counted == minutes:
                return t
            counted += 1
            if counted == minutes:
                return t + timedelta(minutes=1)
            t += timedelta(minutes=1)
        elif not windows or t.time() >= windows[-1][1]:
            t = datetime.combine(t.date() + timedelta(days=1), time(0), VN_TZ)
        else:
            t += timedelta(minutes=1)


@PROPERTY
@given(calendars(), instants, st.integers(0, 250), st.sampled_from([WD, CD, MO]))
def test_a_day_limit_is_never_due_on_a_day_off(
    calendar: WorkingCalendar, received_at: datetime, amount: int, unit: TimeUnit
) -> None:
    if unit is MO:
        amount //= 10
    due = due_date(received_at=received_at, amount=amount, unit=unit, calendar=calendar)
    assert calendar.is_working(due.last_day)
    assert due.due_at.astimezone(VN_TZ).date() == due.last_day
    assert due.due_at.astimezone(VN_TZ).time() == time(17, 0)
    assert due.last_day >= due.nominal_day
    assert all(not calendar.is_working(d) for d in due.skipped)


@PROPERTY
@given(calendars(), instants, st.integers(0, 250))
def test_working_days_match_the_day_by_day_walk(
    calendar: WorkingCalendar, received_at: datetime, amount: int
) -> None:
    due = due_date(received_at=received_at, amount=amount, unit=WD, calendar=calendar)
    received_day = received_at.date()
    expected = (
        walk_working_days(calendar, received_day, amount)
        if amount
        else calendar.working_on_or_after(received_day)
    )
    assert due.last_day == expected
    if amount:
        assert calendar.working_days_between(received_day, due.last_day) == amount
        assert calendar.add_working_days(received_day, amount) == expected


@PROPERTY
@given(calendars(), instants, st.integers(0, 16))
def test_working_hours_match_the_minute_by_minute_walk(
    calendar: WorkingCalendar, received_at: datetime, amount: int
) -> None:
    due = due_date(received_at=received_at, amount=amount, unit=WH, calendar=calendar)
    assert due.due_at == walk_working_minutes(calendar, received_at, amount * 60)


@PROPERTY
@given(calendars(), instants, st.integers(0, 200), st.integers(0, 200), st.sampled_from([WD, CD, WH, MO]))
def test_more_time_never_gives_an_earlier_date(
    calendar: WorkingCalendar, received_at: datetime, a: int, b: int, unit: TimeUnit
) -> None:
    if unit is MO:
        a, b = a // 10, b // 10
    low, high = sorted((a, b))
    first = due_date(received_at=received_at, amount=low, unit=unit, calendar=calendar)
    second = due_date(received_at=received_at, amount=high, unit=unit, calendar=calendar)
    assert first.due_at <= second.due_at


@PROPERTY
@given(calendars(), instants, st.integers(1, 150), st.integers(0, 150))
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(
    calendar: WorkingCalendar, received_at: datetime, n: int, m: int
) -> None:
    first = due_date(received_at=received_at, amount=n, unit=WD, calendar=calendar)
    chained = due_date(received_at=first.due_at, amount=m, unit=WD, calendar=calendar)
    direct = due_date(received_at=received_at, amount=n + m, unit=WD, calendar=calendar)
    assert chained.due_at == direct.due_at


@PROPERTY
@given(calendars(), instants, st.integers(0, 100), st.integers(1, 100))
def test_adding_n_then_m_working_hours_equals_adding_n_plus_m(
    calendar: WorkingCalendar, received_at: datetime, n: int, m: int
) -> None:
    first = due_date(received_at=received_at, amount=n, unit=WH, calendar=calendar)
    chained = due_date(received_at=first.due_at, amount=m, unit=WH, calendar=calendar)
    direct = due_date(received_at=received_at, amount=n + m, unit=WH, calendar=calendar)
    assert chained.due_at == direct.due_at


@PROPERTY
@given(calendars(), instants, st.integers(1, 60))
def test_a_dossier_finished_at_its_due_time_is_on_time(
    calendar: WorkingCalendar, received_at: datetime, amount: int
) -> None:
    due = due_date(received_at=received_at, amount=amount, unit=WD, calendar=calendar)
    assert classify(finished_at=due.due_at, due_at=due.due_at) is Timeliness.ON_TIME
    assert classify(finished_at=received_at, due_at=due.due_at) is not Timeliness.LATE


@PROPERTY
@given(
    calendars(),
    instants,
    st.integers(1, 60),
    st.integers(0, 60 * 24 * 40),
    st.integers(0, 60 * 24 * 40),
    st.sampled_from([WD, CD, WH, MO]),
)
def test_pause_is_never_earlier_than_none_and_restart_never_earlier_than_pause(
    calendar: WorkingCalendar,
    started_at: datetime,
    amount: int,
    to_request: int,
    to_receipt: int,
    unit: TimeUnit,
) -> None:
    if unit is MO:
        amount = 1 + amount // 20
    requested_at = started_at + timedelta(minutes=to_request)
    received_at = requested_at + timedelta(minutes=to_receipt)
    events = [
        ClockEvent(ClockEventKind.START, started_at),
        ClockEvent(ClockEventKind.SUPPLEMENT_REQUESTED, requested_at),
        ClockEvent(ClockEventKind.SUPPLEMENT_RECEIVED, received_at),
    ]

    def legal_due(policy: SupplementPolicy) -> datetime:
        timeline = replay(events, amount=amount, unit=unit, calendar=calendar, policy=policy, at=received_at)
        return timeline.legal_due_at

    unchanged = due_date(received_at=started_at, amount=amount, unit=unit, calendar=calendar).due_at
    assert legal_due(SupplementPolicy.NONE) == unchanged
    assert legal_due(SupplementPolicy.PAUSE) >= unchanged
    assert legal_due(SupplementPolicy.RESTART) >= legal_due(SupplementPolicy.PAUSE)
