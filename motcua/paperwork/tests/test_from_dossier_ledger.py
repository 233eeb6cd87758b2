"""Ledger numbers (Form 07, "Vào Sổ theo dõi hồ sơ … Số thứ tự" on Form 01): per receiving one-stop
unit and year, from 1, without gaps, given with the code at acceptance (TT01/2018 Art 10(2))."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, LedgerCounter
from motcua.dossiers.tests.factories import vn
from motcua.paperwork.from_dossier import form07_for
from motcua.paperwork.render import render_pdf
from motcua.units.models import OneStopKind, OneStopUnit

from .pdf_tools import flat, pdf_text

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _accept(world, at, **intake):
    return services.receive_at_counter(intake=world.intake(**intake), actor=world.reception, at=at)


def test_numbers_run_on_across_days_without_gaps_and_a_rolled_back_acceptance_takes_none(world):
    first = _accept(world, vn(2026, 2, 13, 8))
    second = _accept(world, vn(2026, 2, 13, 9))
    with pytest.raises(_Undo), transaction.atomic():
        undone = _accept(world, vn(2026, 2, 13, 10))
        assert undone.ledger_number == 3
        raise _Undo
    # Neither guidance (Form 02) nor a refusal (Form 03) enters the ledger.
    services.request_completion(
        intake=world.intake(components=()),
        actor=world.reception,
        reason="Thiếu",
        missing_component_ids=[t.pk for t in world.version.cases.get().components.all()],
        at=vn(2026, 2, 13, 10, 30),
    )
    services.refuse_at_intake(
        intake=world.intake(), actor=world.reception, reason="Sai", at=vn(2026, 2, 13, 11)
    )
    third = _accept(
        world, vn(2026, 2, 23, 8)
    )  # next working day after Tết: the code resets, the number does not
    online = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 2, 23, 9)
    )
    fourth = services.accept_dossier(dossier_id=online.pk, actor=world.reception, at=vn(2026, 2, 23, 10))
    assert [d.ledger_number for d in (first, second, third, fourth)] == [1, 2, 3, 4]
    assert {d.ledger_year for d in (first, second, third, fourth)} == {2026}
    assert third.code == "000.00.12.H38-260223-0001"
    assert LedgerCounter.objects.get(one_stop_unit=world.centre, year=2026).last == 4
    assert list(
        Dossier.objects.filter(ledger_number__isnull=False)
        .order_by("ledger_number")
        .values_list("ledger_number", flat=True)
    ) == [1, 2, 3, 4]

    ledger = form07_for(world.centre, 2026)
    assert [row.number for row in ledger.rows] == [1, 2, 3, 4]
    assert [row.code for row in ledger.rows] == [first.code, second.code, third.code, fourth.code]
    assert ledger.header.issuing_body == world.centre.name
    text = flat(pdf_text(render_pdf(ledger)))
    assert "Sổ theo dõi hồ sơ".upper() in text.upper()
    for dossier in (first, second, third, fourth):
        assert dossier.code.split("-")[-1] in text


def test_each_unit_and_year_has_its_own_numbering(world):
    branch = OneStopUnit.objects.create(
        code="ttpvhcc-thach-ha-2",
        name="Điểm tiếp nhận số 2",
        kind=OneStopKind.BRANCH,
        agency=world.centre.agency,
        admin_unit=world.centre.admin_unit,
        parent_centre=world.centre,
    )
    a = _accept(world, vn(2026, 12, 31, 9))
    b = _accept(world, vn(2026, 12, 31, 10), received_at_unit_id=branch.pk)
    c = _accept(world, vn(2027, 1, 4, 9))
    assert [(d.received_at_unit_id, d.ledger_year, d.ledger_number) for d in (a, b, c)] == [
        (world.centre.pk, 2026, 1),
        (branch.pk, 2026, 1),
        (world.centre.pk, 2027, 1),
    ]
    assert [r.code for r in form07_for(world.centre, 2026).rows] == [a.code]
    assert [r.code for r in form07_for(branch, 2026).rows] == [b.code]
    assert [r.code for r in form07_for(world.centre, 2027).rows] == [c.code]
    assert form07_for(world.centre, 2025).rows == ()


def test_the_year_is_vietnams_not_utc(world):
    # 06:30 on 01/01/2027 in Hà Nội is 23:30 on 31/12/2026 in UTC.
    dossier = _accept(world, vn(2027, 1, 1, 6, 30))
    assert (dossier.ledger_year, dossier.ledger_number) == (2027, 1)
