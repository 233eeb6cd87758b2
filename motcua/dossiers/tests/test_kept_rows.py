"""What an act leaves on the dossier (``services._keep``) answers ``.all()`` without a statement and
still filters on the dossier when chained (decision 0055)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers import services
from motcua.dossiers.models import DossierComponent
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db


def test_the_kept_rows_answer_and_a_chained_queryset_reads_only_this_dossier(world):
    other = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 9))
    dossier = services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 3, 2, 10))
    assert DossierComponent.objects.filter(dossier=other).count() == 2

    with CaptureQueriesContext(connection) as kept:
        components = list(dossier.components.all())
        counted = dossier.components.count()
        events = [e.name for e in dossier.events.all()]
    assert kept.captured_queries == []
    assert [c.name for c in components] == ["Thành phần 1", "Thành phần 2"] and counted == 2
    assert events == ["accepted"]

    chained = list(dossier.components.filter(name="Thành phần 2"))  # a statement, on this dossier only
    assert [(c.dossier_id, c.name) for c in chained] == [(dossier.pk, "Thành phần 2")]
    assert sorted(dossier.components.order_by("-position").values_list("position", flat=True)) == [0, 1]
    with CaptureQueriesContext(connection) as back:
        assert chained[0].dossier is dossier  # the rows read point back to the dossier
    assert back.captured_queries == []
