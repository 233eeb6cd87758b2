"""The procedure controller (kiểm soát TTHC) reads every dossier of the province and acts on none
(SPEC §4.1: evaluation and reports with drill-down; decision 0061): staff search, the dossier page,
its forms, the API reads and the overview answer it; every act is refused with the role error and
changes nothing."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def controller(make_user, world):
    # Held at the provincial committee, as the demo has it; the reach is the whole installation.
    return staff(make_user, Role.PROCEDURE_CONTROLLER, "kiemsoat", agency_id=world.agency.parent_id)


@pytest.fixture
def dossiers(factory, world):
    """One overdue (due 16/03), one due later, both at the justice department; and one of another
    department's, received at another centre, which a department's officer does not see."""
    overdue = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    later = factory.create(at=vn(2026, 3, 9, 8), trait="received")
    return overdue, later


def _codes(html: str) -> list[str]:
    return re.findall(r'<tr class="result"><th scope="row"><a href="/can-bo/ho-so/\d+/">([^<]+)<', html)


def test_the_controller_searches_and_opens_every_dossier_and_its_forms(client, world, controller, dossiers):
    overdue, later = dossiers
    client.force_login(controller)
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
        search = client.get("/can-bo/tim-kiem/", {"procedure": "thu tuc"})
        assert search.status_code == 200
        assert _codes(search.content.decode()) == [later.code, overdue.code]
        page = client.get(f"/can-bo/ho-so/{overdue.pk}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert overdue.code in html
        # No act is offered: the page has no act form at all.
        assert 'id="act-' not in html
        forms = client.get(f"/can-bo/ho-so/{overdue.pk}/mau/")
        assert forms.status_code == 200
        form01 = DossierEvent.objects.get(dossier=overdue, form="form01")
        pdf = client.get(f"/can-bo/ho-so/{overdue.pk}/mau/{form01.seq}.pdf")
        assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
        assert pdf.content.startswith(b"%PDF")


def test_the_controller_reads_dossiers_over_the_api(client, world, controller, dossiers):
    overdue, later = dossiers
    client.force_login(controller)
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
        detail = client.get(f"/api/v1/dossiers/{overdue.pk}")
        assert detail.status_code == 200
        body = detail.json()
        assert (body["id"], body["code"], body["state"], body["competent_agency"]) == (
            overdue.pk,
            overdue.code,
            "in_processing",
            world.agency.pk,
        )
        listed = client.get("/api/v1/dossiers").json()["results"]
        assert [d["id"] for d in listed] == [later.pk, overdue.pk]
        timeline = client.get(f"/api/v1/dossiers/{overdue.pk}/timeline").json()
        assert [e["act"] for e in timeline] == ["accept", "forward"]


def test_the_controller_acts_on_nothing(client, world, controller, dossiers):
    overdue, later = dossiers
    client.force_login(controller)
    before = {d.pk: (d.state, d.version) for d in Dossier.objects.all()}
    events = DossierEvent.objects.count()
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
        for dossier, act, body in (
            (later, "forward", {}),
            (later, "refuse_at_intake", {"reason": "Sai"}),
            (overdue, "assign", {"handler_id": world.handler.pk}),
            (overdue, "stop_processing", {"reason": "Dừng"}),
        ):
            response = client.post(
                f"/api/v1/dossiers/{dossier.pk}/acts/{act}",
                {"version": dossier.version, **body},
                content_type="application/json",
            )
            problem = response.json()
            assert (response.status_code, problem["code"]) == (403, "role_not_allowed"), act
            assert problem["detail_vi"] and problem["detail_en"]
        urged = client.post(
            f"/api/v1/dossiers/{overdue.pk}/acts/urge",
            {"version": overdue.version, "message": "Đề nghị xử lý"},
            content_type="application/json",
        )
        assert (urged.status_code, urged.json()["code"]) == (403, "permission_denied")
        # The page's act form answers the same refusal (the page drawn again, 403).
        for dossier, act in ((later, "forward"), (overdue, "urge")):
            data = {"act": act, f"{act}-version": dossier.version, f"{act}-message": "Nhanh"}
            page = client.post(f"/can-bo/ho-so/{dossier.pk}/thao-tac/", data)
            assert page.status_code == 403, act
    assert {d.pk: (d.state, d.version) for d in Dossier.objects.all()} == before
    assert DossierEvent.objects.count() == events


def test_the_overview_counts_for_the_controller_what_it_counts_for_the_inspector(
    client, world, controller, dossiers, make_user
):
    inspector = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.parent_id)
    for user in (controller, inspector):
        client.force_login(user)
        with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
            response = client.get("/can-bo/tong-quan/")
        assert response.status_code == 200
        html = response.content.decode()
        assert re.search(r'id="over-deadline"><strong>1<', html), user
        assert re.search(r'id="within-deadline"><strong>1<', html), user


def test_the_report_records_link_to_dossiers_the_controller_opens(client, world, controller, dossiers):
    from motcua.reports.projections import refresh

    overdue, later = dossiers
    refresh()
    client.force_login(controller)
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
        records = client.get(
            "/can-bo/bao-cao/ho-so/?period=custom&start=2026-03-01&end=2026-03-31&metric=received"
        )
        assert records.status_code == 200
        links = re.findall(r'<a href="/can-bo/ho-so/(\d+)/">', records.content.decode())
        assert sorted(int(pk) for pk in links) == sorted([overdue.pk, later.pk])
        for pk in links:
            assert client.get(f"/can-bo/ho-so/{pk}/").status_code == 200
