"""SPEC scenario 30 in the reports: a dossier received 20/06/2025 by a district (abolished 30/06/2025)
and handed to the successor agency in 2026 stays counted under the district and the district level in
every period, and the successor's reports carry it (decision 0062)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests import test_successor_takes_over as successor_fixtures
from motcua.dossiers.tests.factories import staff, vn
from motcua.reports import dashboards, ii06a, projections
from motcua.reports.models import ReportedDossier
from motcua.reports.scope import Period as PlacePeriod
from motcua.reports.scope import Scope as Place
from motcua.reports.scope import agencies_in, dossier_filter, may_see
from motcua.units.models import Agency, AgencyKind

pytestmark = pytest.mark.django_db

calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world
legacy = successor_fixtures.legacy

H1_2025 = ii06a.period_for("calendar", "half", 2025, 1)
H2_2025 = ii06a.period_for("calendar", "half", 2025, 2)
Q1_2026 = ii06a.period_for("calendar", "quarter", 2026, 1)
TRANSFER = vn(2026, 3, 2, 9)

# Received 20/06/2025 in person, due 04/07/2025, unfinished at the end of June: within the deadline.
PENDING_IN_H1 = {3: 1, 4: 0, 5: 1, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0, 11: 1, 12: 1, 13: 0}
# Carried over into H2 2025 (and into 2026), overdue since 04/07/2025.
CARRIED_OVERDUE = {3: 1, 4: 0, 5: 0, 6: 1, 7: 0, 8: 0, 9: 0, 10: 0, 11: 1, 12: 0, 13: 1}


def _report(place: Place, period) -> ii06a.Report:
    return ii06a.build(scope=dashboards.figures_scope(place), period=period)


def _rows(report: ii06a.Report) -> dict[str, dict[int, int]]:
    """The level rows (headings) of a report, by label, and the total."""
    out = {row.label: row.cols for row in report.rows if row.is_heading}
    out["total"] = report.total.cols
    return out


def _listed(metric: str, place: Place, period) -> set[int]:
    span = PlacePeriod(period.start, period.end)
    return set(
        dashboards.records(metric, scope=place, period=span, at=vn(2026, 11, 27, 9)).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def pending(world, legacy):
    dossier = successor_fixtures._pending_at_district(world, legacy)
    projections.refresh()
    return dossier


def test_the_district_keeps_its_dossier_after_the_transfer(world, legacy, pending):
    district = Place(agency_id=legacy["agency"].pk)
    before = {p: _rows(_report(district, p)) for p in (H1_2025, H2_2025, Q1_2026)}
    assert before[H1_2025] == {"Cấp huyện": PENDING_IN_H1, "total": PENDING_IN_H1}
    assert before[H2_2025] == {"Cấp huyện": CARRIED_OVERDUE, "total": CARRIED_OVERDUE}

    services.transfer_to_successor(dossier_id=pending.pk, actor=legacy["new_leader"], at=TRANSFER)
    projections.refresh()

    after = {p: _rows(_report(district, p)) for p in (H1_2025, H2_2025, Q1_2026)}
    assert after == before  # the transfer changes none of the district's reports
    fact = ReportedDossier.objects.get(dossier_id=pending.pk)
    assert (fact.agency_id, fact.level, fact.unit_id) == (legacy["agency"].pk, "district", legacy["unit"].pk)
    # Continuity (scenario 21): carried over into H2 = in progress at the end of H1.
    assert after[H2_2025]["total"][6] == after[H1_2025]["total"][11] == 1
    call_command("rebuild_reports", "--check")


def test_the_successor_reports_carry_the_predecessors_dossiers(world, legacy, pending, make_user):
    successor = Place(agency_id=legacy["successor"].pk)
    province_committee = Place(agency_id=legacy["successor"].parent_id)
    periods = (H1_2025, H2_2025, Q1_2026)
    before = {
        (place, p): _rows(_report(place, p)) for place in (successor, province_committee) for p in periods
    }
    services.transfer_to_successor(dossier_id=pending.pk, actor=legacy["new_leader"], at=TRANSFER)
    projections.refresh()
    for place in (successor, province_committee):
        # Under the district's level, in the successor's reports, with the H1 → H2 → 2026 continuity,
        # the same before the hand-over and after it.
        assert _rows(_report(place, H1_2025)) == {"Cấp huyện": PENDING_IN_H1, "total": PENDING_IN_H1}
        assert _rows(_report(place, H2_2025)) == {"Cấp huyện": CARRIED_OVERDUE, "total": CARRIED_OVERDUE}
        assert _rows(_report(place, Q1_2026)) == {"Cấp huyện": CARRIED_OVERDUE, "total": CARRIED_OVERDUE}
        assert all(_rows(_report(place, p)) == before[place, p] for p in periods)

    # The successor finishes it, late, on 03/03/2026: counted in (10) in the successor's Q1 2026 and
    # in the district's too (it stays the district's dossier).
    successor_agency = legacy["successor"]
    approver = staff(make_user, Role.APPROVER, "pd-xa", agency_id=successor_agency.pk)
    clerk = staff(make_user, Role.CLERK, "vt-xa", agency_id=successor_agency.pk)
    _finish_at_successor(pending.pk, legacy, approver, clerk)
    projections.refresh()
    late = {3: 1, 4: 0, 5: 0, 6: 1, 7: 1, 8: 0, 9: 0, 10: 1, 11: 0, 12: 0, 13: 0}
    for place in (successor, Place(agency_id=legacy["agency"].pk)):
        assert _rows(_report(place, Q1_2026)) == {"Cấp huyện": late, "total": late}
    call_command("rebuild_reports", "--check")


def _finish_at_successor(dossier_id, legacy, approver, clerk):
    services.assign_handler(
        dossier_id=dossier_id,
        actor=legacy["new_leader"],
        handler_id=legacy["new_handler"].pk,
        at=vn(2026, 3, 2, 10),
    )
    services.appraise(dossier_id=dossier_id, actor=legacy["new_handler"], opinion="Đủ", at=vn(2026, 3, 3, 9))
    services.approve(dossier_id=dossier_id, actor=approver, at=vn(2026, 3, 3, 10))
    services.sign_result(dossier_id=dossier_id, actor=approver, at=vn(2026, 3, 3, 11))
    services.issue_result(dossier_id=dossier_id, actor=clerk, number="1/QĐ", at=vn(2026, 3, 3, 14))


# The drill-down figure → list pairs: II.06a column(s) and the dashboard metric listing them.
FIGURES = {
    "received": (4, 5),
    "finished": (7,),
    "late": (10,),
    "in_progress": (11,),
    "within": (12,),
    "overdue": (13,),
}


def _agree(place: Place, period) -> dict[str, set[int]]:
    """Each figure of ``place``'s II.06a over ``period`` equals the length of its drill-down list."""
    cols = _report(place, period).total.cols
    lists = {metric: _listed(metric, place, period) for metric in FIGURES}
    for metric, numbers in FIGURES.items():
        assert len(lists[metric]) == sum(cols[n] for n in numbers), (metric, place, period)
    return lists


def test_figures_and_their_lists_agree_in_both_scopes(world, legacy, pending, make_user):
    district = Place(agency_id=legacy["agency"].pk)
    successor = Place(agency_id=legacy["successor"].pk)
    services.transfer_to_successor(dossier_id=pending.pk, actor=legacy["new_leader"], at=TRANSFER)
    projections.refresh()
    one = {pending.pk}
    for place in (district, successor):
        h1 = _agree(place, H1_2025)
        assert (h1["received"], h1["in_progress"], h1["within"], h1["overdue"]) == (one, one, one, set())
        q1 = _agree(place, Q1_2026)
        assert (q1["received"], q1["in_progress"], q1["overdue"]) == (set(), one, one)
    approver = staff(make_user, Role.APPROVER, "pd-xa", agency_id=legacy["successor"].pk)
    clerk = staff(make_user, Role.CLERK, "vt-xa", agency_id=legacy["successor"].pk)
    _finish_at_successor(pending.pk, legacy, approver, clerk)
    projections.refresh()
    for place in (district, successor):
        q1 = _agree(place, Q1_2026)
        assert (q1["finished"], q1["late"], q1["in_progress"]) == (one, one, set())


def test_a_place_s_viewers_still_see_it_and_its_reports_carry_the_predecessors(
    world, legacy, pending, make_user, province
):
    """Seeing a place needs ``reports.view`` over the place's own agencies, not over the abolished
    agencies they succeeded (nobody holds a role there any more); its reports still carry them."""
    leader = staff(make_user, Role.DEPT_LEADER, "ld-tinh", agency_id=legacy["successor"].parent_id)
    place = Place(province_id=province.pk)
    assert may_see(leader, place)
    assert legacy["agency"].pk in agencies_in(place)
    services.transfer_to_successor(dossier_id=pending.pk, actor=None, at=TRANSFER)
    projections.refresh()
    assert _rows(_report(place, H1_2025)) == {"Cấp huyện": PENDING_IN_H1, "total": PENDING_IN_H1}
    assert _listed("received", place, H1_2025) == {pending.pk}


def test_reads_of_the_dossier_table_select_what_the_facts_count(world, legacy, pending):
    """``dossier_filter`` (the live panels, the running scorecard, the evaluation) selects by the
    agency of reception too: the same dossiers as the facts, in every place, after the hand-over."""
    places = (
        Place(agency_id=legacy["agency"].pk),
        Place(agency_id=legacy["successor"].pk),
        Place(agency_id=world.agency.pk),  # the justice department: neither
    )

    def both(place: Place) -> tuple[set[int], set[int]]:
        table = set(Dossier.objects.filter(dossier_filter(place)).values_list("pk", flat=True))
        facts = set(dashboards.reported_dossiers(place).values_list("dossier_id", flat=True))
        return table, facts

    assert [both(p) for p in places] == [({pending.pk}, {pending.pk})] * 2 + [(set(), set())]
    services.transfer_to_successor(dossier_id=pending.pk, actor=None, at=TRANSFER)
    projections.refresh()
    assert [both(p) for p in places] == [({pending.pk}, {pending.pk})] * 2 + [(set(), set())]
    overdue_now = dashboards.records("overdue_now", scope=places[0], period=PlacePeriod.month(2026, 3))
    assert [d.pk for d in overdue_now] == [pending.pk]


def test_a_place_takes_the_agencies_succeeded_by_it_or_under_it_transitively(world, legacy):
    district = legacy["agency"]
    office = Agency.objects.create(  # under the district, no successor named: not the commune's
        identifier_code="000.01.36.H42",
        name="Phòng Tư pháp huyện Thạch Hà",
        kind=AgencyKind.DEPARTMENT,
        admin_unit=district.admin_unit,
        parent=district,
        valid_to=district.valid_to,
    )
    older = Agency.objects.create(  # succeeded by the district: the commune's through it
        identifier_code="000.00.35.H42",
        name="UBND thị xã cũ",
        kind=AgencyKind.DISTRICT_COMMITTEE,
        admin_unit=district.admin_unit,
        valid_to=dt.date(2019, 12, 31),
        successor=district,
    )
    successor = legacy["successor"]
    assert agencies_in(Place(agency_id=successor.pk)) == {successor.pk, district.pk, older.pk}
    assert agencies_in(Place(agency_id=successor.pk), predecessors=False) == {successor.pk}
    assert agencies_in(Place(agency_id=district.pk)) == {district.pk, office.pk, older.pk}
    committee = agencies_in(Place(agency_id=successor.parent_id))
    assert {successor.pk, district.pk, older.pk} <= committee and office.pk not in committee
