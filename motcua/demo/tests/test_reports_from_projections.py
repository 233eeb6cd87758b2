"""The projections give the same numbers as the dossier table, on generated data (ADR 0033).

A few thousand synthetic dossiers (``demo.generator``), some of them given the flags the generator
does not produce (VNeID, a second supplement request, fees, result files), the projections rebuilt
from the event log; then, for several periods and places:

* every Decision 766 indicator counted from the projections (``scorecard`` for a period that has
  ended) equals the same indicator counted from the dossier table (``indicator_result`` without the
  projected counts: the drill-down's querysets), satisfaction (5.4) included;
* the period totals read from ``Summary`` (no procedure) equal those read from ``Figures`` (every
  procedure named, so ``Figures`` is read), and the II.06a totals equal a GROUP BY over the dossiers.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.demo.generator import Generator
from motcua.demo.loader import load_demo
from motcua.dossiers.models import Dossier, FeeLine, Result
from motcua.reports import ii06a, index766, projections, selectors
from motcua.reports.models import Figures, Summary
from motcua.reports.scope import Period, Scope

pytestmark = pytest.mark.django_db

COUNT = 1500


def every_seventh_unhappy(ids, finished_since=None):
    """A stand-in ratings source (the ``satisfaction`` contract): ids divisible by 7 are unhappy."""
    return {pk for pk in ids if pk % 7 == 0}


@pytest.fixture
def generated(settings):
    settings.MOTCUA_RATINGS_SOURCE = ""
    load_demo()
    Generator(count=COUNT, years=2, seed=5).run(batch=1000)
    ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    Dossier.objects.filter(pk__in=ids[::6]).update(vneid_verified=True)
    Dossier.objects.filter(pk__in=ids[::9]).update(supplement_requested_twice=True)
    FeeLine.objects.bulk_create(
        [FeeLine(dossier_id=pk, amount=50_000, collect_at="on_receipt") for pk in ids[::4]]
        + [FeeLine(dossier_id=pk, amount=0, collect_at="on_receipt") for pk in ids[1::10]]
    )
    finished = list(Dossier.objects.filter(finished_at__isnull=False).values_list("pk", flat=True))
    Result.objects.bulk_create(
        [Result(dossier_id=pk, file="" if pk % 5 == 0 else f"results/{pk}.pdf") for pk in finished[::3]]
    )
    projections.rebuild()  # the facts now hold the flags set above
    assert projections.check() == []
    return ids


def places(ids: list[int]) -> list[Scope]:
    first = Dossier.objects.get(pk=ids[0])
    busiest_field = (
        Dossier.objects.values("procedure_version__field_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["procedure_version__field_id"]
    )
    return [
        Scope(),
        Scope(agency_id=first.competent_agency_id),
        Scope(one_stop_unit_id=first.received_at_unit_id),
        Scope(field_id=busiest_field),
        Scope(procedure_id=first.procedure_version.procedure_id),
    ]


def past_periods() -> list[Period]:
    year = clock.today().year - 1
    return [Period.quarter(year, 4), Period.quarter(year, 1), Period.month(year, 7), Period.year(year)]


def test_scorecard_from_projections_equals_the_dossier_table(generated, settings):
    settings.MOTCUA_RATINGS_SOURCE = "motcua.demo.tests.test_reports_from_projections.every_seventh_unhappy"
    at = clock.now()
    compared = 0
    for scope in places(generated):
        for period in past_periods():
            card = index766.scorecard(scope=scope, period=period, at=at)
            assert card.freshness is not None and card.is_current
            for row in card.indicators:
                naive = index766.indicator_result(row.spec, scope=scope, period=period, at=at)
                assert (row.status, row.numerator, row.denominator, row.value, row.points) == (
                    naive.status,
                    naive.numerator,
                    naive.denominator,
                    naive.value,
                    naive.points,
                ), (row.spec.id, scope, period)
                compared += row.status == "ok"
    assert compared > 100  # the flags set above make most indicators non-empty
    counts = index766.projected_counts(scope=Scope(), period=past_periods()[0])
    # Non-trivial numerators: each projected measure is exercised by the data.
    for indicator in ("2.1", "3.3", "3.6", "4.1", "4.2", "4.3", "4.5", "5.4"):
        numerator, denominator = counts[indicator]
        assert 0 < numerator < denominator, indicator


def _naive_totals(scope: selectors.Scope, start: dt.date, end: dt.date) -> dict[str, int]:
    s = dt.datetime.combine(start, dt.time(), VN_TZ)
    e = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), VN_TZ)
    finished_in = Q(finished_at__gte=s, finished_at__lt=e)
    open_at_end = Q(finished_at__isnull=True) | Q(finished_at__gte=e)
    where = Q(received_at__lt=e, parent__isnull=True) & (Q(finished_at__isnull=True) | Q(finished_at__gte=s))
    if scope.agency_ids is not None:
        where &= Q(competent_agency_id__in=scope.agency_ids)
    return Dossier.objects.filter(where).aggregate(
        online=Count("id", filter=Q(received_at__gte=s, channel="online")),
        other=Count("id", filter=Q(received_at__gte=s) & ~Q(channel="online")),
        carried=Count("id", filter=Q(received_at__lt=s)),
        finished=Count("id", filter=finished_in),
        late=Count("id", filter=finished_in & Q(timeliness="late", state__in=ii06a_result_states())),
        open=Count("id", filter=open_at_end),
        overdue=Count("id", filter=open_at_end & Q(due_at__lt=e)),
    )


def ii06a_result_states() -> list[str]:
    return ["result_ready", "returned", "refused_after_appraisal"]


def test_summary_equals_figures_and_ii06a_equals_the_dossier_table(generated):
    year = clock.today().year - 1
    procedures = sorted(set(Figures.objects.values_list("procedure_id", flat=True)))
    agency = Dossier.objects.get(pk=generated[0]).competent_agency_id
    assert Summary.objects.filter(grain="Y").exists()
    for agencies in (None, [agency]):
        summary_scope = selectors.Scope(agency_ids=agencies)
        figures_scope = selectors.Scope(agency_ids=agencies, procedure_ids=procedures)
        for period in (
            ii06a.period_for("statutory", "year", year),
            ii06a.period_for("calendar", "year", year),
            ii06a.period_for("calendar", "quarter", year, 2),
            ii06a.period_for("statutory", "half", year, 2),
            selectors.Period(dt.date(year - 1, 3, 17), clock.today()),
        ):
            for group_by in ((), ("level", "field_id"), ("agency_id",)):
                assert selectors.period_totals(
                    scope=summary_scope, period=period, group_by=group_by
                ) == selectors.period_totals(scope=figures_scope, period=period, group_by=group_by)
            # Without a grouping: one row of sums (not one per stored row).
            grouped = selectors.stocks(scope=summary_scope, at=period.end, group_by=("channel",))
            assert selectors.stocks(scope=summary_scope, at=period.end)[()].in_progress == sum(
                t.in_progress for t in grouped.values()
            )
            report = ii06a.build(scope=summary_scope, period=period)
            naive = _naive_totals(summary_scope, period.start, period.end)
            cols = report.total.cols
            assert (cols[4], cols[5], cols[6], cols[7], cols[10], cols[11], cols[13]) == (
                naive["online"],
                naive["other"],
                naive["carried"],
                naive["finished"],
                naive["late"],
                naive["open"],
                naive["overdue"],
            ), period
