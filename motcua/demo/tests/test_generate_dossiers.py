"""The synthetic generator writes legal, hash-chained histories whose projections check clean."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from motcua.demo.generator import Generator
from motcua.demo.loader import load_demo
from motcua.dossiers.history import verify_history
from motcua.dossiers.models import CodeCounter, Dossier, DossierEvent
from motcua.reports import projections
from motcua.reports.models import ReportedDossier

pytestmark = pytest.mark.django_db


def test_generated_dossiers_verify_and_project_consistently(settings):
    load_demo()
    stats = Generator(count=300, years=2, seed=7).run(batch=120)
    assert stats.dossiers == 300
    assert Dossier.objects.count() == 300
    assert DossierEvent.objects.count() == stats.events
    assert sum(stats.by_outcome.values()) == 300
    assert all(verify_history(pk) == [] for pk in Dossier.objects.values_list("pk", flat=True))
    assert projections.check() == []
    assert ReportedDossier.objects.count() == 300
    # Codes are unique and the counters are past them: a real acceptance cannot collide.
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(set(codes)) == 300
    assert sum(CodeCounter.objects.values_list("last", flat=True)) == 300
    # Same seed, same plan: a second run adds 300 more, still consistent.
    Generator(count=300, years=2, seed=7).run(batch=300)
    assert Dossier.objects.count() == 600
    call_command("rebuild_reports", "--check")


def test_generated_ratings_are_those_an_applicant_could_give():
    """About 30% of the returned dossiers are rated, once, after the return and not after now; the
    online criterion only for online dossiers; the late far more often dissatisfied; and the ratings
    reach Decision 766 indicator 5.4 through the ratings source."""
    import datetime as dt

    from django.db.models import Count, F, Q

    from motcua.core import clock
    from motcua.feedback.models import Rating
    from motcua.feedback.selectors import unhappy_dossier_ids
    from motcua.workflow import State

    load_demo()
    stats = Generator(count=2000, years=2, seed=3).run(batch=1000)
    ratings = Rating.objects.select_related("dossier")
    assert stats.ratings == ratings.count()
    returned = Dossier.objects.filter(state=State.RETURNED.value).count()
    assert 0.25 * returned < stats.ratings < 0.35 * returned
    assert not ratings.exclude(dossier__state=State.RETURNED.value).exists()
    assert not ratings.filter(Q(rated_at__lt=F("returned_at")) | Q(rated_at__gt=clock.now())).exists()
    assert not ratings.exclude(returned_at=F("dossier__returned_at")).exists()
    assert not ratings.exclude(agency_id=F("dossier__competent_agency_id")).exists()
    assert not ratings.filter(rated_at__gt=F("returned_at") + dt.timedelta(days=7, minutes=1)).exists()
    online = Q(dossier__channel="online")
    assert not ratings.filter(online, online_score__isnull=True).exists()
    assert not ratings.filter(~online, online_score__isnull=False).exists()
    by_late = ratings.values("dossier__timeliness").annotate(
        n=Count("pk"), unhappy=Count("pk", filter=Q(satisfaction="dissatisfied"))
    )
    share = {r["dossier__timeliness"]: r["unhappy"] / r["n"] for r in by_late}
    assert share["late"] > 0.1 and share["early"] < 0.06
    unhappy = unhappy_dossier_ids(Dossier.objects.values_list("pk", flat=True))
    assert unhappy == set(ratings.filter(satisfaction="dissatisfied").values_list("dossier_id", flat=True))
    assert unhappy
