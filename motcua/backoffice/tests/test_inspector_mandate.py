"""The inspector reads the dossiers of the agencies in its mandate, for its period, and no other
(SPEC §4.1; decision 0061): the agencies of its memberships and those under them, while each
membership is valid; a membership at no agency reaches nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.accounts.models import Membership, Role
from motcua.dossiers.selectors import visible_dossiers
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 17, 9)


@pytest.fixture
def two(factory, world):
    """One dossier decided by the justice department, one by the finance department (both received
    at the commune centre)."""
    justice = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    finance = factory.create(at=vn(2026, 3, 3, 8), competent_agency_id=world.other_agency.pk)
    return justice, finance


def _reads(client, dossier) -> tuple[int, int, int]:
    return (
        client.get(f"/can-bo/ho-so/{dossier.pk}/").status_code,
        client.get(f"/api/v1/dossiers/{dossier.pk}").status_code,
        client.get(f"/can-bo/ho-so/{dossier.pk}/mau/").status_code,
    )


def test_an_inspector_at_an_agency_reads_its_dossiers_and_gets_404_elsewhere(client, world, make_user, two):
    justice, finance = two
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.pk)
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        assert _reads(client, justice) == (200, 200, 200)
        assert _reads(client, finance) == (404, 404, 404)
        problem = client.get(f"/api/v1/dossiers/{finance.pk}").json()
        assert (problem["code"], problem["detail_vi"], problem["detail_en"]) == (
            "dossier_not_found",
            "Không tìm thấy hồ sơ.",
            "Dossier not found.",
        )
        assert [d["id"] for d in client.get("/api/v1/dossiers").json()["results"]] == [justice.pk]
        search = client.get("/can-bo/tim-kiem/", {"procedure": "thu tuc"}).content.decode()
        assert justice.code in search and finance.code not in search
        overview = client.get("/can-bo/tong-quan/").content.decode()
        assert 'id="over-deadline"><strong>1<' in overview
        assert 'id="within-deadline"><strong>0<' in overview
        # A report of a place outside the mandate is refused (403, both languages).
        report = client.get(f"/api/v1/reports/dashboard?agency={world.other_agency.pk}")
        assert (report.status_code, report.json()["code"]) == (403, "report_scope_forbidden")


def test_an_inspector_at_the_committee_reads_every_agency_under_it(client, world, make_user, two):
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        assert [_reads(client, d) for d in two] == [(200, 200, 200), (200, 200, 200)]


def test_two_memberships_two_agencies(world, make_user, two):
    justice, finance = two
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.pk)
    Membership.objects.create(user=inspector, role=Role.INSPECTOR, agency=world.other_agency)
    with time_machine.travel(NOW, tick=False):
        assert sorted(visible_dossiers(inspector).values_list("pk", flat=True)) == [justice.pk, finance.pk]


def test_the_mandate_holds_for_its_period_only(client, world, make_user, two):
    justice, _finance = two
    inspector = make_user("thanhtra")
    Membership.objects.create(
        user=inspector,
        role=Role.INSPECTOR,
        agency=world.agency,
        valid_from=dt.date(2026, 3, 16),
        valid_to=dt.date(2026, 3, 20),
    )
    client.force_login(inspector)
    for day, status in ((15, 404), (16, 200), (20, 200), (21, 404)):
        with time_machine.travel(vn(2026, 3, day, 9), tick=False):
            assert client.get(f"/api/v1/dossiers/{justice.pk}").status_code == status, day


def test_an_inspector_membership_at_no_agency_reaches_no_dossier(client, world, make_user, two):
    """``grant_membership`` refuses it; a row made around it (the admin) opens nothing."""
    inspector = make_user("thanhtra")
    Membership.objects.create(user=inspector, role=Role.INSPECTOR)
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        assert [_reads(client, d) for d in two] == [(404, 404, 404), (404, 404, 404)]
        assert client.get("/api/v1/dossiers").json()["results"] == []
