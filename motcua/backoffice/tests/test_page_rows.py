"""``page_rows``: the dossier page's rows read by statements built once per process are the rows, in
the order, with the related rows, that the page's querysets read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from motcua.backoffice.page_rows import page_rows
from motcua.dossiers.models import Consultation, Dossier, DossierFile, FeeLine, Result
from motcua.dossiers.selectors import tasks_of, timeline_entries, timeline_of
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db


def values(instance: Model | None) -> list[tuple[str, object]] | None:
    if instance is None:
        return None
    return [(f.attname, getattr(instance, f.attname)) for f in instance._meta.concrete_fields]


def _busy_dossier(world, factory) -> Dossier:
    """A dossier with a result and a signer, tasks with an assignee, three consultations (two asked at
    the same instant), two files on each of its two components (uploaded at the same instant) and fees."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="result_ready")
    asked = vn(2026, 3, 3, 9)
    for n, agency in enumerate((world.other_agency, world.agency, world.other_agency)):
        Consultation.objects.create(
            dossier=dossier,
            requested_agency=agency,
            requested_by=world.handler,
            requested_at=asked if n < 2 else asked - dt.timedelta(hours=1),
            content=f"Nội dung {n}",
            deadline=asked + dt.timedelta(days=3),
            responded_at=asked + dt.timedelta(days=1) if n == 0 else None,
            response="Đồng ý" if n == 0 else "",
        )
    first, *rest = list(dossier.components.order_by("position", "pk"))
    for component, name in ((rest[-1], "b.pdf"), (first, "a.pdf"), (first, "c.png"), (rest[-1], "d.pdf")):
        DossierFile.objects.create(
            component=component,
            file=f"dossiers/{name}",
            original_name=name,
            sha256="0" * 64,
            size=1234,
            content_type="application/pdf",
            uploaded_by=world.reception,
            uploaded_at=vn(2026, 3, 2, 10),
        )
    for amount in (50_000, 20_000):
        FeeLine.objects.create(
            dossier=dossier, description=f"Lệ phí {amount}", amount=amount, collect_at="intake"
        )
    return dossier


def test_every_list_is_its_querysets_value_by_value(world, factory):
    dossier = _busy_dossier(world, factory)
    with CaptureQueriesContext(connection) as seen:
        found = page_rows(dossier.pk)
    assert len(seen.captured_queries) == 7

    events = list(dossier.events.select_related("actor").order_by("seq"))
    assert [values(e) for e in found.events] == [values(e) for e in events] and len(events) == 7
    assert [values(e.actor) for e in found.events] == [values(e.actor) for e in events]
    assert timeline_entries(found.events) == timeline_of(dossier)

    components = list(dossier.components.prefetch_related("files").order_by("position", "pk"))
    assert [values(c) for c in found.components] == [values(c) for c in components] and len(components) == 2
    with CaptureQueriesContext(connection) as seen:
        files = [[values(f) for f in c.files.all()] for c in found.components]
        assert [[f.component is c for f in c.files.all()] for c in found.components] == [
            [True, True],
            [True, True],
        ]
    assert len(seen.captured_queries) == 0
    assert files == [[values(f) for f in c.files.all()] for c in components]
    assert [[f.original_name for f in c.files.all()] for c in found.components] == [
        ["a.pdf", "c.png"],
        ["b.pdf", "d.pdf"],
    ]

    tasks = list(tasks_of(dossier).order_by("position", "pk"))
    assert [values(t) for t in found.tasks] == [values(t) for t in tasks] and len(tasks) == 1
    assert [(values(t.agency), values(t.assignee)) for t in found.tasks] == [
        (values(t.agency), values(t.assignee)) for t in tasks
    ]
    assert found.tasks[0].assignee == world.handler

    consultations = list(
        dossier.consultations.select_related("requested_agency").order_by("requested_at", "pk")
    )
    assert [values(c) for c in found.consultations] == [values(c) for c in consultations]
    assert [c.content for c in found.consultations] == ["Nội dung 2", "Nội dung 0", "Nội dung 1"]
    assert [values(c.requested_agency) for c in found.consultations] == [
        values(c.requested_agency) for c in consultations
    ]

    result = Result.objects.select_related("signer").get(dossier=dossier)
    assert values(found.result) == values(result) and found.result is not None
    assert values(found.result.signer) == values(result.signer) and result.signer == world.approver
    assert [values(f) for f in found.fee_lines] == [values(f) for f in dossier.fee_lines.all()]
    assert [f.amount for f in found.fee_lines] == [50_000, 20_000]


def test_a_dossier_without_those_rows(world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    found = page_rows(dossier.pk)
    assert (len(found.events), len(found.components)) == (1, 2)
    assert (found.tasks, found.consultations, found.result, found.fee_lines) == ([], [], None, [])
    assert [list(c.files.all()) for c in found.components] == [[], []]
    assert page_rows(dossier.pk + 1000).events == []
