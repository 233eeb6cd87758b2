"""The portal's public statistics read the report projections, and give the numbers they gave when
indicator 5.4 was counted from the dossier table (``index766.indicator_result``), for the running
year and a past one, on generated data; in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from motcua.core.clock import VN_TZ
from motcua.demo.generator import Generator
from motcua.demo.loader import load_demo
from motcua.dossiers.models import Dossier
from motcua.reports import index766, projections
from motcua.reports.dashboards import public_statistics
from motcua.reports.index766 import _due_later_today, config_for
from motcua.reports.scope import Period, Scope

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 11, 26, 10, 0, tzinfo=VN_TZ)  # a Thursday morning
RATINGS = "motcua.feedback.selectors.unhappy_dossier_ids"  # the generator's ratings
# Queries of one public_statistics call: the year's totals and stocks (3), the months (1), 5.4's two
# sums over Summary; then, when a ratings source is set, the unhappy dossiers in play, and for the
# running year the dossiers due later today. Whatever the number of dossiers.
BUDGET = 5


@pytest.fixture
def generated(settings):
    settings.MOTCUA_RATINGS_SOURCE = ""
    with time_machine.travel(AT, tick=False):
        load_demo()
        Generator(count=1000, years=2, seed=11).run(batch=1000)
        every_ninth = list(Dossier.objects.order_by("pk").values_list("pk", flat=True)[::9])
        Dossier.objects.filter(pk__in=every_ninth).update(supplement_requested_twice=True)
        open_ = Dossier.objects.filter(
            finished_at__isnull=True,
            received_at__isnull=False,
            parent__isnull=True,
            due_at__isnull=False,
            supplement_requested_twice=False,
        ).order_by("pk")
        ids = list(open_.values_list("pk", flat=True)[:3])
        # Due later today (on time now, overdue at the end of today), earlier today (late both ways).
        Dossier.objects.filter(pk=ids[0]).update(due_at=AT + dt.timedelta(hours=5))
        Dossier.objects.filter(pk=ids[1]).update(due_at=AT - dt.timedelta(hours=1))
        # Exactly one due later today, whatever else the generator's stream made due today.
        end_of_day = dt.datetime.combine(AT.date() + dt.timedelta(days=1), dt.time(), VN_TZ)
        open_.filter(due_at__gte=AT, due_at__lt=end_of_day).exclude(pk=ids[0]).update(
            due_at=F("due_at") + dt.timedelta(days=1)
        )
        projections.rebuild()
        assert projections.check() == []
        yield ids


def _year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), min(dt.date(year, 12, 31), AT.date()), "year")


def _result(r: index766.IndicatorResult) -> tuple[object, ...]:
    return r.status, r.numerator, r.denominator, r.value, r.points


def test_public_statistics_equal_the_dossier_table_in_a_few_queries(generated, settings):
    with time_machine.travel(AT, tick=False):
        running = Period(dt.date(2026, 1, 1), AT.date(), "year")
        assert _due_later_today(Scope(), running, AT) == 1  # the case the projections alone get wrong
        for source in ("", RATINGS):
            settings.MOTCUA_RATINGS_SOURCE = source
            for year in (2025, 2026):
                with CaptureQueriesContext(connection) as queries:
                    stats = public_statistics(year=year, at=AT)
                expected_queries = BUDGET + (year == 2026) + bool(source)
                assert len(queries) == expected_queries, [q["sql"] for q in queries]
                on_dossiers = [q["sql"] for q in queries if '"dossiers_dossier"' in q["sql"]]
                assert len(on_dossiers) == (1 if year == 2026 else 0), on_dossiers
                period = _year(year)
                # Before: 5.4 counted from the dossier table (the scorecard's running-period path).
                before = index766.indicator_result(
                    config_for(period.end).indicator("5.4"), scope=Scope(), period=period, at=AT
                )
                after = index766.satisfaction_from_projections(scope=Scope(), period=period, at=AT)
                assert _result(after) == _result(before), (year, source)
                expected = index766.percent(before.value) if before.status == "ok" else None
                assert stats.satisfaction == expected
                if source:
                    assert before.status == "ok" and 0 < before.numerator < before.denominator
                    assert expected is not None and Decimal(0) < expected < Decimal(100)
                else:
                    assert (before.status, stats.satisfaction) == ("no_data", None)


def test_running_period_scorecard_equals_the_dossier_table_and_reads_it_once(generated, settings):
    """The scorecard of a running period (this month, quarter, year) counts from the projections up
    to today, the one dossier due later today on time as ``on_time_condition`` judges it now; its
    only read of the dossier table is that range on ``due_at``."""
    settings.MOTCUA_RATINGS_SOURCE = RATINGS
    with time_machine.travel(AT, tick=False):
        compared = 0
        unhappy: dict[str, int] = {}
        for period in (Period.month(2026, 11), Period.quarter(2026, 4), Period.year(2026)):
            assert period.end > AT.date()  # running, with days still to come
            with CaptureQueriesContext(connection) as queries:
                card = index766.scorecard(scope=Scope(), period=period, at=AT)
            on_dossiers = [q["sql"] for q in queries if 'FROM "dossiers_dossier"' in q["sql"]]
            assert len(on_dossiers) == 1, on_dossiers
            assert card.freshness is not None and card.is_current
            for row in card.indicators:
                naive = index766.indicator_result(row.spec, scope=Scope(), period=period, at=AT)
                assert _result(row) == _result(naive), (row.spec.id, period)
                compared += row.status == "ok"
            on_time = next(r for r in card.indicators if r.spec.id == "2.1")
            assert on_time.status == "ok" and 0 < on_time.numerator < on_time.denominator
            satisfied = next(r for r in card.indicators if r.spec.id == "5.4")
            unhappy[period.kind] = on_time.numerator - satisfied.numerator  # 5.4 = 2.1's − unhappy
        assert compared >= 9
        assert unhappy["year"] > 0  # the generator's dissatisfied ratings are counted
