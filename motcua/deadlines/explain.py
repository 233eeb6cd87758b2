"""Why a dossier is due when it is, in words a clerk can read aloud and print on the receipt.

``explain(due, calendar, language="vi")`` →
"10 ngày làm việc kể từ 14:00 13/02/2026; không tính 14/02–22/02 (Tết Nguyên đán) và các ngày nghỉ
cuối tuần; hạn trả kết quả 17:00 06/03/2026."

The days off are read from the calendar only here, never on the hot path of ``due_date``. A run of
consecutive days off is one range named after the holidays in it, so the weekend around Tết is part
of "14/02–22/02 (Tết Nguyên đán)"; runs with no named day are just "weekends".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import (
    DayOff,
    Due,
    TimeUnit,
    WorkingCalendar,
    add_working_time,
    format_day,
)

__all__ = ["explain"]

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Run:
    """Consecutive days off, with the distinct holiday names in it (none: only a weekend)."""

    first: date
    last: date
    names: tuple[str, ...]


def _stamp(instant: datetime) -> str:
    local = instant.astimezone(VN_TZ)
    return f"{local:%H:%M} {format_day(local.date())}"


def _runs(days_off: Sequence[DayOff], en: bool) -> list[_Run]:
    runs: list[_Run] = []
    first: date | None = None
    last: date | None = None
    names: list[str] = []
    for day_off in (*days_off, None):
        if day_off is not None and last is not None and day_off.day == last + _ONE_DAY:
            last = day_off.day
        else:
            if first is not None and last is not None:
                runs.append(_Run(first, last, tuple(names)))
            if day_off is None:
                break
            first = last = day_off.day
            names = []
        entry = day_off.entry
        if entry is not None:
            name = entry.name_en if en else entry.name_vi
            if name not in names:
                names.append(name)
    return runs


def _span(run: _Run) -> str:
    if run.first == run.last:
        return f"{run.first:%d/%m}"
    if run.first.year != run.last.year:
        return f"{format_day(run.first)}–{format_day(run.last)}"
    return f"{run.first:%d/%m}–{run.last:%d/%m}"


def _join(items: Sequence[str], en: bool) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + (" and " if en else " và ") + items[-1]


def _not_counting(days_off: Sequence[DayOff], en: bool) -> str | None:
    """ "không tính 14/02–22/02 (Tết Nguyên đán) và các ngày nghỉ cuối tuần" or None."""
    runs = _runs(days_off, en)
    if not runs:
        return None
    named = [f"{_span(run)} ({', '.join(run.names)})" for run in runs if run.names]
    if any(not run.names for run in runs):
        named.append("weekends" if en else "các ngày nghỉ cuối tuần")
    return ("not counting " if en else "không tính ") + _join(named, en)


def _run_around(day: date, calendar: WorkingCalendar) -> tuple[DayOff, ...]:
    """The days off in the run containing the non-working ``day``."""
    start = day
    while calendar.covers(start - _ONE_DAY) and not calendar.is_working(start - _ONE_DAY):
        start -= _ONE_DAY
    end = calendar.next_working(day) - _ONE_DAY
    # ``start`` itself is a day off; read it directly so a run that opens the calendar never steps
    # before ``calendar.first_day``.
    return (DayOff(start, calendar.entry(start)), *calendar.days_off_between(start, end))


def _kind_of_day_off(days_off: Sequence[DayOff], en: bool) -> str:
    runs = _runs(days_off, en)
    names = runs[0].names if runs else ()
    if en:
        return f"a day off for {_join(names, en)}" if names else "a weekend day"
    return f"ngày nghỉ {_join(names, en)}" if names else "ngày nghỉ cuối tuần"


def _quantity(amount: int, unit: TimeUnit, en: bool) -> str:
    if en:
        noun = {
            TimeUnit.WORKING_DAY: "working day",
            TimeUnit.CALENDAR_DAY: "calendar day",
            TimeUnit.WORKING_HOUR: "working hour",
            TimeUnit.MONTH: "month",
            TimeUnit.SAME_DAY: "day",
        }[unit]
        return f"{amount} {noun}{'' if amount == 1 else 's'}"
    noun = {
        TimeUnit.WORKING_DAY: "ngày làm việc",
        TimeUnit.CALENDAR_DAY: "ngày",
        TimeUnit.WORKING_HOUR: "giờ làm việc",
        TimeUnit.MONTH: "tháng",
        TimeUnit.SAME_DAY: "ngày",
    }[unit]
    return f"{amount} {noun}"


def _windows(due: Due, day: date, calendar: WorkingCalendar, en: bool) -> str:
    windows = due.hours.windows_for(day, calendar)
    spans = [f"{start:%H:%M}–{end:%H:%M}" for start, end in windows]
    if en:
        return f"counting office hours {_join(spans, en)} on working days only"
    return f"chỉ tính giờ hành chính {', '.join(spans)} của ngày làm việc"


def _provisional(due: Due, calendar: WorkingCalendar, en: bool) -> str | None:
    first_year = due.received_local.year
    years = [
        str(y) for y in range(first_year, due.last_day.year + 1) if calendar.is_provisional(date(y, 1, 1))
    ]
    if not years:
        return None
    if en:
        verb = "calendars are" if len(years) > 1 else "calendar is"
        return f"The {_join(years, en)} {verb} provisional; the due date may change."
    return f"Lịch năm {_join(years, en)} là dự kiến nên hạn có thể thay đổi."


def _moved(due: Due, calendar: WorkingCalendar, en: bool) -> str | None:
    """BLDS Art 148(5): the clause saying the last day fell on a day off and moved."""
    if due.nominal_day == due.last_day:
        return None
    what = _kind_of_day_off(_run_around(due.nominal_day, calendar), en)
    nominal = format_day(due.nominal_day)
    if en:
        return f"moved to the next working day because the last day {nominal} falls on {what}"
    return f"ngày cuối {nominal} rơi vào {what} nên chuyển sang ngày làm việc tiếp theo"


def _same_day(due: Due, calendar: WorkingCalendar, en: bool) -> list[str]:
    received = due.received_local
    cutoff = f"{due.cutoff:%H:%M}"
    head = (
        f"Same-day procedure received at {_stamp(received)}"
        if en
        else f"Giải quyết trong ngày, tiếp nhận lúc {_stamp(received)}"
    )
    if not calendar.is_working(received.date()):
        what = _kind_of_day_off(_run_around(received.date(), calendar), en)
        reason = (
            f"on {what} so the result is given the next working day"
            if en
            else f"vào {what} nên trả kết quả vào ngày làm việc tiếp theo"
        )
    elif due.last_day == received.date():
        reason = (
            f"before the {cutoff} cut-off so the result is given the same day"
            if en
            else f"trước {cutoff} nên trả kết quả trong ngày"
        )
    else:
        reason = (
            f"after the {cutoff} cut-off so the result is given the next working day"
            if en
            else f"sau {cutoff} nên trả kết quả vào ngày làm việc tiếp theo"
        )
    return [head, reason]


def explain(due: Due, calendar: WorkingCalendar, *, language: str = "vi") -> str:
    """Short sentences saying how ``due`` was computed, in Vietnamese or English ("en...")."""
    en = language.lower().startswith("en")
    received = due.received_local
    received_day = received.date()
    unit = due.unit
    clauses: list[str]
    if unit is TimeUnit.SAME_DAY:
        clauses = _same_day(due, calendar, en)
    else:
        head = f"{_quantity(due.amount, unit, en)} {'from' if en else 'kể từ'} {_stamp(received)}"
        clauses = [head]
        if unit is TimeUnit.WORKING_DAY or unit is TimeUnit.WORKING_HOUR:
            counted_after = received_day
            note: str | None = None
            if not calendar.is_working(received_day):
                # W11: a receipt on a day off counts from the next working day.
                receipt_run = _run_around(received_day, calendar)
                counted_after = receipt_run[-1].day
                what = _kind_of_day_off(receipt_run, en)
                if unit is TimeUnit.WORKING_HOUR:
                    start = _stamp(add_working_time(received, timedelta(0), calendar, due.hours))
                    note = f"{what}: counting starts at {start}" if en else f"{what}, bắt đầu tính từ {start}"
                else:
                    nxt = format_day(calendar.next_working(received_day))
                    note = (
                        f"{what}: counting starts on the next working day, {nxt}"
                        if en
                        else f"{what}, tính từ ngày làm việc tiếp theo {nxt}"
                    )
            elif unit is TimeUnit.WORKING_HOUR:
                start_at = add_working_time(received, timedelta(0), calendar, due.hours)
                if start_at != received:
                    # SPEC §6.1 rule 5: a receipt outside office windows starts at the next window.
                    note = (
                        f"outside office hours: counting starts at {_stamp(start_at)}"
                        if en
                        else f"ngoài giờ làm việc, bắt đầu tính từ {_stamp(start_at)}"
                    )
            if note is not None:
                clauses[0] = f"{head} ({note})"
            if unit is TimeUnit.WORKING_HOUR:
                clauses.append(_windows(due, due.start_day, calendar, en))
            skipped = (
                calendar.days_off_between(counted_after, due.last_day) if due.last_day > counted_after else ()
            )
            not_counting = _not_counting(skipped, en)
            if not_counting is not None:
                clauses.append(not_counting)
            makeup = (
                calendar.makeup_days_between(counted_after, due.last_day)
                if due.last_day > counted_after
                else ()
            )
            if makeup:
                days = _join([format_day(entry.day) for entry in makeup], en)
                if en:
                    clauses.append(f"counting the make-up working day{'s' if len(makeup) > 1 else ''} {days}")
                else:
                    clauses.append(f"có tính {'các ' if len(makeup) > 1 else ''}ngày làm bù {days}")
        elif unit is TimeUnit.MONTH and due.nominal_day.day != received_day.day:
            # BLDS Art 148(3): no corresponding day in the last month → the last day of that month.
            month = f"{due.nominal_day:%m/%Y}"
            nominal = format_day(due.nominal_day)
            clauses.append(
                f"ending on {nominal} as {month} has no day {received_day.day}"
                if en
                else f"tháng {month} không có ngày {received_day.day} nên lấy ngày cuối tháng {nominal}"
            )
        moved = _moved(due, calendar, en) if unit is not TimeUnit.WORKING_HOUR else None
        if moved is not None and unit is not TimeUnit.WORKING_DAY:
            clauses.append(moved)
    due_clause = f"due {_stamp(due.due_at)}" if en else f"hạn trả kết quả {_stamp(due.due_at)}"
    # English joins the clauses with commas, as in "…, not counting … and weekends; due …".
    text = ", ".join(clauses) + f"; {due_clause}." if en else "; ".join([*clauses, due_clause]) + "."
    provisional = _provisional(due, calendar, en)
    return text if provisional is None else f"{text} {provisional}"
