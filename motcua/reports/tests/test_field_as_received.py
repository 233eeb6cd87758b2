"""A dossier counts under the field of the procedure version it was received under, everywhere:
the projections, the dashboard and scorecard numbers, and every drill-down or live list that reads
the dossier table (``scope.dossier_filter``) — even after the procedure moved to another field."""

from __future__ import annotations

import pytest
import time_machine

from motcua.catalog.models import Field
from motcua.catalog.models import ProcedureVersion as Version
from motcua.catalog.services import refresh_projection
from motcua.dossiers.tests.conftest import calendar_2026, factory, world  # noqa: F401
from motcua.dossiers.tests.factories import make_procedure, vn
from motcua.reports import dashboards, evaluation, index766, projections
from motcua.reports.models import ReportedDossier
from motcua.reports.scope import Period, Scope

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)
AT = vn(2026, 4, 1, 8, 0)


@pytest.fixture
def moved(world, factory):  # noqa: F811
    """Two dossiers received in March under version 1 (field "Hộ tịch"); on 20/03 version 2 moves the
    procedure to "Chứng thực". One finished early, one still in processing (due 17/03: overdue)."""
    civil = Field.objects.create(name="Hộ tịch", name_folded="ho tich")
    notary = Field.objects.create(name="Chứng thực", name_folded="chung thuc")
    Version.objects.filter(pk=world.version.pk).update(field=civil)
    refresh_projection(procedure_id=world.version.procedure_id)
    finished = factory.create(at=vn(2026, 3, 2, 9), trait="result_ready")
    running = factory.create(at=vn(2026, 3, 3, 9), trait="in_processing")
    second = make_procedure(procedure=world.version.procedure, effective_from=vn(2026, 3, 20).date())
    Version.objects.filter(pk=second.pk).update(field=notary)
    refresh_projection(procedure_id=world.version.procedure_id)
    world.version.procedure.refresh_from_db()
    assert world.version.procedure.field_id == notary.pk  # the procedure is now in the other field
    projections.refresh()
    return {"civil": civil, "notary": notary, "finished": finished, "running": running}


def test_the_field_is_the_one_the_dossier_was_received_under(moved):
    civil, notary = moved["civil"].pk, moved["notary"].pk
    both = {moved["finished"].pk, moved["running"].pk}
    assert dict(ReportedDossier.objects.values_list("dossier_id", "field_id")) == {pk: civil for pk in both}
    with time_machine.travel(AT, tick=False):
        board = dashboards.dashboard(scope=Scope(), period=MARCH)
        assert [(r.key, r.received, r.finished) for r in board.by_field] == [(civil, 2, 1)]
        for field_id, count in ((civil, 2), (notary, 0)):
            scope = Scope(field_id=field_id)
            totals = dashboards.dashboard(scope=scope, period=MARCH).totals
            assert (totals.received, totals.overdue) == (count, count // 2)
            # Drill-downs on the projections and on the dossier table list what the numbers count.
            listed = {d.pk for d in dashboards.records("received", scope=scope, period=MARCH)}
            assert listed == (both if count else set())
            overdue_now = {d.pk for d in dashboards.records("overdue_now", scope=scope, period=MARCH)}
            assert overdue_now == ({moved["running"].pk} if count else set())
            card = index766.scorecard(scope=scope, period=MARCH, at=AT)
            by_id = {r.spec.id: r for r in card.indicators}
            assert (by_id["2.1"].numerator, by_id["2.1"].denominator) == (count // 2, count)
            assert (by_id["3.3"].numerator, by_id["3.3"].denominator) == (0, count)
            _, _, denominator = index766.indicator_records(
                "2.1", "denominator", scope=scope, period=MARCH, at=AT
            )
            assert {d.pk for d in denominator} == (both if count else set())
            _, _, received = index766.indicator_records(
                "3.3", "denominator", scope=scope, period=MARCH, at=AT
            )
            assert {d.pk for d in received} == (both if count else set())
            # The same indicator counted from the dossier table (the running-period path).
            naive = index766.indicator_result(by_id["2.1"].spec, scope=scope, period=MARCH, at=AT)
            assert (naive.numerator, naive.denominator) == (count // 2, count)
            agencies = evaluation.evaluate_agencies(scope, MARCH)
            assert sum(e.dossiers for e in agencies) == count // 2
