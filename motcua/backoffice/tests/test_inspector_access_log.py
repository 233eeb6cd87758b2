"""Every read of a dossier by an inspector writes one row of the access log: who, when, which
dossier, what, from which address; a search writes one row with its query and how many dossiers it
showed (SPEC §4.1 "every access logged"; decision 0061). Other roles' reads are not logged, a refused
read writes nothing, a failed write never turns a read into a 500, and nobody changes the log."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from motcua.accounts.models import Role, User
from motcua.dossiers.models import AppendOnlyViolation, DossierAccess, DossierEvent
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db

NOW = vn(2026, 3, 17, 9)
ADDRESS = "203.0.113.7"


@pytest.fixture
def two(factory, world):
    justice = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    finance = factory.create(at=vn(2026, 3, 3, 8), competent_agency_id=world.other_agency.pk)
    return justice, finance


@pytest.fixture
def inspector(make_user, world):
    user = staff(make_user, Role.INSPECTOR, "thanhtra", agency_id=world.agency.pk)
    user.full_name = "Thanh tra Lê Minh"
    user.save()
    return user


def rows() -> list[tuple[object, ...]]:
    return list(
        DossierAccess.objects.order_by("id").values_list(
            "user__username", "user_name", "at", "dossier_id", "kind", "detail", "results", "address"
        )
    )


def test_each_read_by_an_inspector_writes_one_row(client, world, inspector, two):
    justice, finance = two
    form01 = DossierEvent.objects.get(dossier=justice, form="form01")
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        get = lambda url, **query: client.get(url, query, REMOTE_ADDR=ADDRESS)  # noqa: E731
        assert get(f"/can-bo/ho-so/{justice.pk}/").status_code == 200
        assert get(f"/can-bo/ho-so/{justice.pk}/mau/").status_code == 200
        assert get(f"/can-bo/ho-so/{justice.pk}/mau/{form01.seq}.pdf").status_code == 200
        assert get(f"/can-bo/ho-so/{justice.pk}/mau/{form01.seq}.html").status_code == 200
        assert get(f"/api/v1/dossiers/{justice.pk}").status_code == 200
        assert get(f"/api/v1/dossiers/{justice.pk}/timeline").status_code == 200
        assert get(f"/api/v1/dossiers/{justice.pk}/forms/{form01.seq}").status_code == 200
        assert get("/can-bo/tim-kiem/", procedure="thu tuc").status_code == 200
        assert get("/api/v1/dossiers").status_code == 200
        # Refused reads (another agency's dossier; a form that is not there) write nothing.
        assert get(f"/can-bo/ho-so/{finance.pk}/").status_code == 404
        assert get(f"/api/v1/dossiers/{finance.pk}").status_code == 404
        assert get(f"/can-bo/ho-so/{justice.pk}/mau/999.pdf").status_code == 404
        # The search form without criteria ran no search: nothing.
        assert get("/can-bo/tim-kiem/").status_code == 200
    who = ("thanhtra", "Thanh tra Lê Minh", NOW)
    assert rows() == [
        (*who, justice.pk, "page", "", None, ADDRESS),
        (*who, justice.pk, "form", "forms", None, ADDRESS),
        (*who, justice.pk, "form", f"form01 #{form01.seq} pdf", None, ADDRESS),
        (*who, justice.pk, "form", f"form01 #{form01.seq} html", None, ADDRESS),
        (*who, justice.pk, "api", "dossier", None, ADDRESS),
        (*who, justice.pk, "api", "timeline", None, ADDRESS),
        (*who, justice.pk, "api", f"form01 #{form01.seq} pdf", None, ADDRESS),
        (*who, None, "search", "/can-bo/tim-kiem/?procedure=thu+tuc", 1, ADDRESS),
        (*who, None, "search", "/api/v1/dossiers", 1, ADDRESS),
    ]


def test_reads_by_other_roles_are_not_logged(client, world, make_user, two):
    justice, _finance = two
    controller = staff(make_user, Role.PROCEDURE_CONTROLLER, "kiemsoat", agency_id=world.agency.parent_id)
    with time_machine.travel(NOW, tick=False):
        for user in (world.handler, world.leader, world.reception, controller):
            client.force_login(user)
            assert client.get(f"/can-bo/ho-so/{justice.pk}/").status_code == 200
            assert client.get(f"/api/v1/dossiers/{justice.pk}").status_code == 200
            assert client.get("/can-bo/tim-kiem/", {"procedure": "thu tuc"}).status_code == 200
    assert DossierAccess.objects.count() == 0


def test_an_inspector_outside_its_period_is_refused_and_not_logged(client, world, inspector, two):
    justice, _finance = two
    inspector.memberships.update(valid_to=dt.date(2026, 3, 16))
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        # No membership on the day: not staff at all (403) in the back office, 404 over the API.
        assert client.get(f"/can-bo/ho-so/{justice.pk}/").status_code == 403
        assert client.get(f"/api/v1/dossiers/{justice.pk}").status_code == 404
    assert DossierAccess.objects.count() == 0


def test_a_failed_write_does_not_fail_the_read(client, world, inspector, two, monkeypatch, caplog):
    justice, _finance = two

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(DossierAccess.objects, "create", broken)
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.ERROR, "motcua.dossiers.access_log"):
        assert client.get(f"/can-bo/ho-so/{justice.pk}/").status_code == 200
        assert client.get(f"/api/v1/dossiers/{justice.pk}").json()["id"] == justice.pk
    monkeypatch.undo()
    assert DossierAccess.objects.count() == 0
    said = "motcua: the inspectors' access log was not written"
    assert [r.getMessage() for r in caplog.records if r.name == "motcua.dossiers.access_log"] == [
        f"{said} (user {inspector.pk}, page, dossier {justice.pk})",
        f"{said} (user {inspector.pk}, api, dossier {justice.pk})",
    ]


def test_the_log_cannot_be_changed_through_the_admin_nor_the_orm(client, world, inspector, two, make_user):
    justice, _finance = two
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        client.get(f"/can-bo/ho-so/{justice.pk}/", REMOTE_ADDR=ADDRESS)
    entry = DossierAccess.objects.get()
    before = rows()
    auditor = User.objects.create_superuser("kiemtoan", "kiemtoan@example.vn", "mat-khau-an-toan-9")
    client.force_login(auditor)
    listing = client.get("/quan-tri/dossiers/dossieraccess/")
    assert listing.status_code == 200
    assert "Thanh tra Lê Minh" in listing.content.decode()
    assert client.get(f"/quan-tri/dossiers/dossieraccess/{entry.pk}/change/").status_code == 200  # read-only
    assert client.get("/quan-tri/dossiers/dossieraccess/add/").status_code == 403
    changed = client.post(
        f"/quan-tri/dossiers/dossieraccess/{entry.pk}/change/", {"detail": "đã sửa", "kind": "search"}
    )
    assert changed.status_code == 403
    deleted = client.post(f"/quan-tri/dossiers/dossieraccess/{entry.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    bulk = client.post(
        "/quan-tri/dossiers/dossieraccess/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # no action exists: the list is drawn again
    assert rows() == before
    # Nor through the ORM, nor (the database's trigger) through SQL.
    entry.detail = "đã sửa"
    with pytest.raises(AppendOnlyViolation):
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        DossierAccess.objects.filter(pk=entry.pk).update(detail="đã sửa")
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_dossieraccess SET detail = 'x' WHERE id = %s", [entry.pk])
    assert rows() == before


def test_files_fees_the_portal_page_and_the_lists_are_logged(
    client, world, inspector, two, settings, tmp_path
):
    from motcua.dossiers import services
    from motcua.dossiers.tests.factories import PDF
    from motcua.reports.projections import refresh

    settings.MEDIA_ROOT = tmp_path
    justice, _finance = two
    component = justice.components.order_by("position", "pk").first()
    stored = services.attach_component_file(
        component_id=component.pk,
        actor=world.reception,
        content=PDF,
        name="don.pdf",
        at=vn(2026, 3, 2, 8, 10),
    )
    refresh()
    client.force_login(inspector)
    with time_machine.travel(NOW, tick=False):
        get = lambda url: client.get(url, REMOTE_ADDR=ADDRESS)  # noqa: E731
        assert get(f"/can-bo/ho-so/{justice.pk}/tep/{stored.pk}/").status_code == 200
        assert get(f"/api/v1/dossiers/{justice.pk}/files/{stored.pk}").status_code == 200
        assert get(f"/can-bo/ho-so/{justice.pk}/thu-phi/").status_code == 200
        assert get(f"/ho-so-cua-toi/{justice.pk}/").status_code == 200
        assert get("/can-bo/tong-quan/").status_code == 200
        records = "/can-bo/bao-cao/ho-so/?period=custom&start=2026-03-01&end=2026-03-31&metric=received"
        assert get(records).status_code == 200
        assert get(records + "&format=csv").status_code == 200
    who = ("thanhtra", "Thanh tra Lê Minh", NOW)
    assert rows() == [
        (*who, justice.pk, "file", f"file {stored.pk} don.pdf", None, ADDRESS),
        (*who, justice.pk, "api", f"file {stored.pk} don.pdf", None, ADDRESS),
        (*who, justice.pk, "page", "fees", None, ADDRESS),
        (*who, justice.pk, "page", "portal", None, ADDRESS),
        (*who, None, "search", "/can-bo/tong-quan/", 1, ADDRESS),
        (*who, None, "search", records, 1, ADDRESS),
        (*who, None, "search", records + "&format=csv", 1, ADDRESS),
    ]
