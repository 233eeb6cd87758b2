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
