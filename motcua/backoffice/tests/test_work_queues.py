"""Work queues (/can-bo/viec/): each role sees only its queues, sorted by due date, overdue marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers import services
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db

URL = "/can-bo/viec/"


def sections(response) -> dict[str, list[str]]:
    html = response.content.decode()
    found = {}
    for key, body in re.findall(
        r'<section class="panel queue" id="q-([a-z_]+)".*?<tbody>(.*?)</tbody>', html, re.S
    ):
        found[key] = re.findall(r'<a href="/can-bo/ho-so/\d+/">([^<]+)</a>', body)
    return found


@pytest.fixture
def dossiers(factory, world):
    """One dossier at each stage, received a day apart so their due dates differ."""
    made = {}
    for day, trait in [
        (2, "received"),
        (3, "in_processing"),
        (4, "assigned"),
        (5, "appraising"),
        (6, "signing"),
        (9, "issuing"),
        (10, "result_ready"),
    ]:
        made[trait] = factory.create(at=vn(2026, 3, day, 8), trait=trait)
    return made


def test_each_role_sees_only_its_queues(client, world, dossiers):
    expected = {
        world.reception: {
            "to_check": [],
            "to_forward": ["received"],
            "waiting_applicant": [],
            "to_return": ["result_ready"],
        },
        world.leader: {"to_assign": ["in_processing"], "consultations": []},
        world.handler: {"to_appraise": ["assigned"], "consultations": [], "waiting_applicant": []},
        world.approver: {"to_approve": ["appraising"], "to_sign": ["signing"]},
        world.clerk: {"to_issue": ["issuing"]},
    }
    with time_machine.travel(vn(2026, 3, 11, 9), tick=False):
        for user, queues in expected.items():
            client.force_login(user)
            response = client.get(URL)
            assert response.status_code == 200
            assert sections(response) == {k: [dossiers[t].code for t in v] for k, v in queues.items()}


def test_sorted_by_due_date_with_overdue_and_due_soon_marked(client, world, factory):
    late = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")  # due 16/03
    soon = factory.create(at=vn(2026, 3, 4, 8), trait="in_processing")  # due 18/03
    later = factory.create(at=vn(2026, 3, 6, 8), trait="in_processing")  # due 20/03
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 18, 9), tick=False):
        response = client.get(URL)
    assert sections(response)["to_assign"] == [late.code, soon.code, later.code]
    html = response.content.decode()
    rows = re.findall(r'<tr class="([a-z-]+)"><th scope="row"><a href="/can-bo/ho-so/\d+/">', html)
    assert rows == ["overdue", "due-soon", "on-track"]
    assert "<strong>Quá hạn</strong> 1 ngày 2 giờ làm việc" in html  # Mon 17:00 to Wed 09:00
    assert "<strong>Sắp đến hạn</strong>: còn 0 ngày 6 giờ làm việc" in html  # Wed 09:00 to 17:00


def test_consultation_to_answer_and_waiting_for_the_applicant(client, world, factory):
    asked = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    waiting = factory.create(at=vn(2026, 3, 2, 9), trait="appraising")
    services.consult(
        dossier_id=asked.pk,
        actor=world.handler,
        agency_id=world.other_agency.pk,
        content="Xin ý kiến",
        deadline=vn(2026, 3, 6, 17),
        at=vn(2026, 3, 3, 9),
    )
    services.request_supplement(
        dossier_id=waiting.pk, actor=world.handler, reason="Thiếu", guidance="Bổ sung", at=vn(2026, 3, 3, 9)
    )
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        client.force_login(world.coordinator)
        assert sections(client.get(URL)) == {"consultations": [asked.code]}
        client.force_login(world.handler)
        found = sections(client.get(URL))
        assert found["waiting_applicant"] == [waiting.code] and found["consultations"] == []
        client.force_login(world.reception)
        assert sections(client.get(URL))["waiting_applicant"] == [waiting.code]


def test_another_agency_sees_nothing_and_a_citizen_gets_403(client, world, dossiers, make_user):
    outsider = staff(make_user, Role.DEPT_LEADER, "lanhdao-tc", agency_id=world.other_agency.pk)
    client.force_login(outsider)
    with time_machine.travel(vn(2026, 3, 11, 9), tick=False):
        assert sections(client.get(URL)) == {"to_assign": [], "consultations": []}
    client.force_login(world.citizen)
    assert client.get(URL).status_code == 403


def test_english(client, world, dossiers, settings):
    client.force_login(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(vn(2026, 3, 11, 9), tick=False):
        html = client.get(URL).content.decode()
        assert "<h1>My work</h1>" in html and "To assign" in html
        page = client.get(f"/can-bo/ho-so/{dossiers['in_processing'].pk}/").content.decode()
    assert "Tasks per agency" in page and "Form 01 — Receipt and appointment for the result" in page


def test_a_queue_pages_by_due_date(client, world, factory, monkeypatch):
    """Each queue lists a page of ``PAGE_ROWS``; "25+" and "Xem tiếp" lead to the next page of that
    queue alone, earliest due first, and back."""
    from motcua.dossiers import queues as q

    monkeypatch.setattr(q, "PAGE_ROWS", 1)
    first = factory.create(at=vn(2026, 3, 3, 8), trait="in_processing")
    second = factory.create(at=vn(2026, 3, 4, 8), trait="in_processing")
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 5, 9), tick=False):
        page_one = client.get(URL)
        page_two = client.get(URL, {"hang": "to_assign", "trang": "2"})
        beyond = client.get(URL, {"hang": "to_assign", "trang": "3"})
        nonsense = client.get(URL, {"hang": "khong-co", "trang": "x"})
    assert sections(page_one)["to_assign"] == [first.code]
    html = page_one.content.decode()
    assert 'Chờ phân công thụ lý <span class="muted">(1+)</span>' in html
    assert 'href="?hang=to_assign&amp;trang=2" rel="next"' in html
    assert sections(page_two) == {"to_assign": [second.code]}
    two = page_two.content.decode()
    assert 'href="?hang=to_assign&amp;trang=1" rel="prev"' in two
    assert 'rel="next"' not in two
    assert sections(beyond) == {"to_assign": []}
    assert nonsense.status_code == 200
    assert sections(nonsense)["to_assign"] == [first.code]


def test_queries_do_not_grow_with_the_rows_listed(client, world, factory):
    """Rows are read as values with their agencies' calendars and units' hours read once per page
    (ADR 0038): eight dossiers cost the queries of two."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.leader)

    def queries() -> int:
        with time_machine.travel(vn(2026, 3, 18, 9), tick=False), CaptureQueriesContext(connection) as seen:
            assert client.get(URL).status_code == 200
        return len(seen.captured_queries)

    for day in (2, 3):
        factory.create(at=vn(2026, 3, day, 8), trait="in_processing")
    queries()  # the per-process reference data (memberships, ADR 0043) is read on the first page only
    two = queries()
    for day in (4, 5, 6, 9, 10, 11):
        factory.create(at=vn(2026, 3, day, 8), trait="in_processing")
    assert queries() == two


def test_long_procedure_names_are_cut_for_the_list():
    from motcua.dossiers.queues import LISTED_NAME_CHARS, listed_name

    assert listed_name("Đăng ký khai sinh") == "Đăng ký khai sinh"
    exact = "a" * LISTED_NAME_CHARS
    assert listed_name(exact) == exact
    cut = listed_name("Cấp giấy phép " + "x" * 100)
    assert cut == "Cấp giấy phép " + "x" * (LISTED_NAME_CHARS - 1 - 14) + "…"
    assert len(cut) == LISTED_NAME_CHARS


# The list template before rows were drawn by ``{% dossier_row %}`` (ADR 0039), with Django's own
# tags: the reference the Python drawing is held to.
LIST_BEFORE = (Path(__file__).parent / "list_before.html").read_text()


@pytest.mark.parametrize("urge", [True, False])
def test_list_rows_draw_what_the_list_template_drew(urge):
    import datetime as dt

    from django.template import Context, Template
    from django.template.loader import get_template
    from django.utils import translation

    from motcua.dossiers.models import Consultation
    from motcua.dossiers.queues import DossierRow, QueueItem, Remaining

    due = vn(2026, 3, 17, 16, 45)

    def row(pk, name, due_at, **more):
        return DossierRow(
            pk=pk,
            code=more.pop("code", f"000.00.12.H42-260302-{pk:04d}"),
            temporary_reference=None,
            applicant_name=name,
            procedure_name='Cấp "bản sao" <trích lục> & khai sinh',
            due_at=due_at,
            version=3,
            competent_agency_id=1,
            received_at_unit_id=None,
            **more,
        )

    items = [
        QueueItem(row(1, "Đặng Thị <Hoà>", due), Remaining(due, -600)),
        QueueItem(row(2, "Lê Văn Tám", due), Remaining(due, 300)),
        QueueItem(row(3, "Phan & Võ", due), Remaining(due, 5000)),
        QueueItem(row(4, "Không hẹn", None, code=None), None),
        QueueItem(
            row(5, "Xin ý kiến", due),
            Remaining(due, 60),
            consultation=Consultation(
                content="Ý kiến về <hồ sơ> " * 10, deadline=dt.datetime(2026, 3, 18, 2, 0, tzinfo=dt.UTC)
            ),
        ),
    ]
    for language in ("vi", "en"):
        with translation.override(language):
            for token in ("tok<en>", None):
                context = {"items": items, "list_id": "x", "urge": urge, "csrf_token": token}
                drawn = get_template("backoffice/dossier_list.html").render(context)
                assert drawn == Template(LIST_BEFORE).render(Context(context))
    assert drawn.count("<tr class=") == 5 and '<tr class="">' in drawn
    assert ("urge-row" in drawn) is urge
