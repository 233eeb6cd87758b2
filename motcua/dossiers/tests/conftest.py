from __future__ import annotations

import pytest

from motcua.accounts.models import Role, UserKind
from motcua.accounts.services import grant_membership
from motcua.deadlines.calendars import clear_cache
from motcua.deadlines.seed import seed_calendars
from motcua.units.models import Agency, AgencyKind, OneStopKind, OneStopUnit

from .factories import DossierFactory, World, make_procedure, staff, vn


@pytest.fixture
def calendar_2026(db):
    clear_cache()
    seed_calendars(range(2025, 2028))
    yield
    clear_cache()


@pytest.fixture
def world(calendar_2026, province, committee, justice_dept, finance_dept, make_user) -> World:
    commune_agency = Agency.objects.create(
        identifier_code="000.00.12.H38",
        name="UBND xã Thạch Hà",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        admin_unit=province,
        parent=committee,
        name_folded="ubnd xa thach ha",
    )
    centre = OneStopUnit.objects.create(
        code="ttpvhcc-thach-ha",
        name="Trung tâm Phục vụ hành chính công xã Thạch Hà",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=commune_agency,
        admin_unit=province,
    )
    citizen = make_user("congdan")
    citizen.kind = UserKind.CITIZEN
    citizen.save()
    grant_membership(user=citizen, role=Role.CITIZEN)
    return World(
        centre=centre,
        agency=justice_dept,
        other_agency=finance_dept,
        version=make_procedure(),
        reception=staff(make_user, Role.RECEPTION_OFFICER, "tiepnhan", one_stop_unit_id=centre.pk),
        head=staff(make_user, Role.ONE_STOP_HEAD, "truongbp", one_stop_unit_id=centre.pk),
        leader=staff(make_user, Role.DEPT_LEADER, "lanhdao", agency_id=justice_dept.pk),
        handler=staff(make_user, Role.HANDLER, "thuly", agency_id=justice_dept.pk),
        approver=staff(make_user, Role.APPROVER, "pheduyet", agency_id=justice_dept.pk),
        clerk=staff(make_user, Role.CLERK, "vanthu", agency_id=justice_dept.pk),
        coordinator=staff(make_user, Role.COORDINATOR, "phoihop", agency_id=finance_dept.pk),
        citizen=citizen,
    )


@pytest.fixture
def factory(world) -> DossierFactory:
    return DossierFactory(world)


@pytest.fixture
def signing_step(factory, settings, tmp_path):
    """A dossier at the signing step, with the test signature provider's secret and files under a
    temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    settings.MOTCUA_SIGNATURE_TEST_SECRET = "bi-mat-ky-so-thu-nghiem"
    return factory.create(at=vn(2026, 3, 2, 8), trait="signing")
