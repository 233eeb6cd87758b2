"""Counting dossiers in the projections (SPEC §11 scenarios 3, 4, 18, 20; §8.1 invariants)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import conftest as dossier_fixtures
from motcua.dossiers.tests.factories import vn
from motcua.reports import ii06a, projections
from motcua.reports.models import Figures, ReportedDossier
from motcua.reports.selectors import Period, Scope, period_totals

pytestmark = pytest.mark.django_db

# The dossier tests' fixtures: a commune centre, the competent department, its staff, a procedure.
calendar_2026 = dossier_fixtures.calendar_2026
world = dossier_fixtures.world
factory = dossier_fixtures.factory


def totals(start: dt.date, end: dt.date):
    return period_totals(scope=Scope(), period=Period(start, end))[()]


def test_received_finished_and_classified_once_each(world, factory):
    # Scenario 18: due Fri 06/03/2026 (10 working days from Fri 20/02... computed by the services).
    early = factory.create(at=vn(2026, 2, 23, 8), trait="result_ready")
    in_progress = factory.create(at=vn(2026, 2, 23, 9), trait="appraising")
    projections.refresh()
    t = totals(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (t.received, t.received_in_person, t.finished, t.finished_early) == (2, 2, 1, 1)
    assert (t.in_progress, t.within_deadline, t.overdue, t.carried_over) == (1, 1, 0, 0)
    # In March, the unfinished one is carried over; its due day passed, so it is overdue at the end.
    in_progress.refresh_from_db()
    assert in_progress.due_at.astimezone(early.due_at.tzinfo).date() == dt.date(2026, 3, 9)
    t = totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (t.carried_over, t.received, t.finished, t.in_progress, t.overdue) == (1, 0, 0, 1, 1)
    assert projections.check() == []
    assert ReportedDossier.objects.count() == 2


def test_intake_guidance_and_refusal_count_nowhere(world):
    # Scenarios 3 and 4: no code, no clock, no count.
    services.request_completion(
        intake=world.intake(components=()),
        actor=world.reception,
        reason="Thiếu giấy tờ",
        guidance="Nộp bản sao",
        at=vn(2026, 3, 2),
    )
    services.refuse_at_intake(
        intake=world.intake(), actor=world.reception, reason="Không thuộc thẩm quyền", at=vn(2026, 3, 2, 10)
    )
    projections.refresh()
    assert Dossier.objects.count() == 2
    assert ReportedDossier.objects.count() == 0
    assert Figures.objects.count() == 0
    assert projections.check() == []


def test_incremental_equals_rebuild_after_late_finish(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 9), trait="appraising")
    projections.refresh()
    services.approve(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 20, 9))
    services.sign_result(dossier_id=dossier.pk, actor=world.approver, at=vn(2026, 3, 20, 10))
    services.issue_result(dossier_id=dossier.pk, actor=world.clerk, number="1/QĐ", at=vn(2026, 3, 20, 11))
    projections.refresh()
    assert projections.check() == []
    t = totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert (t.received, t.finished, t.finished_late, t.in_progress, t.overdue) == (1, 1, 1, 0, 0)
    # At the end of 17/03 (due Mon 16/03) it was in progress and overdue.
    t = totals(dt.date(2026, 3, 1), dt.date(2026, 3, 17))
    assert (t.in_progress, t.overdue, t.within_deadline) == (1, 1, 0)
    before = list(Figures.objects.order_by("grain", "day").values())
    assert projections.rebuild() == 1
    assert list(Figures.objects.order_by("grain", "day").values_list("grain", "day", "received")) == [
        (r["grain"], r["day"], r["received"]) for r in before
    ]


def test_ii06a_of_one_dossier(world, factory):
    factory.create(at=vn(2026, 3, 2, 9), trait="result_ready")
    projections.refresh()
    report = ii06a.build(scope=Scope(), period=ii06a.period_for("statutory", "quarter", 2026, 1))
    assert report.period == Period(dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    assert report.total.cols == {3: 1, 4: 0, 5: 1, 6: 0, 7: 1, 8: 1, 9: 0, 10: 0, 11: 0, 12: 0, 13: 0}
    assert report.is_current


def test_acts_write_nothing_for_reports_until_the_worker_runs(world, factory):
    factory.create(at=vn(2026, 3, 2, 9), trait="in_processing")
    assert Figures.objects.count() == 0  # nothing in the act's transaction
    out = io.StringIO()
    call_command("refresh_reports", stdout=out)
    assert out.getvalue().strip() == "1 dossiers updated"
    assert totals(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).received == 1
