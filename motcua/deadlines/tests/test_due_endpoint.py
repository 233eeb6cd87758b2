"""GET /api/v1/deadlines/due and /api/v1/deadlines/calendar over the seeded calendars (SPEC §11)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.clock import VN_TZ
from motcua.deadlines.calendars import bump_revision
from motcua.deadlines.models import CalendarDay, Source
from motcua.deadlines.seed import seed_calendars

pytestmark = pytest.mark.django_db

DUE = "/api/v1/deadlines/due"
CALENDAR = "/api/v1/deadlines/calendar"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ), tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The public throttle counts in the cache: start and leave every test with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(db):
    seed_calendars(range(2024, 2029))


def get_due(client, received_at, amount, unit, **more):
    params = {"received_at": received_at, "amount": amount, "unit": unit, **more}
    query = "&".join(f"{key}={quote(str(value), safe=':')}" for key, value in params.items())
    return client.get(f"{DUE}?{query}")


def days(*isodates):
    return list(isodates)


def test_scenario_1_tet_carry_over(client, seeded):
    response = get_due(client, "2026-02-13T14:00:00+07:00", 10, "working_day")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "due_at": "2026-03-06T17:00:00+07:00",
        "explanation_vi": (
            "10 ngày làm việc kể từ 14:00 13/02/2026; không tính 14/02–22/02 (Tết Nguyên Đán) "
            "và các ngày nghỉ cuối tuần; hạn trả kết quả 17:00 06/03/2026."
        ),
        "explanation_en": (
            "10 working days from 14:00 13/02/2026, not counting 14/02–22/02 (Lunar New Year) "
            "and weekends; due 17:00 06/03/2026."
        ),
        # Weekends are listed too: every non-working day the count passed over.
        "skipped_days_off": days(
            "2026-02-14",
            "2026-02-15",
            "2026-02-16",
            "2026-02-17",
            "2026-02-18",
            "2026-02-19",
            "2026-02-20",
            "2026-02-21",
            "2026-02-22",
            "2026-02-28",
            "2026-03-01",
        ),
        "provisional": False,
    }


def test_a_plus_decoded_as_a_space_is_restored(client, seeded):
    response = client.get(f"{DUE}?received_at=2026-02-13T14:00:00+07:00&amount=10&unit=working_day")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-03-06T17:00:00+07:00"
    utc = get_due(client, "2026-02-13T07:00:00Z", 10, "working_day")
    assert utc.json()["due_at"] == "2026-03-06T17:00:00+07:00"


@pytest.mark.parametrize(
    ("received_at", "amount", "unit", "extra", "due_at", "skipped"),
    [
        # Scenario 7: same-day certification, 15:00 cut-off.
        ("2026-03-05T14:50:00+07:00", 1, "same_day", {}, "2026-03-05T17:00:00+07:00", []),
        ("2026-03-05T15:10:00+07:00", 1, "same_day", {}, "2026-03-06T17:00:00+07:00", []),
        ("2026-03-05T15:10:00+07:00", 1, "same_day", {"cutoff": "16:00"}, "2026-03-05T17:00:00+07:00", []),
        # Scenario 8: calendar days over a weekend.
        (
            "2026-02-13T09:00:00+07:00",
            15,
            "calendar_day",
            {},
            "2026-03-02T17:00:00+07:00",
            ["2026-02-28", "2026-03-01"],
        ),
        # Scenario 9: calendar days into Tết.
        (
            "2026-01-20T09:00:00+07:00",
            30,
            "calendar_day",
            {},
            "2026-02-23T17:00:00+07:00",
            ["2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22"],
        ),
        # Scenario 10: April-May holidays.
        (
            "2026-04-29T10:00:00+07:00",
            3,
            "working_day",
            {},
            "2026-05-06T17:00:00+07:00",
            ["2026-04-30", "2026-05-01", "2026-05-02", "2026-05-03"],
        ),
        # Scenario 11: the make-up day off for Giỗ Tổ on Sunday.
        (
            "2026-04-24T10:00:00+07:00",
            5,
            "working_day",
            {},
            "2026-05-06T17:00:00+07:00",
            [
                "2026-04-25",
                "2026-04-26",
                "2026-04-27",
                "2026-04-30",
                "2026-05-01",
                "2026-05-02",
                "2026-05-03",
            ],
        ),
        # Scenario 12 without the province's make-up Saturday.
        (
            "2026-03-13T10:00:00+07:00",
            2,
            "working_day",
            {"province": "42"},
            "2026-03-17T17:00:00+07:00",
            ["2026-03-14", "2026-03-15"],
        ),
        # W6: the 2026 New Year swap (Sat 10/01 worked) changes the path, not the result.
        (
            "2025-12-31T10:00:00+07:00",
            7,
            "working_day",
            {},
            "2026-01-12T17:00:00+07:00",
            ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-11"],
        ),
        # W10: 8 working hours from Monday 15:30.
        ("2026-03-02T15:30:00+07:00", 8, "working_hour", {}, "2026-03-03T15:30:00+07:00", []),
        # A month (BLDS Art 148(3)).
        (
            "2026-01-31T10:00:00+07:00",
            1,
            "month",
            {},
            "2026-03-02T17:00:00+07:00",
            ["2026-02-28", "2026-03-01"],
        ),
    ],
)
def test_scenarios_through_http(client, seeded, province, received_at, amount, unit, extra, due_at, skipped):
    response = get_due(client, received_at, amount, unit, **extra)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["due_at"], body["skipped_days_off"], body["provisional"]) == (due_at, skipped, False)


def test_scenario_12_province_make_up_saturday_counts(client, seeded, province):
    CalendarDay.objects.create(
        province=province,
        day=dt.date(2026, 3, 14),
        kind="makeup_workday",
        name_vi="Ngày làm bù",
        name_en="Make-up working day",
        legal_basis="QĐ 123/QĐ-UBND",
        source=Source.MANUAL,
    )
    bump_revision()
    with_entry = get_due(client, "2026-03-13T10:00:00+07:00", 2, "working_day", province="42").json()
    assert (with_entry["due_at"], with_entry["skipped_days_off"]) == (
        "2026-03-16T17:00:00+07:00",
        ["2026-03-15"],
    )
    assert with_entry["explanation_vi"] == (
        "2 ngày làm việc kể từ 10:00 13/03/2026; không tính các ngày nghỉ cuối tuần; "
        "có tính ngày làm bù 14/03/2026; hạn trả kết quả 17:00 16/03/2026."
    )
    national = get_due(client, "2026-03-13T10:00:00+07:00", 2, "working_day").json()
    assert national["due_at"] == "2026-03-17T17:00:00+07:00"


def test_provisional_years_are_flagged(client, seeded):
    body = get_due(client, "2028-03-01T10:00:00+07:00", 2, "working_day").json()
    assert (body["due_at"], body["provisional"]) == ("2028-03-03T17:00:00+07:00", True)
    assert body["explanation_vi"].endswith("Lịch năm 2028 là dự kiến nên hạn có thể thay đổi.")
    assert body["explanation_en"].endswith("The 2028 calendar is provisional; the due date may change.")
    # Received in an announced year, due in a provisional one.
    spanning = get_due(client, "2026-12-28T10:00:00+07:00", 10, "working_day").json()
    assert (spanning["due_at"], spanning["provisional"]) == ("2027-01-12T17:00:00+07:00", True)


@pytest.mark.parametrize(
    ("params", "status", "code", "field", "detail_vi", "detail_en"),
    [
        (
            "amount=10&unit=working_day",
            400,
            "required",
            "received_at",
            "Thiếu tham số “received_at”.",
            "The parameter “received_at” is missing.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&unit=working_day",
            400,
            "required",
            "amount",
            "Thiếu tham số “amount”.",
            "The parameter “amount” is missing.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=10",
            400,
            "required",
            "unit",
            "Thiếu tham số “unit”.",
            "The parameter “unit” is missing.",
        ),
        (
            "received_at=13/02/2026&amount=10&unit=working_day",
            400,
            "invalid_datetime",
            "received_at",
            "“13/02/2026” không phải thời điểm ISO 8601, ví dụ 2026-02-13T14:00:00+07:00.",
            "“13/02/2026” is not an ISO 8601 instant, e.g. 2026-02-13T14:00:00+07:00.",
        ),
        (
            "received_at=0001-01-01T00:00:00%2B14:00&amount=10&unit=working_day",
            400,
            "invalid_datetime",
            "received_at",
            "“0001-01-01T00:00:00+14:00” không phải thời điểm ISO 8601, ví dụ 2026-02-13T14:00:00+07:00.",
            "“0001-01-01T00:00:00+14:00” is not an ISO 8601 instant, e.g. 2026-02-13T14:00:00+07:00.",
        ),
        (
            "received_at=2026-02-13T14:00:00&amount=10&unit=working_day",
            400,
            "naive_datetime",
            "received_at",
            "Thời điểm “received_at” phải kèm múi giờ (ví dụ +07:00).",
            "The instant “received_at” must carry a time zone offset (e.g. +07:00).",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=mười&unit=working_day",
            400,
            "invalid_amount",
            "amount",
            "Thời hạn “mười” phải là số nguyên không âm.",
            "The time limit “mười” must be a whole number, not negative.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=-3&unit=working_day",
            400,
            "invalid_amount",
            "amount",
            "Thời hạn “-3” phải là số nguyên không âm.",
            "The time limit “-3” must be a whole number, not negative.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=1.5&unit=working_day",
            400,
            "invalid_amount",
            "amount",
            "Thời hạn “1.5” phải là số nguyên không âm.",
            "The time limit “1.5” must be a whole number, not negative.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=2601&unit=working_day",
            400,
            "amount_too_large",
            "amount",
            "Thời hạn 2601 ngày làm việc quá dài (tối đa 2600, tương đương 10 năm).",
            "The time limit 2601 working_day is too long (at most 2600, about 10 years).",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=99999999999999999999&unit=calendar_day",
            400,
            "amount_too_large",
            "amount",
            "Thời hạn 999999999999… quá dài (tối đa 3650 calendar_day, tương đương 10 năm).",
            "The time limit 999999999999… is too long (at most 3650 calendar_day, about 10 years).",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=2&unit=week",
            400,
            "unknown_unit",
            "unit",
            "Đơn vị thời hạn “week” không được hỗ trợ; dùng một trong: "
            "working_day, calendar_day, working_hour, same_day, month.",
            "Unsupported time unit “week”; use one of: "
            "working_day, calendar_day, working_hour, same_day, month.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=10&unit=working_day&province=99",
            400,
            "unknown_province",
            "province",
            "Không có tỉnh, thành phố mang mã “99” (dùng mã thống kê hiện hành, ví dụ 42).",
            "There is no province with code “99” (use the current official code, e.g. 42).",
        ),
        (
            "received_at=2026-03-05T15:10:00%2B07:00&amount=1&unit=same_day&cutoff=25:00",
            400,
            "invalid_cutoff",
            "cutoff",
            "Giờ chốt “25:00” phải có dạng HH:MM, ví dụ 15:00.",
            "The cut-off “25:00” must look like HH:MM, e.g. 15:00.",
        ),
        (
            "received_at=2035-02-13T14:00:00%2B07:00&amount=10&unit=working_day",
            400,
            "date_out_of_calendar_range",
            "received_at",
            "Ngày 13/02/2035 nằm ngoài lịch làm việc đã khai báo (01/01/2024–31/12/2028); "
            "cần khai báo lịch năm 2035 trước khi tính hạn.",
            "The date 13/02/2035 is outside the declared working calendar (01/01/2024–31/12/2028); "
            "declare the 2035 calendar before computing deadlines.",
        ),
        (
            "received_at=2026-02-13T14:00:00%2B07:00&amount=2000&unit=working_day",
            400,
            "date_out_of_calendar_range",
            "amount",
            "Ngày 01/01/2029 nằm ngoài lịch làm việc đã khai báo (01/01/2024–31/12/2028); "
            "cần khai báo lịch năm 2029 trước khi tính hạn.",
            "The date 01/01/2029 is outside the declared working calendar (01/01/2024–31/12/2028); "
            "declare the 2029 calendar before computing deadlines.",
        ),
    ],
)
def test_bad_parameters_are_problem_details(
    client, seeded, province, params, status, code, field, detail_vi, detail_en
):
    response = client.get(f"{DUE}?{params}")
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["field"], body["detail_vi"], body["detail_en"]) == (
        code,
        field,
        detail_vi,
        detail_en,
    )
    assert body["status"] == status


def test_no_calendar_declared_is_a_400_not_a_500(client, db):
    response = get_due(client, "2026-02-13T14:00:00+07:00", 10, "working_day")
    assert response.status_code == 400
    assert response.json()["code"] == "calendar_not_declared"


def test_the_calendar_of_a_year(client, seeded, province):
    CalendarDay.objects.create(
        province=province,
        day=dt.date(2026, 3, 14),
        kind="makeup_workday",
        name_vi="Ngày làm bù",
        legal_basis="QĐ 123/QĐ-UBND",
        source=Source.MANUAL,
    )
    body = client.get(f"{CALENDAR}?province=42&year=2026").json()
    assert (body["province"], body["year"], body["provisional"]) == ("42", 2026, False)
    assert len(body["entries"]) == 18
    assert body["entries"][0] == {
        "day": "2026-01-01",
        "kind": "day_off",
        "name_vi": "Tết Dương lịch",
        "name_en": "New Year's Day",
        "legal_basis": "BLLĐ 2019 Điều 112(1)",
        "scope": "national",
    }
    assert body["entries"][8] == {
        "day": "2026-03-14",
        "kind": "makeup_workday",
        "name_vi": "Ngày làm bù",
        "name_en": "Ngày làm bù",
        "legal_basis": "QĐ 123/QĐ-UBND",
        "scope": "province",
    }
    national = client.get(f"{CALENDAR}?year=2028").json()
    assert (national["province"], national["provisional"]) == (None, True)
    assert client.get(CALENDAR).json()["year"] == 2026  # this year by default


def test_calendar_errors(client, seeded, province):
    missing = client.get(f"{CALENDAR}?year=2035")
    assert (missing.status_code, missing.json()["code"], missing.json()["field"]) == (
        404,
        "year_not_declared",
        "year",
    )
    bad = client.get(f"{CALENDAR}?year=hai-nghìn")
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (400, "invalid_year", "year")
    unknown = client.get(f"{CALENDAR}?province=99")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_province")


def test_endpoints_are_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    due = schema["paths"]["/api/v1/deadlines/due"]["get"]
    names = {p["name"]: p for p in due["parameters"]}
    assert set(names) == {"received_at", "amount", "unit", "province", "cutoff"}
    assert names["received_at"]["required"] is True
    assert sorted(names["unit"]["schema"]["enum"]) == sorted(
        [
            "working_day",
            "calendar_day",
            "working_hour",
            "same_day",
            "month",
        ]
    )
    assert "weekends included" in due["description"]
    # The problem responses every operation may answer are documented too (decision 0025).
    assert set(due["responses"]) == {"200", "400", "401", "403", "404", "405", "406", "429"}
    assert "/api/v1/deadlines/calendar" in schema["paths"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    received=st.datetimes(min_value=dt.datetime(2023, 6, 1), max_value=dt.datetime(2029, 6, 1)),
    offset_hours=st.integers(min_value=-12, max_value=14),
    amount=st.one_of(st.integers(min_value=0, max_value=4000), st.text(max_size=6)),
    unit=st.sampled_from(["working_day", "calendar_day", "working_hour", "same_day", "month", "week", ""]),
    cutoff=st.one_of(st.just(""), st.from_regex(r"\A[0-2]?\d:[0-6]\d\Z")),
)
def test_any_input_is_an_answer_or_a_problem_never_a_500(
    client, seeded, received, offset_hours, amount, unit, cutoff
):
    stamp = received.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset_hours))).isoformat()
    cache.clear()
    response = get_due(client, stamp, amount, unit, cutoff=cutoff)
    assert response.status_code in (200, 400), response.content
    body = response.json()
    if response.status_code == 400:
        assert body["field"] in {"received_at", "amount", "unit", "cutoff"}
        assert body["detail_vi"] and body["detail_en"]
    else:
        assert body["due_at"].endswith("+07:00")
        assert body["due_at"] >= stamp[:10] or offset_hours > 7


def test_receipt_on_the_first_day_of_the_calendar_is_explained(client, seeded):
    # 01/01/2024 is a holiday and the first day of the calendar: the run of days off starts there.
    body = get_due(client, "2024-01-01T09:00:00+07:00", 1, "working_day").json()
    assert body["due_at"] == "2024-01-02T17:00:00+07:00"
    assert body["explanation_vi"] == (
        "1 ngày làm việc kể từ 09:00 01/01/2024 (ngày nghỉ Tết Dương lịch, tính từ ngày làm việc tiếp theo "
        "02/01/2024); hạn trả kết quả 17:00 02/01/2024."
    )
    assert body["explanation_en"] == (
        "1 working day from 09:00 01/01/2024 (a day off for New Year's Day: counting starts on the next "
        "working day, 02/01/2024); due 17:00 02/01/2024."
    )


def test_the_public_throttle_applies(client, seeded, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public": "2/minute"})
    statuses = [get_due(client, "2026-02-13T14:00:00+07:00", 10, "working_day").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = get_due(client, "2026-02-13T14:00:00+07:00", 10, "working_day")
    assert (limited["Content-Type"], limited.json()["code"]) == ("application/problem+json", "rate_limited")
