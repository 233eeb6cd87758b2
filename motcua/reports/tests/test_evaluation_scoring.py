"""TT01/2018 Art 13-15 scoring, table-driven (SPEC §7.1 and scenarios 18, 19, 27)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from motcua.reports.evaluation import (
    Evaluation,
    agencies_contacted_points,
    agencies_points,
    agency_rating,
    attitude_points,
    average,
    contacts_points,
    officer_rating,
    online_points,
    time_points,
)


@pytest.mark.parametrize(("timeliness", "points"), [("early", 2), ("on_time", 1), ("late", 0), (None, None)])
def test_indicator_1_scenario_18(timeliness, points):
    assert time_points(timeliness) == points


def test_indicator_2_worst_agency_scenario_19():
    # The tax office's step is late: the dossier scores 0 on indicator 2 though it finished on time.
    assert agencies_points(["on_time", "late"]) == 0
    assert agencies_points(["early", "early"]) == 2
    assert agencies_points([]) is None


@pytest.mark.parametrize(("contacts", "points"), [(0, 2), (1, 1), (2, 0), (5, 0)])
def test_indicator_3_contacts(contacts, points):
    assert contacts_points(contacts) == points


def test_indicator_4_agencies_contacted():
    assert agencies_contacted_points("online") == 2
    assert agencies_contacted_points("in_person") == 1
    assert agencies_contacted_points("postal") == 1


@pytest.mark.parametrize(
    ("timeliness", "unhappy", "points"),
    [
        ("early", False, 2),
        ("on_time", False, 1),
        ("late", False, 0),
        ("early", True, 0),
        ("early", None, None),  # no ratings yet: no data, excluded from the sums
    ],
)
def test_indicator_7_attitude(timeliness, unhappy, points):
    assert attitude_points(timeliness, unhappy) == points


@pytest.mark.parametrize(
    ("procedures", "share", "late", "points"),
    [
        (D("0.2"), D("0.3"), 0, 2),
        (D("0.5"), D("0.29"), 0, 1),
        (D("0.1"), D("0.15"), 0, 1),
        (D("0.5"), D("0.5"), 1, 0),
        (D("0.5"), D("0.14"), 0, 0),
        (D(0), D("0.5"), 0, 0),
        (None, D("0.5"), 0, None),
    ],
)
def test_indicator_9_online(procedures, share, late, points):
    assert online_points(online_procedure_share=procedures, online_share=share, late_online=late) == points


def test_average_rounds_to_one_decimal():
    assert average([2, 1, 2]) == D("1.7")  # 1.666…
    assert average([2, 1]) == D("1.5")
    assert average([1, 1, 2, 2, 2, 2, 2, 2]) == D("1.8")  # 1.75 rounds half up
    assert average([None, None]) is None


def test_officer_scenario_27():
    officer = Evaluation(
        "X", 1, 10, {1: D("1.6"), 2: D("1.2"), 3: D("1.8"), 4: D("1.0"), 7: D("1.5")}, "officer"
    )
    assert officer.total == D("7.1")
    assert officer.rating.code == "complete"
    assert officer.rating.label("vi") == "Hoàn thành 100% nhiệm vụ"


@pytest.mark.parametrize(
    ("total", "code"),
    [(D(5), "complete"), (D("4.9"), "mostly"), (D("3.5"), "mostly"), (D("3.4"), "below")],
)
def test_officer_thresholds(total, code):
    assert officer_rating(total).code == code


@pytest.mark.parametrize(
    ("total", "code"),
    [
        (D(15), "excellent"),
        (D("14.9"), "good"),
        (D("13.4"), "good"),  # scenario 27
        (D(12), "good"),
        (D("11.9"), "fair"),
        (D(9), "fair"),
        (D("8.9"), "average"),
        (D(6), "average"),
        (D("5.9"), "weak"),
    ],
)
def test_agency_thresholds(total, code):
    assert agency_rating(total).code == code


def test_indicator_without_data_is_left_out_of_the_sum():
    agency = Evaluation("A", 1, 3, {1: D("2.0"), 2: D("1.0"), 7: None, 9: D(2)}, "agency")
    assert agency.total == D("5.0")
    assert agency.missing == [3, 4, 5, 6, 7, 8]
