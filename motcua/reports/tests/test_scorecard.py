"""The 766 scorecard and the one-stop evaluation on a real database, dossiers built through the
real services: March 2026, a 10-working-day procedure at the Department of Justice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import NotFound, PermissionRefused
from motcua.dossiers import services
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import staff, vn
from motcua.reports import evaluation, index766, projections
from motcua.reports.scope import Period, Scope, may_see, require_scope

MARCH = Period.month(2026, 3)
AT = vn(2026, 4, 1, 8, 0)


def mark_first_unhappy(ids):
    """A stand-in ratings source (the contract of ``satisfaction``): the smallest id is unhappy."""
    ids = sorted(ids)
    return {ids[0]} if ids else set()


@pytest.fixture
def march(world, factory):  # noqa: F811
    w = world
    a = factory.create(at=vn(2026, 3, 2, 9), trait="result_ready")  # finished the same day: early
    b = factory.create(at=vn(2026, 3, 2, 10), trait="result_ready", step=dt.timedelta(days=4))  # 26/03: late
    c = factory.create(at=vn(2026, 3, 3, 9), trait="in_processing")  # due 17/03, still open: late
    online = services.submit_dossier(
        intake=w.intake(channel="online", vneid_verified=True), actor=w.citizen, at=vn(2026, 3, 4, 8)
    )
    d = services.accept_dossier(dossier_id=online.pk, actor=w.reception, at=vn(2026, 3, 4, 10))
    e = factory.create(at=vn(2026, 3, 25, 9), trait="in_processing")  # due 08/04: on time at 31/03
    projections.refresh()  # the worker has projected the acts (a past period is counted from them)
    return {k: v for k, v in zip("abcde", (a, b, c, d, e), strict=True)}


def test_scorecard_for_march(march):
    card = index766.scorecard(scope=Scope(), period=MARCH, at=AT)
    got = {
        r.spec.id: (r.status, r.numerator, r.denominator, r.percent, r.points_display)
        for r in card.indicators
    }
    assert got["2.1"] == ("ok", 2, 5, D("40.00"), D("8.00"))
    assert got["3.3"] == ("ok", 1, 5, D("20.00"), D("1.60"))  # 20% ÷ 50% × 4
    assert got["4.5"] == ("ok", 1, 5, D("20.00"), D("0.80"))
    assert got["4.3"] == ("ok", 0, 5, D("0.00"), D("0.00"))
    assert got["4.2"] == ("ok", 0, 5, D("0.00"), D("0.00"))
    assert got["4.1"] == ("ok", 0, 2, D("0.00"), D("0.00"))
    assert got["3.1"] == ("ok", 0, 1, D("0.00"), D("0.00"))
    assert got["3.2"] == ("empty", 0, 0, None, None)
    assert got["3.6"] == ("empty", 0, 0, None, None)
    assert got["5.4"] == ("no_data", None, None, None, None)
    assert got["1.1"] == ("no_data", None, None, None, None)
    assert card.total_display == D("10.40")
    assert card.computed_max == D(46)
    assert card.full_max == D(100)
    assert card.is_complete is False
    assert card.computed_count == 7
    groups = {g.spec.code: g.points_display for g in card.groups}
    assert groups == {
        "CKMB": D("0.00"),
        "TDGQ": D("8.00"),
        "TTTT": D("1.60"),
        "CLGQ": D("0.00"),
        "MDSH": D("0.80"),
        "MDHL": D("0.00"),
    }


def test_drill_down_lists_the_dossiers_behind_each_number(march):
    _, _, numerator = index766.indicator_records("2.1", "numerator", scope=Scope(), period=MARCH, at=AT)
    assert {d.pk for d in numerator} == {march["a"].pk, march["e"].pk}
    _, _, denominator = index766.indicator_records("2.1", "denominator", scope=Scope(), period=MARCH, at=AT)
    assert denominator.count() == 5
    _, _, online = index766.indicator_records("3.3", "numerator", scope=Scope(), period=MARCH, at=AT)
    assert [d.pk for d in online] == [march["d"].pk]
    with pytest.raises(NotFound) as refused:
        index766.indicator_records("1.4", "numerator", scope=Scope(), period=MARCH, at=AT)
    assert refused.value.code == "indicator_no_data"
    with pytest.raises(NotFound) as unknown:
        index766.indicator_records("7.7", "numerator", scope=Scope(), period=MARCH, at=AT)
    assert unknown.value.code == "indicator_unknown"


def test_satisfaction_lights_up_once_ratings_exist(march, settings):
    settings.MOTCUA_RATINGS_SOURCE = "motcua.reports.tests.test_scorecard.mark_first_unhappy"
    card = index766.scorecard(scope=Scope(), period=MARCH, at=AT)
    row = next(r for r in card.indicators if r.spec.id == "5.4")
    # 100% − (3 late of 5 + 1 unhappy of 5) = 20%; 20% ÷ 90% × 6 = 1.33
    assert (row.status, row.percent, row.points_display) == ("ok", D("20.00"), D("1.33"))


def test_scopes_narrow_the_counts(march, world):  # noqa: F811
    other = index766.scorecard(scope=Scope(agency_id=world.other_agency.pk), period=MARCH, at=AT)
    on_time = next(r for r in other.indicators if r.spec.id == "2.1")
    assert (on_time.status, on_time.denominator) == ("empty", 0)
    mine = index766.scorecard(scope=Scope(agency_id=world.agency.pk), period=MARCH, at=AT)
    assert next(r for r in mine.indicators if r.spec.id == "2.1").denominator == 5
    unit = index766.scorecard(scope=Scope(one_stop_unit_id=world.centre.pk), period=MARCH, at=AT)
    assert next(r for r in unit.indicators if r.spec.id == "3.3").denominator == 5
    procedure = world.version.procedure_id
    by_procedure = index766.scorecard(scope=Scope(procedure_id=procedure), period=MARCH, at=AT)
    assert next(r for r in by_procedure.indicators if r.spec.id == "2.1").numerator == 2
    april = index766.scorecard(scope=Scope(), period=Period.month(2026, 4), at=vn(2026, 4, 30, 17))
    # April: B and A finished in March; C, D, E still open (C and D overdue, E due 08/04 → late by 30/04).
    assert next(r for r in april.indicators if r.spec.id == "2.1").denominator == 3


def test_who_sees_what(world, make_user):  # noqa: F811
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)
    assert may_see(inspector, Scope())
    assert may_see(world.leader, Scope(agency_id=world.agency.pk))
    assert not may_see(world.leader, Scope(agency_id=world.other_agency.pk))
    assert not may_see(world.leader, Scope())
    assert may_see(world.head, Scope(one_stop_unit_id=world.centre.pk))
    assert not may_see(world.head, Scope())
    assert not may_see(world.handler, Scope(agency_id=world.agency.pk))  # no reports.view
    with pytest.raises(PermissionRefused) as refused:
        require_scope(world.leader, Scope(agency_id=world.other_agency.pk))
    assert refused.value.code == "report_scope_forbidden"
    with pytest.raises(NotFound) as unknown:
        require_scope(inspector, Scope(agency_id=999999))
    assert unknown.value.code == "scope_not_found"


def test_agency_and_officer_evaluation(march, world):  # noqa: F811
    q1 = Period.quarter(2026, 1)
    agency = evaluation.evaluate_agency(world.agency, q1)
    assert agency.dossiers == 2  # A and B finished in the quarter
    assert agency.scores[1] == D("1.0")  # early 2, late 0
    assert agency.scores[3] == D("2.0")  # no completion or supplement request
    assert agency.scores[4] == D("1.0")  # both at the counter
    assert agency.scores[7] is None and agency.scores[9] is None
    officers = {e.subject_id: e for e in evaluation.evaluate_officers(Scope(), q1)}
    assert set(officers) == {world.reception.pk, world.handler.pk}
    reception = officers[world.reception.pk]
    assert (reception.dossiers, reception.scores[1], reception.scores[3], reception.scores[7]) == (
        2,
        D("1.0"),
        D("2.0"),
        None,
    )
    # The procedure has no internal process: its tasks carry no budget class, so indicator 2 has
    # no data and is left out of the total (1.0 + 2.0 + 1.0).
    assert reception.scores[2] is None
    assert reception.total == D("4.0")
    assert reception.rating.code == "mostly"
    assert officers[world.handler.pk].dossiers == 2


def test_scorecard_counts_equal_the_drill_down_lists(march, django_assert_max_num_queries):
    # From the projections: freshness (2) + before and during the period (2) + 3.2 (1) + 3.1 (2).
    with django_assert_max_num_queries(7):
        card = index766.scorecard(scope=Scope(), period=MARCH, at=AT)
    for row in card.indicators:
        if row.status == "no_data":
            continue
        _, _, numerator = index766.indicator_records(
            row.spec.id, "numerator", scope=Scope(), period=MARCH, at=AT
        )
        _, _, denominator = index766.indicator_records(
            row.spec.id, "denominator", scope=Scope(), period=MARCH, at=AT
        )
        assert (numerator.count(), denominator.count()) == (row.numerator, row.denominator), row.spec.id


def test_scenario_15_a_second_supplement_request_makes_an_early_dossier_late_for_2_1(march):
    """SPEC scenario 15: dossier a finished early, but had a second supplement request
    (``supplement_requested_twice``, set by the act: ``dossiers/tests/test_request_supplement.py``):
    QĐ 766 2.1 counts it late, in the score and in the drill-down; its own class stays early."""
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=march["a"].pk).update(supplement_requested_twice=True)
    projections.project([march["a"].pk])
    card = index766.scorecard(scope=Scope(), period=MARCH, at=AT)
    row = next(r for r in card.indicators if r.spec.id == "2.1")
    assert (row.status, row.numerator, row.denominator, row.percent, row.points_display) == (
        "ok",
        1,
        5,
        D("20.00"),
        D("4.00"),
    )
    _, _, numerator = index766.indicator_records("2.1", "numerator", scope=Scope(), period=MARCH, at=AT)
    assert {d.pk for d in numerator} == {march["e"].pk}
    assert Dossier.objects.get(pk=march["a"].pk).timeliness == "early"
