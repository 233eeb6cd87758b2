"""The one gate for reading (``dossier_for_user``) and the timeline for pages."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import NotFound
from motcua.dossiers import services
from motcua.dossiers.selectors import dossier_for_user, timeline_of, visible_dossiers

from .factories import staff, vn

pytestmark = pytest.mark.django_db


def test_who_may_read_a_dossier(world, make_user, make_agency):
    submitted = services.submit_dossier(
        intake=world.intake(channel="online"), actor=world.citizen, at=vn(2026, 3, 2, 8)
    )
    services.accept_dossier(dossier_id=submitted.pk, actor=world.reception, at=vn(2026, 3, 2, 9))
    tax = make_agency("000.00.31.H42", "Chi cục Thuế")
    services.forward_dossier(
        dossier_id=submitted.pk,
        actor=world.reception,
        tasks=[services.TaskInput(agency_id=tax.pk, budget_amount=3)],
        at=vn(2026, 3, 2, 10),
    )
    tax_officer = staff(make_user, Role.COORDINATOR, "thue", agency_id=tax.pk)
    stranger = make_user("nguoila")
    other_agency_handler = staff(make_user, Role.HANDLER, "thuly-tc", agency_id=world.other_agency.pk)
    for reader in (world.citizen, world.reception, world.handler, world.leader, tax_officer):
        assert dossier_for_user(reader, submitted.pk).pk == submitted.pk
    for outsider in (stranger, other_agency_handler):
        with pytest.raises(NotFound) as hidden:
            dossier_for_user(outsider, submitted.pk)
        assert hidden.value.status == 404
    with pytest.raises(NotFound):
        dossier_for_user(world.citizen, submitted.pk + 1000)


def test_each_way_of_seeing_a_dossier_lists_it_once(world, factory, make_user, make_agency):
    """Visibility is one condition per way (columns, then EXISTS over tasks and consultations): a
    dossier seen several ways is listed once, and only its consulted agency gains it by consulting."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising", step=dt.timedelta(minutes=10))
    other = factory.create(at=vn(2026, 3, 2, 9), trait="appraising", step=dt.timedelta(minutes=10))
    police = make_agency("000.00.40.H42", "Công an tỉnh Hà Tĩnh")
    officer = staff(make_user, Role.COORDINATOR, "congan", agency_id=police.pk)
    assert list(visible_dossiers(officer)) == []
    for _ in range(2):  # two consultations to the same agency: still one row
        services.consult(
            dossier_id=dossier.pk,
            actor=world.handler,
            agency_id=police.pk,
            content="Xin ý kiến",
            deadline=vn(2026, 3, 6, 17),
            at=vn(2026, 3, 3, 9),
        )
    assert [d.pk for d in visible_dossiers(officer)] == [dossier.pk]
    assert visible_dossiers(officer).count() == 1
    # Received at the leader's one-stop unit, decided by the leader's agency, with a task there too.
    seen_by_leader = sorted(d.pk for d in visible_dossiers(world.leader))
    assert seen_by_leader == sorted([dossier.pk, other.pk])
    assert visible_dossiers(world.leader).filter(pk=other.pk).count() == 1
    assert visible_dossiers(make_user("nguoila")).count() == 0


def test_timeline_names_actors_acts_and_forms(factory, world):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    entries = timeline_of(dossier)
    assert [(e.seq, e.event, e.act_vi, e.act_en, e.form) for e in entries] == [
        (1, "accepted", "Tiếp nhận", "Accept", "form01"),
        (2, "forwarded", "Chuyển hồ sơ", "Forward", ""),
        (3, "assigned", "Phân công thụ lý", "Assign", ""),
    ]
    assert [e.actor_name for e in entries] == ["Tiepnhan", "Tiepnhan", "Lanhdao"]
    assert entries[2].data["handler_name"] == "Thuly"


def test_a_unit_opened_under_the_centre_is_seen_by_the_gate_at_once(world, factory):
    """The unit tree under an officer's unit is kept per process under the reference revision
    (decision 0048): a branch opened under the centre, by any process, counts at the next read."""
    from motcua.units.models import OneStopKind, OneStopUnit

    assert visible_dossiers(world.head).count() == 0  # the tree is read and kept
    branch = OneStopUnit.objects.create(
        code="mot-cua-thach-ha-2",
        name="Điểm tiếp nhận số 2",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=world.centre.agency,
        admin_unit=world.centre.admin_unit,
        parent_centre=world.centre,
    )
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    type(dossier).objects.filter(pk=dossier.pk).update(received_at_unit=branch, return_unit=branch)
    assert list(visible_dossiers(world.head).values_list("pk", flat=True)) == [dossier.pk]
    assert dossier_for_user(world.head, dossier.pk).received_at_unit_id == branch.pk


def test_the_gate_question_is_the_querysets_and_follows_a_new_consultation(world, factory, make_user):
    """``dossier_for_user`` asks its question with a statement compiled once per condition (decision
    0049): the statement the queryset ``visible_dossiers(user).filter(pk=…).exists()`` sends, for
    every kind of reader, and for the dossier alone (an act) the queryset's SELECT, read into the
    same values; a consultation asked of another agency shows the dossier to its staff at
    the next request (the condition carries the consultation's dossier, so it is another statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import selectors
    from motcua.dossiers.models import Consultation, Dossier

    def values(dossier):
        return [(f.attname, getattr(dossier, f.attname)) for f in Dossier._meta.concrete_fields]

    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    other = factory.create(at=vn(2026, 3, 2, 8), trait="received")
    outsider = staff(make_user, Role.HANDLER, "thuly-khac", agency_id=world.other_agency.pk)
    # An inspector's mandate is its agency (decision 0061): the finance department's sees neither.
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.other_agency.pk)
    readers = [world.reception, world.leader, world.handler, world.citizen, outsider, inspector]
    for _ in range(2):  # compiled, then kept
        for user in readers:
            for found in (dossier, other):
                with CaptureQueriesContext(connection) as orm:
                    expected = visible_dossiers(user).filter(pk=found.pk).exists()
                with CaptureQueriesContext(connection) as kept:
                    assert selectors._sees(user, found.pk) is expected
                assert kept.captured_queries[-1]["sql"] == orm.captured_queries[-1]["sql"]
                # The dossier alone (an act): the question and the read in one statement.
                with CaptureQueriesContext(connection) as orm:
                    rows = list(visible_dossiers(user).filter(pk=found.pk).order_by())
                with CaptureQueriesContext(connection) as kept:
                    alone = selectors._visible_dossier(user, found.pk)
                assert kept.captured_queries[-1]["sql"] == orm.captured_queries[-1]["sql"]
                assert [values(d) for d in rows] == ([values(alone)] if alone is not None else [])
                assert (alone is not None) is expected
    kept = [statement for (_q, _row, _db), statement in selectors._gate_statements.items()]
    assert len(kept) >= 10 and None not in kept  # compiled, the id told apart: no queryset built
    assert [selectors._sees(u, dossier.pk) for u in readers] == [True, True, True, False, False, False]
    with pytest.raises(NotFound):
        dossier_for_user(outsider, dossier.pk)
    with pytest.raises(NotFound):
        dossier_for_user(outsider, dossier.pk, related=())
    Consultation.objects.create(
        dossier=dossier,
        requested_agency=world.other_agency,
        requested_by=world.handler,
        requested_at=vn(2026, 3, 3, 9),
        content="Xin ý kiến",
        deadline=vn(2026, 3, 6, 17),
    )
    assert dossier_for_user(outsider, dossier.pk).pk == dossier.pk
    assert values(dossier_for_user(outsider, dossier.pk, related=())) == values(
        Dossier.objects.get(pk=dossier.pk)
    )
    with pytest.raises(NotFound):
        dossier_for_user(outsider, other.pk)
