"""The one gate for reading (``dossier_for_user``) and the timeline for pages."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role
from motcua.core.errors import NotFound
from motcua.dossiers import services
from motcua.dossiers.selectors import dossier_for_user, timeline_of

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
