"""Overview (/can-bo/tong-quan/) and staff search (/can-bo/tim-kiem/)."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.tests.factories import applicant, staff, vn
from motcua.units.services import call_next_ticket, take_ticket

pytestmark = pytest.mark.django_db


def cell(html: str, table_id: str) -> list[tuple[str, str]]:
    body = re.search(rf'id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return re.findall(r'<th scope="row">([^<]*)</th><td>(\d+)</td>', body)


def test_overview_counts(client, world, factory, counter):
    with time_machine.travel(vn(2026, 3, 17, 8), tick=False):
        take_ticket(counter_id=counter.pk)
        call_next_ticket(counter_id=counter.pk, actor_id=world.reception.pk)
    factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")  # due 16/03: overdue
    factory.create(at=vn(2026, 3, 4, 8), trait="in_processing")  # due 18/03: due next working day
    factory.create(at=vn(2026, 3, 17, 8, 30), trait="received")  # today, at counter 1
    factory.create(at=vn(2026, 3, 2, 7, 30), trait="returned")  # finished: in no count
    client.force_login(world.head)
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False):
        response = client.get("/can-bo/tong-quan/")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="received-today">1<', html)
    assert cell(html, "by-channel") == [("Trực tiếp", "1"), ("Trực tuyến", "0"), ("Dịch vụ bưu chính", "0")]
    assert cell(html, "by-counter") == [("Quầy 1 — Tư pháp", "1")]
    assert re.search(r'id="within-deadline"><strong>2<', html)
    assert re.search(r'id="over-deadline"><strong>1<', html)
    assert re.search(r'id="due-next-count"><strong>1<', html)
    by_place = re.search(r'id="overdue-by-place">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert re.findall(r"<th scope=\"row\">([^<]*)</th><td>([^<]*)</td><td>(\d+)</td>", by_place) == [
        ("Sở Tư pháp", "Chờ phân công thụ lý", "1")
    ]


def test_overview_is_for_heads_and_leaders(client, world):
    for user, status in [(world.head, 200), (world.leader, 200), (world.handler, 403), (world.citizen, 403)]:
        client.force_login(user)
        assert client.get("/can-bo/tong-quan/").status_code == status


def test_search_by_name_without_accents_code_identifier_and_state(client, world, factory, make_user):
    first = factory.create(at=vn(2026, 3, 2, 8), applicant=applicant(full_name="Đặng Thị Hoà"))
    second = factory.create(
        at=vn(2026, 3, 3, 8), trait="in_processing", applicant=applicant(identifier_number="042190000001")
    )
    client.force_login(world.reception)

    def codes(**params):
        response = client.get("/can-bo/tim-kiem/", params)
        assert response.status_code == 200
        return re.findall(
            r'<tr class="result"><th scope="row"><a href="/can-bo/ho-so/\d+/">([^<]+)<',
            response.content.decode(),
        )

    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        assert codes(name="dang thi hoa") == [first.code]
        assert codes(name="HOÀ") == [first.code]
        assert codes(code=second.code[-11:]) == [second.code]
        assert codes(identifier="042190000001") == [second.code]
        assert codes(state="in_processing") == [second.code]
        assert codes(received_from="2026-03-03") == [second.code]
        assert codes(procedure="thu tuc") == [second.code, first.code]
        outsider = staff(
            make_user, Role.RECEPTION_OFFICER, "tiepnhan-khac", one_stop_unit_id=_other_unit(world).pk
        )
        client.force_login(outsider)
        assert codes(name="dang thi hoa") == []
        client.force_login(world.citizen)
        assert client.get("/can-bo/tim-kiem/").status_code == 403


def _other_unit(world):
    from motcua.units.models import OneStopKind, OneStopUnit

    return OneStopUnit.objects.create(
        code="ttpvhcc-khac",
        name="Trung tâm khác",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=world.other_agency,
        admin_unit=world.centre.admin_unit,
    )


def test_search_by_name_finds_the_representative_too(world, factory):
    """Name search matches the applicant's or the representative's name, with or without accents;
    a dossier without a representative is found by its applicant only."""
    from motcua.dossiers import queues as q

    alone = factory.create(at=vn(2026, 3, 2, 8), applicant=applicant(full_name="Trần Thị Bình"))
    represented = factory.create(
        at=vn(2026, 3, 3, 8),
        applicant=applicant(full_name="Công ty TNHH Sao Mai", identifier_number="042190000003"),
        representative=applicant(full_name="Lê Văn Bình", identifier_number="042190000002"),
    )
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        found = [d.code for d in q.search_dossiers(world.head, name="le van binh")]
        both = [d.code for d in q.search_dossiers(world.head, name="BÌNH")]
        company = [d.code for d in q.search_dossiers(world.head, name="sao mai")]
    assert found == [represented.code]
    assert both == [represented.code, alone.code]
    assert company == [represented.code]


def test_search_reads_the_reference_revision_once_per_page(world, factory):
    """A page of results is two statements whatever its length: the reference revision (once, not
    once per dossier listed: ``search_dossiers`` is ``read_once``) and the page's rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import queues as q

    for day in (2, 3, 4):
        factory.create(at=vn(2026, 3, day, 8))
    with time_machine.travel(vn(2026, 3, 6, 9), tick=False):
        assert len(q.search_dossiers(world.head, limit=1)) == 1  # warms the reference caches
        with CaptureQueriesContext(connection) as page:
            assert len(q.search_dossiers(world.head, limit=3)) == 3
    statements = [query["sql"] for query in page.captured_queries]
    assert len(statements) == 2, statements
    assert statements[0] == "SELECT token FROM core_revision WHERE name = 'reference'"


def test_search_pages_newest_first(client, world, factory, monkeypatch):
    from motcua.dossiers import queues as q

    monkeypatch.setattr(q, "SEARCH_LIMIT", 1)
    older = factory.create(at=vn(2026, 3, 2, 8), applicant=applicant(full_name="Lê Văn Tám"))
    newer = factory.create(at=vn(2026, 3, 3, 8), applicant=applicant(full_name="Lê Văn Tâm"))
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        one = client.get("/can-bo/tim-kiem/", {"name": "le van ta"}).content.decode()
        two = client.get("/can-bo/tim-kiem/", {"name": "le van ta", "trang": "2"}).content.decode()
    row = r'<tr class="result"><th scope="row"><a href="/can-bo/ho-so/\d+/">([^<]+)<'
    assert re.findall(row, one) == [newer.code]
    assert 'href="?name=le+van+ta&amp;trang=2" rel="next"' in one
    assert re.findall(row, two) == [older.code]
    assert 'href="?name=le+van+ta&amp;trang=1" rel="prev"' in two
    assert 'rel="next"' not in two


def test_search_form_widgets_draw_what_django_templates_draw(client, world, monkeypatch):
    """The search form's widgets are drawn in Python (``backoffice.widgets``): the page is the same,
    character for character, as with Django's widget templates: empty, filled in, and with errors."""
    from django import forms

    from motcua.backoffice import widgets

    client.force_login(world.reception)
    cases = [
        {},
        {
            "code": 'A"<&',
            "name": "Đặng",
            "state": "received",
            "received_from": "2026-03-02",
            "agency": str(world.agency.pk),
        },
        {"received_to": "31/02/2026", "agency": "999999", "identifier": "x" * 30},
    ]

    def pages():
        found = []
        for params in cases:
            response = client.get("/can-bo/tim-kiem/", params)
            # Each render masks the CSRF token afresh (the language and logout forms).
            found.append(
                (response.status_code, re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode()))
            )
        return found

    drawn = pages()
    for widget in (widgets.TextInput, widgets.DateInput, widgets.Select):
        monkeypatch.setattr(widget, "_render", forms.Widget._render)
    assert pages() == drawn
    assert [status for status, _ in drawn] == [200, 200, 400]
    filled, refused = drawn[1][1], drawn[2][1]
    assert '<input type="text" name="code" value="A&quot;&lt;&amp;" maxlength="40" id="id_code">' in filled
    assert f'<option value="{world.agency.pk}" selected>{world.agency.name} (' in filled
    assert '<option value="received" selected>' in filled
    assert (
        "Hãy chọn một lựa chọn hợp lệ. Lựa chọn đó không phải là một trong các lựa chọn khả thi." in refused
    )


def test_dossier_path_is_what_reverse_gives():
    """``{% dossier_path %}`` (the links of every list row) gives the reversed URL, under a script
    prefix too."""
    from django.urls import reverse, set_script_prefix

    from motcua.backoffice.templatetags.backoffice import dossier_path

    for prefix in ("/", "/motcua/"):
        set_script_prefix(prefix)
        try:
            for name in ("backoffice:dossier", "backoffice:dossier_act"):
                for pk in (1, 42, 987_654_321, 12_345_678_901):
                    assert dossier_path(name, pk) == reverse(name, args=[pk])
        finally:
            set_script_prefix("/")
    assert dossier_path("backoffice:dossier", 7) == "/can-bo/ho-so/7/"
    assert dossier_path("backoffice:dossier_act", 7) == "/can-bo/ho-so/7/thao-tac/"


def test_search_pages_are_the_visible_dossiers_newest_first(world, factory, make_user):
    """``search_dossiers`` picks a page's ids first (an index walk on PostgreSQL, ADR 0039), then
    their rows: the same dossiers, in the same order, as the plain query over what the user sees."""
    from motcua.dossiers import queues as q
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import visible_dossiers

    made = [
        factory.create(at=vn(2026, 3, 2, 8 + i), trait=trait)
        for i, trait in enumerate(["received", "in_processing", "received", "returned", "received"])
    ]
    outsider = staff(
        make_user, Role.RECEPTION_OFFICER, "tiepnhan-khac", one_stop_unit_id=_other_unit(world).pk
    )
    newest_first = [d.pk for d in reversed(made)]
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        for user in (world.reception, world.leader, world.handler, outsider):
            for criteria in ({"state": "received"}, {"procedure": "thu tuc"}, {"code": "."}):
                seen = visible_dossiers(user)
                if "state" in criteria:
                    seen = seen.filter(state=criteria["state"])
                expected = list(seen.order_by("-created_at", "-pk").values_list("pk", flat=True))
                found = []
                for offset in (0, 2, 4):
                    page = q.search_dossiers(user, limit=2, offset=offset, **criteria)
                    found += [row.pk for row in page]
                assert found == expected, (user.username, criteria)
        received = q.search_dossiers(world.reception, state="received", limit=2, offset=1)
    assert [row.pk for row in received] == [newest_first[2], newest_first[4]]
    assert [row.state for row in received] == ["received", "received"]
    assert Dossier.objects.filter(pk__in=newest_first).count() == 5
    assert q.search_dossiers(outsider, procedure="thu tuc") == []


def test_overview_walks_the_unit_tree_once(world, factory):
    """The overview asks for visible dossiers twice (today's, open ones): the user's units and the
    units under them are read once per page (``read_once``), not once per call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import queues as q

    factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    with time_machine.travel(vn(2026, 3, 17, 9), tick=False), CaptureQueriesContext(connection) as seen:
        data = q.overview(world.head)
    walks = [x["sql"] for x in seen.captured_queries if '"parent_centre_id" IN (' in x["sql"]]
    assert len(walks) == 1
    assert (data.within_deadline, data.over_deadline) == (0, 1)
