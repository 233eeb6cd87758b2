"""The staff dossier page (/can-bo/ho-so/<id>/) and its acts through HTTP."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db


def url(dossier: Dossier) -> str:
    return f"/can-bo/ho-so/{dossier.pk}/"


def act(client, dossier: Dossier, name: str, version: int | None = None, **fields):
    data = {"act": name, f"{name}-version": version if version is not None else dossier.version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(f"/can-bo/ho-so/{dossier.pk}/thao-tac/", data)


def acts_shown(response) -> list[str]:
    return re.findall(r'<input type="hidden" name="act" value="([a-z_]+)">', response.content.decode())


def test_page_shows_data_timeline_deadline_and_forms(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    with time_machine.travel(vn(2026, 3, 3, 10), tick=False):
        client.force_login(world.approver)
        response = client.get(url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and "Nguyễn Văn An" in html and "042090001234" in html
    assert len(re.findall(r'<tr class="event">', html)) == 4  # accepted, forwarded, assigned, appraised
    assert "Đủ điều kiện" in html  # the appraisal opinion in the timeline
    assert re.search(r'id="due-at">17:00, 16/03/2026', html)
    assert "10 ngày làm việc" in html  # the explanation of the due date
    assert f'href="/can-bo/ho-so/{dossier.pk}/mau/1.pdf"' in html  # Form 01 of the acceptance
    assert len(re.findall(r'<tr class="task">', html)) == 1
    assert acts_shown(response) == ["refuse_after_appraisal", "approve"]


def test_agency_b_gets_404_and_a_citizen_403(client, world, factory, make_user):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    outsider = staff(make_user, Role.HANDLER, "thuly-tc", agency_id=world.other_agency.pk)
    client.force_login(outsider)
    assert client.get(url(dossier)).status_code == 404
    assert act(client, dossier, "assign", handler=outsider.pk).status_code == 404
    client.force_login(world.citizen)
    assert client.get(url(dossier)).status_code == 403
    client.logout()
    assert client.get(url(dossier)).status_code == 302  # to the login page


def test_each_role_walks_the_dossier_to_its_return(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    steps = [
        (world.leader, "assign", {"handler": world.handler.pk}, "Chờ phân công thụ lý"),
        (world.handler, "appraise", {"opinion": "Hồ sơ hợp lệ"}, "Đã phân công thụ lý"),
        (world.approver, "approve", {"opinion": ""}, "Đang thẩm định"),
        (world.approver, "sign_result", {}, "Đã phê duyệt, chờ ký"),
        (world.clerk, "issue_result", {"number": "15/QĐ-STP"}, "Đã ký, chờ vào số, phát hành"),
        (
            world.reception,
            "return_result",
            {
                "delivery_method": "counter",
                "recipient_kind": "applicant",
                "recipient_name": "Nguyễn Văn An",
                "recipient_identifier": "042090001234",
            },
            "Đã xử lý xong",
        ),
    ]
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        for user, name, fields, shown in steps:
            client.force_login(user)
            page = client.get(url(dossier))
            assert shown in page.content.decode()
            assert name in acts_shown(page)
            dossier.refresh_from_db()
            response = act(client, dossier, name, **fields)
            assert response.status_code == 303, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.result.number) == ("returned", "15/QĐ-STP")
    assert dossier.events.count() == 8


def test_stale_version_gets_the_conflict_message_and_nothing_changes(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    stale = dossier.version
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        client.force_login(world.handler)
        assert act(client, dossier, "appraise", opinion="Lần một").status_code == 303
        dossier.refresh_from_db()
        events = dossier.events.count()
        response = act(client, dossier, "consult", version=stale)
        assert response.status_code == 400  # the consult form is incomplete: no act reaches the service
        response = act(client, dossier, "appraise", version=stale, opinion="Lần hai")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Hồ sơ đã được cán bộ khác cập nhật trong lúc bạn thao tác" in html
    assert 'value="Lần hai"' not in html or "Lần hai" in html  # the input is kept
    assert "Lần hai" in html
    dossier.refresh_from_db()
    assert dossier.events.count() == events
    assert dossier.version == stale + 1


def test_apology_and_extension_is_offered_from_two_working_days_before_and_once(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")  # due Mon 16/03 17:00
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 11, 9), tick=False):
        page = client.get(url(dossier))
        assert "apologise_and_extend" not in acts_shown(page)
        assert 'id="extension-prompt"' not in page.content.decode()
    with time_machine.travel(vn(2026, 3, 12, 9), tick=True):
        page = client.get(url(dossier))
        html = page.content.decode()
        # forward: inter-agency tasks (T18); urge: the leader holds dossier.urge
        assert acts_shown(page) == ["forward", "assign", "apologise_and_extend", "urge"]
        assert "chậm nhất ngày 13/03/2026" in html
        response = act(
            client, dossier, "apologise_and_extend", reason="Chờ xác minh thực địa", new_due="2026-03-20"
        )
        assert response.status_code == 303
        page = client.get(url(dossier))
    dossier.refresh_from_db()
    assert dossier.extended_due_at == vn(2026, 3, 20, 17, 0)
    assert "apologise_and_extend" not in acts_shown(page)
    html = page.content.decode()
    assert "Mẫu 04" in html and "đã hẹn lại" in html


def test_service_refusal_is_shown_next_to_the_field_with_the_input_kept(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    client.force_login(world.handler)
    with time_machine.travel(vn(2026, 3, 3, 9), tick=True):
        response = act(
            client,
            dossier,
            "consult",
            agency=world.other_agency.pk,
            content="Xin ý kiến về nghĩa vụ tài chính",
            deadline="2026-03-01",
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="err_consult-deadline"[^>]*>Thời hạn trả lời phải sau thời điểm xin ý kiến.<', html)
    assert "Xin ý kiến về nghĩa vụ tài chính</textarea>" in html
    dossier.refresh_from_db()
    assert (dossier.step, dossier.consultations.count()) == ("appraising", 0)


def test_the_page_reads_each_of_the_dossiers_rows_once(client, world, factory):
    """The events, components, tasks, consultations and result are read once and shared by the
    panels and the act forms; the reference revision once for the page (``services.read_once``).
    (An agency's staff member's gate also reads the agency's third-agency tasks and consultations:
    ``staff_places_q``.)"""
    from collections import Counter

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    client.force_login(world.approver)
    with time_machine.travel(vn(2026, 3, 3, 10), tick=False):
        client.get(url(dossier))  # warm the per-process reference data, as a running server has it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(dossier))
    assert response.status_code == 200
    tables = Counter(
        found.group(1)
        for q in queries.captured_queries
        if (found := re.search(r'FROM "?([a-z_]+)"?', q["sql"])) and q["sql"].lstrip().startswith("SELECT")
    )
    assert {table: tables[table] for table in sorted(tables) if table.startswith(("dossiers_", "core_"))} == {
        "core_revision": 1,
        "dossiers_consultation": 2,  # the gate's, then the page's
        "dossiers_dossier": 2,  # the gate's question, then the dossier with its related rows
        "dossiers_dossiercomponent": 1,
        "dossiers_dossierevent": 1,
        "dossiers_dossierfile": 1,
        "dossiers_feeline": 1,
        "dossiers_processingtask": 2,  # the gate's, then the page's
        "dossiers_result": 1,
    }
    assert len(queries.captured_queries) == 15  # 30 before (decision 0048)
    # The calendar revision once for the page's remaining time and its explanation (it was twice).
    assert sum("deadlines_calendarrevision" in q["sql"] for q in queries.captured_queries) == 1


def test_the_agencies_to_consult_are_kept_per_revision_and_follow_writes(client, world, factory):
    """The consult form's and the inter-agency form's agencies are the rows kept per process under the
    reference revision (decision 0049): no agency is listed by a query of the page, the competent
    agency is not offered, and an agency renamed by a bulk update shows at the next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.units.models import Agency

    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="appraising")
    client.force_login(world.handler)
    with time_machine.travel(vn(2026, 3, 3, 10), tick=False):
        client.get(url(dossier))
        with CaptureQueriesContext(connection) as seen:
            html = client.get(url(dossier)).content.decode()
        assert not [q for q in seen.captured_queries if 'FROM "units_agency"' in q["sql"]]
        select = html[
            html.index('<select name="consult-agency"') : html.index(
                "</select>", html.index("consult-agency")
            )
        ]
        others = list(Agency.objects.exclude(pk=world.agency.pk).order_by("name"))
        assert re.findall(r'<option value="(\d*)"', select) == ["", *[str(a.pk) for a in others]]
        Agency.objects.filter(pk=world.other_agency.pk).update(name='Sở Tài chính <mới> "2"')
        html = client.get(url(dossier)).content.decode()
    code = world.other_agency.identifier_code
    assert (
        f'<option value="{world.other_agency.pk}">Sở Tài chính &lt;mới&gt; &quot;2&quot; ({code})</option>'
        in html
    )


def test_the_handlers_to_choose_from_are_found_without_reading_the_agency_tree(client, world, factory):
    """The assign form lists the handlers of the competent agency and of the agencies above it. The
    chain of agencies comes from the gate's kept tree (``gate.agency_chain``), not from one query per
    level of the tree as before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 3, 10), tick=False):
        client.get(url(dossier))  # warm the per-process reference data, as a running server has it
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(dossier))
    assert response.status_code == 200
    select = re.search(r'<select name="[a-z_]*-handler".*?</select>', response.content.decode(), re.S)
    assert select is not None
    assert re.findall(r'<option value="(\d+)"', select.group(0)) == [str(world.handler.pk)]
    assert [q["sql"] for q in queries.captured_queries if 'FROM "units_agency"' in q["sql"]] == []
