"""The paper hand-over list /can-bo/ban-giao/ (SPEC T9, §11 scenario 6) through HTTP."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import staff, vn

pytestmark = pytest.mark.django_db

URL = "/can-bo/ban-giao/"


def rows(html: str) -> list[tuple[str, str, str, str]]:
    """(code, due, paper due, status) of each row, in order."""
    found = re.findall(
        r'<tr class="handover-row[^"]*" data-dossier="\d+">.*?<a [^>]*>([^<]+)</a>.*?'
        r'<td class="due">([^<]+)</td>\s*<td class="paper-due">([^<]+)</td>\s*<td class="status">(.*?)</td>',
        html,
        re.S,
    )
    return [(code, due, paper, re.sub(r"<[^>]+>", "", status).strip()) for code, due, paper, status in found]


@pytest.fixture
def scenario_6(factory) -> tuple[Dossier, Dossier]:
    early = factory.create(at=vn(2026, 3, 3, 14, 20))  # Tue 03/03/2026 14:20
    late = factory.create(at=vn(2026, 3, 3, 15, 20))  # 15:20, after the cut-off
    return early, late


def test_scenario_6_deadlines_on_the_hand_over_list(client, world, scenario_6):
    early, late = scenario_6
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 3, 16, 0), tick=False):
        response = client.get(URL, {"date": "2026-03-03", "agency": world.agency.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == [
        (early.code, "17:00 03/03/2026", "17:00 04/03/2026", "Chưa bàn giao"),
        (late.code, "07:00 04/03/2026", "17:00 04/03/2026", "Chưa bàn giao"),
    ]
    assert "Bàn giao cho: Sở Tư pháp" in html
    assert html.count('class="signatures"') == 1


def test_forwarding_the_selected_reports_each_and_marks_late_ones(client, world, scenario_6):
    early, late = scenario_6
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 4, 7, 0), tick=False):  # Wed, at opening
        response = client.post(
            URL,
            {
                "date": "2026-03-03",
                "dossier": [early.pk, late.pk],
                f"version-{early.pk}": early.version - 1,  # stale: refused, the other goes on
                f"version-{late.pk}": late.version,
            },
            follow=True,
        )
    html = response.content.decode()
    assert f"Hồ sơ {early.code} chưa bàn giao: Hồ sơ đã được cán bộ khác cập nhật" in html
    assert f"Đã bàn giao hồ sơ {late.code}." in html
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.state, late.state) == ("received", "in_processing")
    assert late.forwarded_at == vn(2026, 3, 4, 7, 0)
    assert [r[3] for r in rows(html)] == ["Chưa bàn giao Quá hạn bàn giao", "Đã bàn giao 07:00 04/03/2026"]
    event = late.events.get(name="forwarded")
    assert (event.data["is_handover_late"], event.data["handover_due_at"]) == (False, "2026-03-04T00:00:00Z")


def test_print_version_has_no_controls_and_an_outsider_sees_nothing(client, world, scenario_6, make_user):
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 3, 16, 0), tick=False):
        printed = client.get(URL, {"date": "2026-03-03", "in": "1"}).content.decode()
        assert "printing" in printed and 'name="dossier"' not in printed
        assert "Người giao" in printed and "Người nhận" in printed and len(rows(printed)) == 2
        client.force_login(staff(make_user, Role.HANDLER, "thuly-tc", agency_id=world.other_agency.pk))
        assert client.get(URL).status_code == 403
        client.force_login(world.leader)  # not at a one-stop unit
        assert client.get(URL).status_code == 403
