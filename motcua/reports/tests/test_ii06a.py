"""Biểu II.06a (SPEC §8.1) through the real services: scenarios 17, 20, 21 and the period rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.accounts.models import Role
from motcua.catalog.models import Channel, Field
from motcua.catalog.models import ProcedureVersion as Version
from motcua.core.clock import VN_TZ
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests.factories import make_commune, staff, vn
from motcua.reports import ii06a, projections
from motcua.reports.selectors import Period, Scope

pytestmark = pytest.mark.django_db

calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world
factory = dossier_fixtures.factory


def _processing(w, dossier_id: int, at: dt.datetime) -> None:
    services.forward_dossier(dossier_id=dossier_id, actor=w.reception, at=at + dt.timedelta(minutes=10))
    services.assign_handler(
        dossier_id=dossier_id, actor=w.leader, handler_id=w.handler.pk, at=at + dt.timedelta(minutes=20)
    )
    services.appraise(dossier_id=dossier_id, actor=w.handler, opinion="Đủ", at=at + dt.timedelta(minutes=30))


def _finish(w, dossier_id: int, day: dt.date) -> None:
    at = dt.datetime.combine(day, dt.time(10), VN_TZ)
    services.approve(dossier_id=dossier_id, actor=w.approver, at=at)
    services.sign_result(dossier_id=dossier_id, actor=w.approver, at=at + dt.timedelta(minutes=5))
    services.issue_result(
        dossier_id=dossier_id, actor=w.clerk, number="1/QĐ", at=at + dt.timedelta(minutes=10)
    )


def _receive(w, at: dt.datetime, *, online: bool = False) -> Dossier:
    if online:
        draft = services.submit_dossier(intake=w.intake(channel=Channel.ONLINE), actor=w.citizen, at=at)
        dossier = services.accept_dossier(
            dossier_id=draft.pk, actor=w.reception, at=at + dt.timedelta(minutes=5)
        )
    else:
        dossier = services.receive_at_counter(intake=w.intake(), actor=w.reception, at=at)
    _processing(w, dossier.pk, at + dt.timedelta(minutes=5))
    dossier.refresh_from_db()
    return dossier


def _due(dossier: Dossier) -> dt.date:
    return dossier.due_at.astimezone(VN_TZ).date()


def test_scenario_21_arithmetic_and_continuity(world):
    """Carried over 12; accepted 100 (online 70, counter/postal 30); finished 95 (early 60, on time 30,
    late 5); in progress 17 (within 15, overdue 2). Q2's col (6) equals Q1's col (11)."""
    civil = Field.objects.create(name="Hộ tịch", name_folded="ho tich")
    Version.objects.filter(pk=world.version.pk).update(field=civil)
    w = world
    # 12 carried over from December: 7 finish on time, 5 late, in January.
    for i in range(12):
        d = _receive(w, vn(2025, 12, 22, 8, i))
        _finish(w, d.pk, _due(d) + dt.timedelta(days=3) if i < 5 else _due(d))
    # 100 accepted in the quarter, 70 online.
    online = iter([True] * 70 + [False] * 30)
    for i in range(60):  # early
        d = _receive(w, vn(2026, 2, 2, 8, i % 60), online=next(online))
        _finish(w, d.pk, _due(d) - dt.timedelta(days=2))
    for i in range(23):  # on time
        d = _receive(w, vn(2026, 2, 3, 8, i), online=next(online))
        _finish(w, d.pk, _due(d))
    for i in range(15):  # in progress, due in April
        _receive(w, vn(2026, 3, 25, 8, i), online=next(online))
    for i in range(2):  # in progress, due Mon 16/03: overdue at 31/03
        _receive(w, vn(2026, 3, 2, 8, i), online=next(online))
    projections.refresh()
    q1 = ii06a.build(scope=Scope(), period=ii06a.period_for("calendar", "quarter", 2026, 1))
    assert [r.label for r in q1.rows] == ["Cấp tỉnh", "Hộ tịch"]
    expected = {3: 112, 4: 70, 5: 30, 6: 12, 7: 95, 8: 60, 9: 30, 10: 5, 11: 17, 12: 15, 13: 2}
    assert q1.rows[1].cols == expected
    assert q1.rows[0].cols == expected
    assert q1.total.cols == expected
    q2 = ii06a.build(scope=Scope(), period=ii06a.period_for("calendar", "quarter", 2026, 2))
    assert q2.total.cols[6] == 17
    call_command("rebuild_reports", "--check")


def test_scenario_17_late_despite_extension(world, factory):
    """Accepted Mon 09/03/2026 (5 working days, due Mon 16/03), extended to Fri 20/03, finished Thu
    19/03: LATE in col (10) (classification is not extension-aware by default)."""
    five = dossier_fixtures.make_procedure("1.000002.H42", amount=5)
    d = factory.create(at=vn(2026, 3, 9, 9), trait="appraising", version=five)
    services.apologise_and_extend(
        dossier_id=d.pk,
        actor=world.leader,
        reason="Cần xác minh",
        new_due=dt.date(2026, 3, 20),
        at=vn(2026, 3, 13, 9),
    )
    _finish(world, d.pk, dt.date(2026, 3, 19))
    projections.refresh()
    report = ii06a.build(scope=Scope(), period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert report.total.cols[10] == 1
    assert report.total.cols[7] == 1


def test_scenario_20_children_not_counted(world, factory):
    """An inter-agency parent (tasks at two agencies) and two sub-dossiers split by the national portal:
    only the parent counts (1, not 3)."""
    parent = factory.create(at=vn(2026, 3, 2, 9), trait="received")
    services.forward_dossier(
        dossier_id=parent.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=world.other_agency.pk, budget_amount=3)],
        at=vn(2026, 3, 2, 10),
    )
    children = [factory.create(at=vn(2026, 3, 2, 11 + i), trait="received") for i in range(2)]
    # The link to a parent is set by the national-portal import (no act of its own): test set-up only.
    Dossier.objects.filter(pk__in=[c.pk for c in children]).update(parent=parent)
    projections.refresh()
    projections.project([c.pk for c in children])
    report = ii06a.build(scope=Scope(), period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert report.total.cols[3] == 1
    assert projections.check() == []


@pytest.mark.parametrize(
    ("mode", "kind", "number", "start", "end"),
    [
        ("statutory", "quarter", 1, dt.date(2025, 12, 15), dt.date(2026, 3, 14)),
        ("statutory", "quarter", 2, dt.date(2026, 3, 15), dt.date(2026, 6, 14)),
        ("statutory", "half", 1, dt.date(2025, 12, 15), dt.date(2026, 6, 14)),
        ("statutory", "nine_months", 1, dt.date(2025, 12, 15), dt.date(2026, 9, 14)),
        ("statutory", "year", 1, dt.date(2025, 12, 15), dt.date(2026, 12, 14)),
        ("statutory", "month", 1, dt.date(2025, 12, 15), dt.date(2026, 1, 14)),
        ("calendar", "quarter", 4, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("calendar", "month", 2, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("calendar", "year", 1, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods(mode, kind, number, start, end):
    assert ii06a.period_for(mode, kind, 2026, number) == Period(start, end)


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (dt.date(2026, 3, 31), dt.date(2026, 3, 1), "period_reversed"),
        (dt.date(2014, 1, 1), dt.date(2026, 1, 1), "period_too_long"),
    ],
)
def test_impossible_periods_are_refused(start, end, code):
    with pytest.raises(ValidationFailed) as error:
        Period(start, end)
    assert error.value.code == code
    assert error.value.message_vi and error.value.message_en


def test_unknown_period_kind_is_refused():
    with pytest.raises(ValidationFailed) as error:
        ii06a.period_for("statutory", "quarter", 2026, 5)
    assert error.value.code == "period_unknown"


def test_rebuilding_report_says_so(world, factory):
    factory.create(at=vn(2026, 3, 2, 9), trait="received")
    report = ii06a.build(scope=Scope(), period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert not report.is_current  # the act is not projected yet
    assert report.freshness.pending_events == 1
    projections.refresh()
    report = ii06a.build(scope=Scope(), period=Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert report.is_current
    assert report.total.cols[3] == 1


def test_scenario_22_counted_once_at_b_s_reception_and_once_at_a_s_processing(world, make_user, committee):
    """SPEC scenario 22: a listed procedure decided by commune A and received at commune B's centre
    counts once in B's reception figures, once in A's processing figures and once in the province's."""
    province = world.agency.admin_unit
    commune_a, centre_a = make_commune(province, "28001", "Cẩm Xuyên", committee)
    commune_b, centre_b = make_commune(province, "28002", "Thạch Hà Mới", committee)
    Version.objects.filter(pk=world.version.pk).update(is_boundary_independent=True)
    officer_b = staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan-b", one_stop_unit_id=centre_b.pk)
    services.receive_at_counter(
        intake=world.intake(received_at_unit_id=centre_b.pk, competent_agency_id=commune_a.pk),
        actor=officer_b,
        at=vn(2026, 3, 2, 9),
    )
    projections.refresh()
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))

    def received(scope: Scope) -> int:
        return ii06a.build(scope=scope, period=march, mode="calendar").total.cols[3]

    assert [
        received(Scope(unit_ids=[centre_b.pk])),  # B's reception
        received(Scope(agency_ids=[commune_a.pk])),  # A's processing
        received(Scope(unit_ids=[centre_a.pk])),
        received(Scope(agency_ids=[commune_b.pk])),
        received(Scope()),  # the province
    ] == [1, 1, 0, 0, 1]
