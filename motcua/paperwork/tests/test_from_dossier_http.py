"""The forms through HTTP: staff pages and the API, behind ``dossier_for_user`` (decision 0009)."""

from __future__ import annotations

import pytest

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.tests.factories import staff, vn

from .pdf_tools import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(world):
    return services.receive_at_counter(intake=world.intake(), actor=world.reception, at=vn(2026, 2, 13, 14))


def test_reception_gets_form01_pdf_and_html_with_an_etag(client, world, accepted):
    client.force_login(world.reception)
    response = client.get(f"/can-bo/ho-so/{accepted.pk}/mau/1.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-cache"
    assert "000.00.12.H38-260213-0001" in flat(pdf_text(response.content))
    etag = response["ETag"]
    again = client.get(f"/can-bo/ho-so/{accepted.pk}/mau/1.pdf", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    html = client.get(f"/can-bo/ho-so/{accepted.pk}/mau/1.html")
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "14 giờ 00 phút, ngày 13/02/2026" in html.content.decode()
    assert html["ETag"] != etag
    listing = client.get(f"/can-bo/ho-so/{accepted.pk}/mau/")
    assert listing.status_code == 200
    assert f"/can-bo/ho-so/{accepted.pk}/mau/1.pdf" in listing.content.decode()


def test_api_answers_the_pdf(client, world, accepted):
    client.force_login(world.handler)  # the competent agency sees the dossier
    response = client.get(f"/api/v1/dossiers/{accepted.pk}/forms/1", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/dossiers/{accepted.pk}/forms/1").content.startswith(b"%PDF")


def test_another_agencys_officer_gets_404(client, world, accepted, make_agency, make_user):
    other = make_agency("000.00.40.H42", "Sở Xây dựng")
    stranger = staff(make_user, Role.HANDLER, "xaydung", agency_id=other.pk)
    client.force_login(stranger)
    for path in (
        f"/can-bo/ho-so/{accepted.pk}/mau/1.pdf",
        f"/can-bo/ho-so/{accepted.pk}/mau/1.html",
        f"/can-bo/ho-so/{accepted.pk}/mau/",
        f"/can-bo/ho-so/{accepted.pk}/phieu-kiem-soat.pdf",
    ):
        assert client.get(path).status_code == 404, path
    api = client.get(f"/api/v1/dossiers/{accepted.pk}/forms/1", HTTP_ACCEPT="application/pdf")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/problem+json"
    assert api.json()["code"] == "dossier_not_found"


def test_an_event_without_a_form_is_404_and_anonymous_is_refused(client, world, accepted):
    services.forward_dossier(dossier_id=accepted.pk, actor=world.reception, at=vn(2026, 2, 13, 15))
    assert client.get(f"/api/v1/dossiers/{accepted.pk}/forms/1").status_code in (401, 403)
    assert client.get(f"/can-bo/ho-so/{accepted.pk}/mau/1.pdf").status_code == 302  # to the login page
    client.force_login(world.reception)
    assert client.get(f"/can-bo/ho-so/{accepted.pk}/mau/2.pdf").status_code == 404
    assert client.get(f"/can-bo/ho-so/{accepted.pk}/mau/9.pdf").status_code == 404
    assert client.get(f"/api/v1/dossiers/{accepted.pk}/forms/2").json()["code"] == "form_not_found"
    slip = client.get(f"/can-bo/ho-so/{accepted.pk}/phieu-kiem-soat.pdf")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")


def test_ledger_for_reception_and_reports_but_not_for_an_agency_handler(client, world, accepted):
    path = f"/can-bo/so-theo-doi/{world.centre.code}/2026.pdf"
    client.force_login(world.reception)
    response = client.get(path)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "260213-0001" in flat(pdf_text(response.content))
    client.force_login(world.head)  # reports.view at the unit
    assert client.get(path).status_code == 200
    client.force_login(world.handler)
    assert client.get(path).status_code == 403
    client.force_login(world.reception)
    assert client.get("/can-bo/so-theo-doi/khong-co/2026.pdf").status_code == 404
