"""Pure deadline arithmetic: working calendars, office hours, due dates, early / on time / late.

Nothing here touches Django or the database: the calendar, the office hours and the instant are
passed in, so the same code serves the back office, the receipt, the reports and the benchmark.
All calendar work happens in Vietnamese local time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving;
SPEC §12). The rules and their legal sources are in SPEC §6.1-§6.3.

The hot path (``due_date`` for working days) is integer arithmetic on date ordinals over an index
built once per calendar: no day-by-day walk, no explanation built per call. The days off a due date
skipped are computed only when asked for (``Due.skipped_days_off()``, ``explain.explain()``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final, NamedTuple

from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationFailed

__all__ = [
    "DEFAULT_CUTOFF",
    "DEFAULT_HOURS",
    "MAX_AMOUNT",
    "CalendarEntry",
    "CalendarRangeError",
    "DayKind",
    "DayOff",
    "Due",
    "Granularity",
    "OfficeHours",
    "TimeUnit",
    "Timeliness",
    "WorkingCalendar",
    "add_months",
    "add_working_time",
    "classify",
    "due_date",
    "format_day",
    "to_local_checked",
    "working_time_between",
]


class TimeUnit(StrEnum):
    """The unit of a procedure's time limit (thời hạn giải quyết)."""

    WORKING_DAY = "working_day"
    CALENDAR_DAY = "calendar_day"
    WORKING_HOUR = "working_hour"
    SAME_DAY = "same_day"
    MONTH = "month"


class DayKind(StrEnum):
    """What a calendar entry does to its day (OpenCPS holiday types 0 and 1)."""

    DAY_OFF = "day_off"
    MAKEUP_WORKDAY = "makeup_workday"


class Timeliness(StrEnum):
    """Trước hạn / đúng hạn / quá hạn (TT01/2018 indicator 1: 2 / 1 / 0 points)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class Granularity(StrEnum):
    """How finely ``classify`` compares a finish with a due time (SPEC §6.1 rule 9)."""

    DAY = "day"
    SESSION = "session"


# Ten years of each unit: anything longer is a typing error, not a procedure.
MAX_AMOUNT: Final[dict[TimeUnit, int]] = {
    TimeUnit.WORKING_DAY: 2600,
    TimeUnit.CALENDAR_DAY: 3650,
    TimeUnit.WORKING_HOUR: 20800,
    TimeUnit.MONTH: 120,
    TimeUnit.SAME_DAY: 1,
}

DEFAULT_CUTOFF: Final = time(15, 0)

_US_PER_SECOND: Final = 1_000_000
_US_PER_HOUR: Final = 3600 * _US_PER_SECOND
_US_PER_DAY: Final = 24 * _US_PER_HOUR
_ONE_DAY: Final = timedelta(days=1)


def format_day(d: date) -> str:
    """dd/mm/yyyy, the way Vietnamese forms print a date."""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _field_error(code: str, field_name: str, message_vi: str, message_en: str) -> ValidationFailed:
    return ValidationFailed(message_vi, message_en, code=code, field=field_name)


def to_local_checked(instant: datetime, field_name: str) -> datetime:
    """``instant`` in Vietnamese local time; a naive datetime is refused (code ``naive_datetime``)."""
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise _field_error(
            "naive_datetime",
            field_name,
            f"Thời điểm “{field_name}” phải kèm múi giờ (ví dụ +07:00).",
            f"The instant “{field_name}” must carry a time zone offset (e.g. +07:00).",
        )
    return instant.astimezone(VN_TZ)


# --------------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------------


class CalendarRangeError(ValidationFailed):
    """A date the working calendar does not cover: the calendar for that year must be declared."""

    code = "date_out_of_calendar_range"

    def __init__(self, day: date, first_day: date, last_day: date, *, field: str | None = None) -> None:
        span = f"{format_day(first_day)}–{format_day(last_day)}"
        super().__init__(
            f"Ngày {format_day(day)} nằm ngoài lịch làm việc đã khai báo ({span}); "
            f"cần khai báo lịch năm {day.year} trước khi tính hạn.",
            f"The date {format_day(day)} is outside the declared working calendar ({span}); "
            f"declare the {day.year} calendar before computing deadlines.",
            code="date_out_of_calendar_range",
            field=field,
        )
        self.day = day
        self.first_day = first_day
        self.last_day = last_day


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One day the annual schedule changes: a day off (holiday, bridge) or a swapped working day."""

    day: date
    kind: DayKind
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class DayOff:
    """A non-working day: ``entry`` names it, or is None for an ordinary Saturday or Sunday."""

    day: date
    entry: CalendarEntry | None

    @property
    def is_weekend(self) -> bool:
        return self.entry is None


class WorkingCalendar:
    """The working days of one competent agency's province over ``[first_day, last_day]``.

    A day is a working day when it is Monday–Friday and not a DAY_OFF entry, or when it is a
    MAKEUP_WORKDAY entry (SPEC §6.2 ``isWorking``): BLLD Art 111-112 fix the weekly rest and the
    public holidays, and the yearly civil-service notice adds bridge days and swapped Saturdays.

    The constructor builds an index so every query is O(1): ``_cum[i]`` is the number of working
    days in ``[first_day, first_day + i]`` and ``_work`` the ordinals of the working days in order.
    """

    __slots__ = (
        "_count",
        "_cum",
        "_dates",
        "_entries",
        "_first",
        "_first_day",
        "_is_work",
        "_last",
        "_last_day",
        "_makeup",
        "_provisional",
        "_span",
        "_work",
    )

    def __init__(
        self,
        entries: Iterable[CalendarEntry],
        first_day: date,
        last_day: date,
        provisional_years: frozenset[int] = frozenset(),
    ) -> None:
        if last_day < first_day:
            raise ValidationFailed(
                f"Lịch làm việc không hợp lệ: ngày cuối {format_day(last_day)} "
                f"trước ngày đầu {format_day(first_day)}.",
                f"Invalid working calendar: last day {format_day(last_day)} "
                f"is before first day {format_day(first_day)}.",
                code="invalid_calendar_range",
                field="last_day",
            )
        by_day: dict[date, CalendarEntry] = {}
        for entry in entries:
            previous = by_day.get(entry.day)
            if previous is not None and previous != entry:
                raise ValidationFailed(
                    f"Ngày {format_day(entry.day)} được khai báo hai lần trong lịch "
                    f"(“{previous.name_vi}” và “{entry.name_vi}”).",
                    f"The date {format_day(entry.day)} is declared twice in the calendar "
                    f"(“{previous.name_en}” and “{entry.name_en}”).",
                    code="duplicate_calendar_entry",
                    field="entries",
                )
            by_day[entry.day] = entry
        self._entries = by_day
        self._first_day = first_day
        self._last_day = last_day
        self._first = first_day.toordinal()
        self._last = last_day.toordinal()
        self._provisional = frozenset(provisional_years)

        cum: list[int] = []
        dates: list[date] = []
        work: list[int] = []
        is_work = bytearray()
        count = 0
        for ordinal in range(self._first, self._last + 1):
            day = date.fromordinal(ordinal)
            dates.append(day)
            listed = by_day.get(day)
            # Ordinal 1 (01/01/0001) was a Monday, so (ordinal - 1) % 7 is the weekday.
            working = listed.kind is DayKind.MAKEUP_WORKDAY if listed is not None else (ordinal - 1) % 7 < 5
            if working:
                count += 1
                work.append(ordinal)
            is_work.append(working)
            cum.append(count)
        self._cum = cum
        self._dates = dates
        self._work = work
        self._count = len(work)
        self._span = self._last - self._first
        self._is_work = bytes(is_work)
        self._makeup = sorted(
            e.day.toordinal()
            for e in by_day.values()
            if e.kind is DayKind.MAKEUP_WORKDAY and self._first <= e.day.toordinal() <= self._last
        )

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar({format_day(self._first_day)}–{format_day(self._last_day)}, "
            f"{len(self._entries)} entries, provisional={sorted(self._provisional)})"
        )

    # -- range ---------------------------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return self._first_day

    @property
    def last_day(self) -> date:
        return self._last_day

    def covers(self, d: date) -> bool:
        return self._first_day <= d <= self._last_day

    def _index(self, d: date) -> int:
        i = d.toordinal() - self._first
        if i < 0 or i > self._span:
            raise CalendarRangeError(d, self._first_day, self._last_day)
        return i

    def _overflow(self) -> CalendarRangeError:
        return CalendarRangeError(self._last_day + timedelta(days=1), self._first_day, self._last_day)

    # -- ordinal primitives (the hot path; ``o`` is a date ordinal) ------------------------------

    def _nth_after_ord(self, o: int, n: int) -> int:
        """Ordinal of the n-th working day strictly after ordinal ``o`` (n ≥ 1)."""
        i = o - self._first
        if i < 0 or i > self._span:
            raise CalendarRangeError(date.fromordinal(o), self._first_day, self._last_day)
        j = self._cum[i] + n - 1
        if j >= self._count:
            raise self._overflow()
        return self._work[j]

    def _span_ord(self, o: int, n: int) -> tuple[int, int]:
        """Ordinals of the first and the n-th working day strictly after ordinal ``o`` (n ≥ 1)."""
        i = o - self._first
        if i < 0 or i > self._span:
            raise CalendarRangeError(date.fromordinal(o), self._first_day, self._last_day)
        k = self._cum[i]
        if k + n > self._count:
            raise self._overflow()
        work = self._work
        return work[k], work[k + n - 1]

    def _on_or_after_ord(self, o: int) -> int:
        i = o - self._first
        if i < 0 or i > self._span:
            raise CalendarRangeError(date.fromordinal(o), self._first_day, self._last_day)
        if self._is_work[i]:
            return o
        j = self._cum[i]
        if j >= self._count:
            raise self._overflow()
        return self._work[j]

    # -- queries ---------------------------------------------------------------------------------

    def is_working(self, d: date) -> bool:
        return bool(self._is_work[self._index(d)])

    def next_working(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return date.fromordinal(self._nth_after_ord(d.toordinal(), 1))

    def previous_working(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        i = self._index(d)
        j = self._cum[i] - (2 if self._is_work[i] else 1)
        if j < 0:
            raise CalendarRangeError(self._first_day - timedelta(days=1), self._first_day, self._last_day)
        return date.fromordinal(self._work[j])

    def working_on_or_after(self, d: date) -> date:
        return date.fromordinal(self._on_or_after_ord(d.toordinal()))

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d``; ``n == 0`` returns ``d`` itself."""
        if n < 0:
            raise _field_error(
                "negative_amount",
                "n",
                "Số ngày làm việc không được âm.",
                "The number of working days must not be negative.",
            )
        if n == 0:
            self._index(d)
            return d
        return date.fromordinal(self._nth_after_ord(d.toordinal(), n))

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in ``(a, b]``; negative (minus those in ``(b, a]``) when b < a."""
        return self._cum[self._index(b)] - self._cum[self._index(a)]

    def days_off_between(self, a: date, b: date) -> tuple[DayOff, ...]:
        """The non-working days in ``(a, b]``, each with its entry (None for a plain weekend day)."""
        ia, ib = self._index(a), self._index(b)
        dates, entries = self._dates, self._entries
        return tuple(
            DayOff(dates[i], entries.get(dates[i])) for i in range(ia + 1, ib + 1) if not self._is_work[i]
        )

    def makeup_days_between(self, a: date, b: date) -> tuple[CalendarEntry, ...]:
        """The MAKEUP_WORKDAY entries in ``(a, b]`` (swapped working Saturdays that were counted)."""
        lo = bisect_right(self._makeup, a.toordinal())
        hi = bisect_right(self._makeup, b.toordinal())
        return tuple(self._entries[date.fromordinal(o)] for o in self._makeup[lo:hi])

    def makeup_days_from(self, a: date, b: date) -> tuple[CalendarEntry, ...]:
        """The MAKEUP_WORKDAY entries in ``[a, b]``."""
        lo = bisect_left(self._makeup, a.toordinal())
        hi = bisect_right(self._makeup, b.toordinal())
        return tuple(self._entries[date.fromordinal(o)] for o in self._makeup[lo:hi])

    def entry(self, d: date) -> CalendarEntry | None:
        self._index(d)
        return self._entries.get(d)

    def is_provisional(self, d: date) -> bool:
        """True when ``d``'s year is only projected (no official notice yet for that year)."""
        return d.year in self._provisional

    @property
    def provisional_years(self) -> frozenset[int]:
        return self._provisional


# --------------------------------------------------------------------------------------------------
# Office hours
# --------------------------------------------------------------------------------------------------

Window = tuple[time, time]
_STANDARD_DAY: Final[tuple[Window, ...]] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))


def _us_of(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


@dataclass(frozen=True)
class OfficeHours:
    """Office windows for Monday–Friday (``weekdays[0]`` is Monday), per unit configuration.

    SPEC §6.1 rule 5 (OpenCPS default): 07:00–11:30 and 13:30–17:00, so one day is 8 working hours.
    A working Saturday or Sunday can only be a MAKEUP_WORKDAY; it stands in for a regular weekday
    and uses the Monday windows. Saturday opening hours for receipt do not make Saturday count (W11).
    """

    weekdays: tuple[tuple[Window, ...], ...] = (_STANDARD_DAY,) * 5
    _windows7: tuple[tuple[Window, ...], ...] = field(init=False, repr=False, compare=False)
    _us7: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, compare=False)
    _close7: tuple[time, ...] = field(init=False, repr=False, compare=False)
    _day_us7: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _uniform_day_us: int = field(init=False, repr=False, compare=False)
    # Closing instant per date ordinal, filled on demand (the hot path reuses these datetimes).
    _close_at: dict[int, datetime] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.weekdays) != 5:
            raise self._invalid("cần đúng 5 ngày (thứ Hai–thứ Sáu)", "exactly 5 weekdays (Monday–Friday)")
        for windows in self.weekdays:
            if not windows:
                raise self._invalid("mỗi ngày cần ít nhất một khung giờ", "each weekday needs a window")
            previous_end = -1
            for start, end in windows:
                if start.tzinfo is not None or end.tzinfo is not None:
                    raise self._invalid("giờ không kèm múi giờ", "times must be local (no tzinfo)")
                if not _us_of(start) < _us_of(end) or _us_of(start) < previous_end:
                    raise self._invalid(
                        "các khung giờ phải tăng dần và không chồng nhau",
                        "windows must be increasing and must not overlap",
                    )
                previous_end = _us_of(end)
        windows7 = (*self.weekdays, self.weekdays[0], self.weekdays[0])
        us7 = tuple(tuple((_us_of(s), _us_of(e)) for s, e in day) for day in windows7)
        day_us7 = tuple(sum(e - s for s, e in day) for day in us7)
        object.__setattr__(self, "_windows7", windows7)
        object.__setattr__(self, "_us7", us7)
        object.__setattr__(self, "_close7", tuple(day[-1][1] for day in windows7))
        object.__setattr__(self, "_day_us7", day_us7)
        object.__setattr__(self, "_uniform_day_us", day_us7[0] if len(set(day_us7)) == 1 else 0)

    @staticmethod
    def _invalid(reason_vi: str, reason_en: str) -> ValidationFailed:
        return ValidationFailed(
            f"Giờ làm việc không hợp lệ: {reason_vi}.",
            f"Invalid office hours: {reason_en}.",
            code="invalid_office_hours",
            field="hours",
        )

    @classmethod
    def uniform(cls, windows: tuple[Window, ...]) -> OfficeHours:
        """The same windows every weekday."""
        return cls((windows,) * 5)

    def windows_for(self, d: date, calendar: WorkingCalendar) -> tuple[Window, ...]:
        """The office windows counted on ``d``: none on a non-working day."""
        if not calendar.is_working(d):
            return ()
        return self._windows7[d.weekday()]

    def end_of_day(self, d: date) -> time:
        """The end of the last office window of ``d`` (17:00 by default)."""
        return self._close7[d.weekday()]


DEFAULT_HOURS: Final = OfficeHours()


# --------------------------------------------------------------------------------------------------
# Working time (hour units)
# --------------------------------------------------------------------------------------------------


def _add_working_us(
    o: int, us: int, amount_us: int, calendar: WorkingCalendar, hours: OfficeHours
) -> tuple[int, int]:
    """Move ``amount_us`` working microseconds forward from (working-day ordinal, µs of day).

    OpenCPS rule (SPEC §6.1 rule 5): only time inside the office windows of working days counts; a
    start outside the windows snaps to the next window start (``amount_us == 0`` returns that start).
    """
    remaining = amount_us
    while True:
        for w_start, w_end in hours._us7[(o - 1) % 7]:
            if us < w_end:
                begin = us if us > w_start else w_start
                available = w_end - begin
                if remaining <= available:
                    return o, begin + remaining
                remaining -= available
                us = w_end
        # Whole working days in one jump when every weekday has the same length.
        if hours._uniform_day_us and remaining > hours._uniform_day_us:
            full_days = (remaining - 1) // hours._uniform_day_us
            o = calendar._nth_after_ord(o, full_days)
            remaining -= full_days * hours._uniform_day_us
        o = calendar._nth_after_ord(o, 1)
        us = 0


def _snap_start(local: datetime, calendar: WorkingCalendar) -> tuple[int, int]:
    o = local.toordinal()
    us = _us_of(local.timetz().replace(tzinfo=None))
    first = calendar._on_or_after_ord(o)
    return (o, us) if first == o else (first, 0)


def _from_ord_us(o: int, us: int) -> datetime:
    d = date.fromordinal(o)
    return datetime(d.year, d.month, d.day, tzinfo=VN_TZ) + timedelta(microseconds=us)


def add_working_time(
    start: datetime, duration: timedelta, calendar: WorkingCalendar, hours: OfficeHours = DEFAULT_HOURS
) -> datetime:
    """The instant when ``duration`` of office time has elapsed from ``start`` (aware, local)."""
    local = to_local_checked(start, "start")
    amount_us = duration // timedelta(microseconds=1)
    if amount_us < 0:
        raise _field_error(
            "negative_amount", "duration", "Thời lượng không được âm.", "The duration must not be negative."
        )
    o, us = _snap_start(local, calendar)
    return _from_ord_us(*_add_working_us(o, us, amount_us, calendar, hours))


def _working_us_on(o: int, lo: int, hi: int, calendar: WorkingCalendar, hours: OfficeHours) -> int:
    """Office microseconds of day ``o`` inside ``[lo, hi)`` (µs of day)."""
    if not calendar._is_work[o - calendar._first]:
        return 0
    total = 0
    for w_start, w_end in hours._us7[(o - 1) % 7]:
        begin = w_start if w_start > lo else lo
        end = w_end if w_end < hi else hi
        if end > begin:
            total += end - begin
    return total


def working_time_between(
    a: datetime, b: datetime, calendar: WorkingCalendar, hours: OfficeHours = DEFAULT_HOURS
) -> timedelta:
    """Office time from ``a`` to ``b`` on working days; negative when ``b`` is before ``a``."""
    la, lb = to_local_checked(a, "a"), to_local_checked(b, "b")
    if lb < la:
        return -working_time_between(b, a, calendar, hours)
    calendar._index(la.date())
    calendar._index(lb.date())
    oa, ob = la.toordinal(), lb.toordinal()
    ua, ub = _us_of(la.time()), _us_of(lb.time())
    if oa == ob:
        return timedelta(microseconds=_working_us_on(oa, ua, ub, calendar, hours))
    total = _working_us_on(oa, ua, _US_PER_DAY, calendar, hours) + _working_us_on(ob, 0, ub, calendar, hours)
    if hours._uniform_day_us:
        full = calendar._cum[ob - 1 - calendar._first] - calendar._cum[oa - calendar._first]
        total += full * hours._uniform_day_us
    else:
        for o in range(oa + 1, ob):
            total += _working_us_on(o, 0, _US_PER_DAY, calendar, hours)
    return timedelta(microseconds=total)


# --------------------------------------------------------------------------------------------------
# Due dates
# --------------------------------------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(d: date, n: int) -> date:
    """BLDS Art 148(3): the corresponding day ``n`` months later, or the last day of that month."""
    index = d.month - 1 + n
    year, month = d.year + index // 12, index % 12 + 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


class Due(NamedTuple):
    """A computed due date, with what is needed to explain it later.

    ``start_day`` is the first day counted (day 1), ``nominal_day`` the last day before BLDS
    Art 148(5) moved it off a day off, ``last_day`` the day the result is due. A named tuple rather
    than a dataclass because it is built on the hot path (200,000+ per second).
    """

    due_at: datetime
    unit: TimeUnit
    amount: int
    received_at: datetime
    start_day: date
    nominal_day: date
    last_day: date
    calendar: WorkingCalendar
    hours: OfficeHours
    cutoff: time

    def __repr__(self) -> str:
        return (
            f"Due(due_at={self.due_at.isoformat()}, unit={self.unit.value}, amount={self.amount}, "
            f"received_at={self.received_at.isoformat()}, start_day={self.start_day}, "
            f"nominal_day={self.nominal_day}, last_day={self.last_day})"
        )

    @property
    def received_local(self) -> datetime:
        return self.received_at.astimezone(VN_TZ)

    def skipped_days_off(self) -> tuple[DayOff, ...]:
        """The days off this deadline did not count, computed on demand from the calendar.

        Day-counted units skip the non-working days between receipt and the last day; calendar days
        and months count every day, so only the days off that pushed the last day forward are skipped.
        """
        if self.unit is TimeUnit.CALENDAR_DAY or self.unit is TimeUnit.MONTH:
            if self.nominal_day == self.last_day:
                return ()
            return self.calendar.days_off_between(self.nominal_day - timedelta(days=1), self.last_day)
        received_day = self.received_local.date()
        if self.last_day <= received_day:
            return ()
        return self.calendar.days_off_between(received_day, self.last_day)

    @property
    def skipped(self) -> tuple[date, ...]:
        return tuple(day_off.day for day_off in self.skipped_days_off())


_UNITS: Final[dict[str, tuple[TimeUnit, int]]] = {unit: (unit, MAX_AMOUNT[unit]) for unit in TimeUnit}
_WD, _CD, _WH, _SD, _MO = (
    TimeUnit.WORKING_DAY,
    TimeUnit.CALENDAR_DAY,
    TimeUnit.WORKING_HOUR,
    TimeUnit.SAME_DAY,
    TimeUnit.MONTH,
)
_UNIT_VI: Final = {
    _WD: "ngày làm việc",
    _CD: "ngày",
    _WH: "giờ làm việc",
    _SD: "trong ngày",
    _MO: "tháng",
}


def _amount_errors(amount: object, unit: TimeUnit, limit: int) -> ValidationFailed | None:
    if type(amount) is not int:
        return _field_error(
            "invalid_amount",
            "amount",
            "Thời hạn phải là số nguyên.",
            "The time limit must be a whole number.",
        )
    if amount < 0:
        return _field_error(
            "negative_amount",
            "amount",
            f"Thời hạn không được âm ({amount} {_UNIT_VI[unit]}).",
            f"The time limit must not be negative ({amount} {unit.value}).",
        )
    if amount > limit:
        return _field_error(
            "amount_too_large",
            "amount",
            f"Thời hạn {amount} {_UNIT_VI[unit]} quá dài (tối đa {limit}, tương đương 10 năm).",
            f"The time limit {amount} {unit.value} is too long (at most {limit}, about 10 years).",
        )
    return None


def due_date(
    *,
    received_at: datetime,
    amount: int,
    unit: TimeUnit,
    calendar: WorkingCalendar,
    hours: OfficeHours = DEFAULT_HOURS,
    cutoff: time = DEFAULT_CUTOFF,
) -> Due:
    """When a dossier accepted at ``received_at`` with a limit of ``amount`` ``unit`` is due.

    Day units are due at the end of office hours of their last day (SPEC §6.1 rule 2: the law ends a
    day at 24:00, the appointment prints the office closing time). Hour units are due at the instant
    the office time runs out. Errors are ``ValidationFailed`` with a stable code.
    """
    tz = getattr(received_at, "tzinfo", None)
    if tz is VN_TZ or tz is UTC:  # the two zones the system stores and shows; skip the slow check
        local = received_at.astimezone(VN_TZ)
    else:
        local = to_local_checked(received_at, "received_at")
    info = _UNITS.get(unit)
    if info is None:
        raise _field_error(
            "unknown_unit",
            "unit",
            f"Đơn vị thời hạn “{unit}” không được hỗ trợ.",
            f"Unsupported time unit “{unit}”.",
        )
    unit, limit = info
    if type(amount) is not int or amount < 0 or amount > limit:
        error = _amount_errors(amount, unit, limit)
        if error is not None:
            raise error
    o = local.toordinal()
    first = calendar._first
    dates = calendar._dates
    try:
        if unit is _WD:
            # BLDS Art 147(2): the day of receipt is not counted; only working days count (SPEC §6.1
            # rule 3), so a receipt on a day off counts from the next working day (W11).
            if amount:
                start, last = calendar._span_ord(o, amount)
            else:
                start = last = calendar._on_or_after_ord(o)
            nominal_day = last_day = dates[last - first]
            start_day = dates[start - first]
        elif unit is _CD or unit is _MO:
            received_day = local.date()
            calendar._index(received_day)
            start_day = received_day + _ONE_DAY
            if unit is _CD:
                # BLDS Art 147(2): counting starts the day after receipt and every day counts (rule 4).
                nominal_day = received_day + timedelta(days=amount)
            else:
                # BLDS Art 148(3): the corresponding day of the last month, or that month's last day.
                nominal_day = add_months(received_day, amount)
            # BLDS Art 148(5): a last day that is a weekend or holiday moves to the next working day.
            last = calendar._on_or_after_ord(nominal_day.toordinal())
            last_day = dates[last - first]
        elif unit is _SD:
            # Same-day procedures (SPEC §6.1 rule 6, e.g. NĐ 23/2015 Art 7 for certified copies):
            # received before the cut-off on a working day → that day, otherwise the next working day.
            calendar._index(local.date())
            if calendar._is_work[o - first] and local.time() < cutoff:
                last = o
            else:
                last = calendar._nth_after_ord(o, 1)
            last_day = start_day = nominal_day = dates[last - first]
        else:
            # Working hours (SPEC §6.1 rule 5): office time of working days only; a receipt outside
            # the windows starts at the next window start (W10).
            calendar._index(local.date())
            so, sus = _snap_start(local, calendar)
            eo, eus = _add_working_us(so, sus, amount * _US_PER_HOUR, calendar, hours)
            last_day = dates[eo - first]
            return Due(
                _from_ord_us(eo, eus),
                unit,
                amount,
                received_at,
                dates[so - first],
                last_day,
                last_day,
                calendar,
                hours,
                cutoff,
            )
    except CalendarRangeError as exc:
        exc.field = "received_at" if not calendar.covers(local.date()) else "amount"
        raise
    due_at = hours._close_at.get(last)
    if due_at is None:
        due_at = hours._close_at[last] = datetime.combine(last_day, hours._close7[(last - 1) % 7], VN_TZ)
    return Due(due_at, unit, amount, received_at, start_day, nominal_day, last_day, calendar, hours, cutoff)


# --------------------------------------------------------------------------------------------------
# Early / on time / late
# --------------------------------------------------------------------------------------------------


def _session_start(due_local: datetime, hours: OfficeHours) -> datetime:
    """Start of the office window (half-day session) in which ``due_local`` falls."""
    due_us = _us_of(due_local.time())
    start_us: int | None = None
    for w_start, _w_end in hours._us7[due_local.weekday()]:
        if w_start < due_us:
            start_us = w_start
    midnight = due_local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if start_us is None else midnight + timedelta(microseconds=start_us)


def classify(
    *,
    finished_at: datetime,
    due_at: datetime,
    granularity: Granularity = Granularity.DAY,
    hours: OfficeHours = DEFAULT_HOURS,
) -> Timeliness:
    """Early, on time or late (SPEC §6.1 rule 9; TT01/2018 indicator 1).

    DAY (default): EARLY when finished on an earlier local date than the due date, ON_TIME on the
    due date, LATE after it. SESSION (OpenCPS): EARLY before the start of the half-day office window
    in which the due time falls, ON_TIME from then up to the due time, LATE after it.
    """
    finished = to_local_checked(finished_at, "finished_at")
    due = to_local_checked(due_at, "due_at")
    if granularity == Granularity.SESSION:
        if finished > due:
            return Timeliness.LATE
        return Timeliness.EARLY if finished < _session_start(due, hours) else Timeliness.ON_TIME
    finished_day, due_day = finished.date(), due.date()
    if finished_day < due_day:
        return Timeliness.EARLY
    if finished_day == due_day:
        return Timeliness.ON_TIME
    return Timeliness.LATE
