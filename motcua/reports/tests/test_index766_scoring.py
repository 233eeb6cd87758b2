"""Decision 766 scoring, table-driven from SPEC §7.2 and scenarios 24-26, and the versioned
configuration (groups add up to 100 points, thresholds 80% / 50% / 90%)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from motcua.core.errors import NotFound
from motcua.reports import index766
from motcua.reports.index766 import percent, rate, satisfaction_rate, threshold_points


@pytest.mark.parametrize(
    ("value", "max_points", "threshold", "expected"),
    [
        # Scenario 25: 75% digitized against the 80% threshold → 0.9375 × max; 85% → max.
        (D("0.75"), D(1), D("0.8"), D("0.9375")),
        (D("0.85"), D(5), D("0.8"), D(5)),
        (D("0.80"), D(5), D("0.8"), D(5)),
        # Scenario 26: 87% satisfaction against 90% → 87/90 × 6 = 5.80; 95% → 6.
        (D("0.87"), D(6), D("0.9"), D("5.8")),
        (D("0.95"), D(6), D("0.9"), D(6)),
        # 3.3 online share: ≥50% full points, else rate × max ÷ 50%.
        (D("0.25"), D(4), D("0.5"), D(2)),
        (D("0.5"), D(4), D("0.5"), D(4)),
        # Without a threshold: rate × max (2.1 on-time at 20 points).
        (D("0.9"), D(20), None, D(18)),
        (D(0), D(20), None, D(0)),
        (D(1), D(20), None, D(20)),
    ],
)
def test_threshold_points(value, max_points, threshold, expected):
    assert threshold_points(value, max_points, threshold) == expected


def test_online_payment_scenario_24():
    # 1,000 dossiers of fee-bearing procedures, 200 with all fees at 0, 560 paid online.
    assert percent(rate(560, 1000 - 200)) == D("70.00")


@pytest.mark.parametrize(
    ("late", "unhappy", "expected_rate", "expected_points"),
    [
        (D("0.03"), D("0.02"), D("0.95"), D(6)),  # scenario 26, first case
        (D("0.07"), D("0.06"), D("0.87"), D("5.8")),  # scenario 26, second case
        (D("0.60"), D("0.50"), D(0), D(0)),  # never below 0
    ],
)
def test_satisfaction_scenario_26(late, unhappy, expected_rate, expected_points):
    value = satisfaction_rate(late, unhappy)
    assert value == expected_rate
    assert threshold_points(value, D(6), D("0.9")) == expected_points


def test_rate_of_empty_denominator_is_not_applicable():
    assert rate(0, 0) is None
    assert percent(None) is None
    assert percent(rate(1, 3)) == D("33.33")
    assert percent(rate(2, 3)) == D("66.67")


def test_configuration_is_versioned_and_adds_up():
    versions = index766.configs()
    assert [v.version for v in versions] == ["766-2022.1"]
    config = index766.config_for(dt.date(2026, 3, 31))
    assert config.effective_from == dt.date(2022, 8, 1)
    assert {g.code: g.points for g in config.groups} == {
        "CKMB": D(18),
        "TDGQ": D(20),
        "TTTT": D(12),
        "CLGQ": D(10),
        "MDSH": D(22),
        "MDHL": D(18),
    }
    assert sum(g.points for g in config.groups) == D(100)
    thresholds = {i.id: i.threshold for i in config.indicators if i.threshold is not None}
    assert thresholds == {
        "3.1": D("0.8"),
        "3.3": D("0.5"),
        "3.5": D("0.8"),
        "4.2": D("0.8"),
        "4.3": D("0.8"),
        "5.4": D("0.9"),
    }
    assert config.indicator("2.1").points == D(20)
    assert config.indicator("5.4").points == D(6)
    assert config.indicator("1.2").points == D(4)


def test_index_not_in_force_before_august_2022():
    with pytest.raises(NotFound) as refused:
        index766.config_for(dt.date(2022, 7, 31))
    assert refused.value.code == "index_not_in_force"


def test_unknown_indicator_is_refused_in_both_languages():
    with pytest.raises(NotFound) as refused:
        index766.config_for(dt.date(2026, 1, 1)).indicator("9.9")
    assert refused.value.code == "indicator_unknown"
    assert "9.9" in refused.value.message_vi and "9.9" in refused.value.message_en


def test_a_group_that_does_not_add_up_is_rejected():
    raw = {
        "version": "broken",
        "effective_from": "2030-01-01",
        "groups": [{"code": "A", "name_vi": "A", "name_en": "A", "points": 10}],
        "indicators": [
            {
                "id": "1",
                "group": "A",
                "points": 4,
                "threshold": None,
                "source": "dossiers",
                "name_vi": "x",
                "name_en": "x",
                "formula_vi": "x",
                "formula_en": "x",
            }
        ],
    }
    with pytest.raises(ValueError, match="group A has 10 points, indicators 4"):
        index766._parse(raw)
