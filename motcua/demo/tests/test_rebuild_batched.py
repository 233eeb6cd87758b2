"""rebuild_reports and --check in bounded memory: by dossier id range and chunk of figures, with the
same result as a single pass."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.demo.generator import Generator
from motcua.demo.loader import load_demo
from motcua.reports import projections
from motcua.reports.models import MEASURES, Figures, ReportedDossier, Summary

pytestmark = pytest.mark.django_db
MEASURE_NAMES = MEASURES


def snapshot() -> tuple[Any, ...]:
    def rows(model: Any, keys: tuple[str, ...]) -> set[tuple[Any, ...]]:
        return set(model.objects.values_list(*keys, *MEASURE_NAMES))

    facts = {projections.Fact.of_row(r) for r in ReportedDossier.objects.all()}
    return (
        rows(Figures, projections._KEY_COLUMNS),
        rows(Summary, projections._SUMMARY_KEY_COLUMNS),
        facts,
    )


def test_batched_rebuild_equals_one_pass_and_the_generated_projections(monkeypatch: Any) -> None:
    load_demo()
    # the second load adds to existing figures: through COPY and one upsert on PostgreSQL
    monkeypatch.setattr(projections, "COPY_FROM", 10)
    Generator(count=150, years=2, seed=3).run(batch=100)
    Generator(count=150, years=2, seed=4).run(batch=100)
    generated = snapshot()
    assert len(generated[2]) == 300
    assert projections.check(batch=37) == []
    assert projections.rebuild(batch=37) == 300
    small = snapshot()
    assert projections.rebuild(batch=10**6) == 300
    assert snapshot() == small == generated
    assert projections.check(batch=10**6) == []


def test_check_names_a_changed_fact_figure_and_summary_row() -> None:
    load_demo()
    Generator(count=60, years=1, seed=9).run(batch=60)
    fact = ReportedDossier.objects.order_by("dossier_id").first()
    assert fact is not None
    ReportedDossier.objects.filter(pk=fact.pk).update(
        channel="postal" if fact.channel != "postal" else "online"
    )
    row = Figures.objects.filter(grain="D", received__gt=0).order_by("id").first()
    assert row is not None
    Figures.objects.filter(pk=row.pk).update(received=row.received + 2)
    differences = projections.check(batch=7)
    assert ("dossier", fact.dossier_id) in {d.key for d in differences}
    received = [d for d in differences if d.measure == "received" and d.key[0] == "D"]
    assert [(d.stored, d.computed) for d in received] == [(row.received + 2, row.received)]
    # the summary was not touched: it still matches the recomputation
    assert not [d for d in differences if d.key[0] == "summary"]
