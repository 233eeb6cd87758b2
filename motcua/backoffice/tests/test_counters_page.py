"""The head of a one-stop unit sets its counters (/can-bo/quay/quan-ly/ and the API), SPEC §4.1."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers.tests.conftest import calendar_2026, world  # noqa: F401
from motcua.units.models import Counter, OneStopKind, OneStopUnit

pytestmark = pytest.mark.django_db

URL = "/can-bo/quay/quan-ly/"


@pytest.fixture
def counters(world):  # noqa: F811
    Counter.objects.create(
        one_stop_unit=world.centre, number=1, name="Quầy 1", queue_prefix="A", field_codes=["HT"]
    )
    Counter.objects.create(one_stop_unit=world.centre, number=2, name="Quầy 2", queue_prefix="B")
    return world


def _rows():
    return list(
        Counter.objects.order_by("one_stop_unit_id", "number").values_list(
            "one_stop_unit_id", "number", "name", "field_codes", "queue_prefix", "is_active"
        )
    )


def test_the_head_sees_each_counter_and_reassigns_one(client, counters):
    w = counters
    client.force_login(w.head)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert re.findall(r'<h2 id="counter-title-\d+">([^<]*)', html) == [
        "Quầy số 1: Quầy 1",
        "Quầy số 2: Quầy 2",
    ]
    assert 'name="c1-field_codes" value="HT" maxlength="2000" id="id_c1-field_codes"' in html
    assert 'name="new-number" value="3"' in html  # the next free number is offered
    done = client.post(
        URL,
        {
            "unit": w.centre.pk,
            "form": "c2",
            "c2-number": "2",
            "c2-name": "Quầy Đất đai",
            "c2-field_codes": "DD, MT",
            "c2-queue_prefix": "D",
        },
    )
    assert (done.status_code, done["Location"]) == (302, f"{URL}?unit={w.centre.pk}")
    assert _rows() == [
        (w.centre.pk, 1, "Quầy 1", ["HT"], "A", True),
        (w.centre.pk, 2, "Quầy Đất đai", ["DD", "MT"], "D", False),  # unticked: closed
    ]
    follow = client.get(done["Location"]).content.decode()
    assert "Đã lưu quầy số 2." in follow
    assert 'Quầy số 2: Quầy Đất đai <span class="muted">(đang đóng)</span>' in follow


def test_a_new_counter_and_a_refusal_next_to_its_field(client, counters):
    w = counters
    client.force_login(w.head)
    before = _rows()
    refused = client.post(
        URL,
        {
            "unit": w.centre.pk,
            "form": "new",
            "new-number": "3",
            "new-name": "Quầy 3",
            "new-queue_prefix": "A",
            "new-is_active": "on",
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert re.search(
        r'id="err_new-queue_prefix"[^>]*>Tiền tố A đã dùng cho quầy số 1 \(Quầy 1\) '
        r"của Trung tâm Phục vụ hành chính công xã Thạch Hà\.<",
        html,
    )
    assert 'name="new-name" value="Quầy 3" maxlength="160" required id="id_new-name"' in html  # input kept
    assert _rows() == before
    added = client.post(
        URL,
        {
            "unit": w.centre.pk,
            "form": "new",
            "new-number": "3",
            "new-name": "Quầy 3",
            "new-queue_prefix": "C",
            "new-is_active": "on",
        },
    )
    assert added.status_code == 302
    assert _rows()[-1] == (w.centre.pk, 3, "Quầy 3", [], "C", True)


def test_only_the_unit_s_head_may_set_its_counters(client, counters, make_user):
    w = counters
    other = OneStopUnit.objects.create(
        code="ttpvhcc-khac",
        name="Trung tâm khác",
        kind=OneStopKind.COMMUNE_CENTRE,
        agency=w.agency,
        admin_unit=w.centre.admin_unit,
    )
    Counter.objects.create(one_stop_unit=other, number=1, name="Quầy khác")
    before = _rows()
    for user in (w.reception, w.leader, w.citizen):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert (
            client.post(
                URL, {"unit": w.centre.pk, "form": "c1", "c1-number": "1", "c1-name": "X"}
            ).status_code
            == 403
        )
    client.force_login(w.head)
    assert client.get(URL, {"unit": other.pk}).status_code == 403  # not the head's unit
    assert (
        client.post(URL, {"unit": other.pk, "form": "c1", "c1-number": "1", "c1-name": "X"}).status_code
        == 403
    )
    assert _rows() == before
    assert "Quản lý quầy" in client.get("/can-bo/").content.decode()
    client.force_login(w.reception)
    assert "Quản lý quầy" not in client.get("/can-bo/").content.decode()


def test_the_api_lists_and_sets_counters_as_the_page_does(client, counters):
    w = counters
    api = f"/api/v1/one-stop-units/{w.centre.pk}/counters"
    client.force_login(w.reception)
    assert client.get(api).status_code == 403
    assert client.put(f"{api}/2", {"name": "X"}, content_type="application/json").status_code == 403
    client.force_login(w.head)
    assert client.get(api).json() == [
        {"number": 1, "name": "Quầy 1", "field_codes": ["HT"], "queue_prefix": "A", "is_active": True},
        {"number": 2, "name": "Quầy 2", "field_codes": [], "queue_prefix": "B", "is_active": True},
    ]
    done = client.put(
        f"{api}/2",
        {"name": "Quầy Đất đai", "field_codes": ["DD"], "queue_prefix": "D", "is_active": False},
        content_type="application/json",
    )
    assert (done.status_code, done.json()) == (
        200,
        {"number": 2, "name": "Quầy Đất đai", "field_codes": ["DD"], "queue_prefix": "D", "is_active": False},
    )
    refused = client.put(f"{api}/1000", {"name": "Quầy 1000"}, content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_counter_number")
    assert client.get("/api/v1/one-stop-units/999999/counters").status_code == 404
    assert _rows()[-1] == (w.centre.pk, 2, "Quầy Đất đai", ["DD"], "D", False)


def test_the_page_in_english(client, counters):
    client.force_login(counters.head)
    client.cookies["django_language"] = "en"
    html = client.get(URL).content.decode()
    assert re.findall(r'<h2 id="counter-title-\d+">([^<]*)', html) == [
        "Counter 1: Quầy 1",
        "Counter 2: Quầy 2",
    ]
    assert '<label for="id_new-queue_prefix">Queue number prefix</label>' in html


def test_a_form_for_a_counter_that_is_not_there_is_refused(client, counters):
    client.force_login(counters.head)
    before = _rows()
    response = client.post(
        URL, {"unit": counters.centre.pk, "form": "c9", "c9-number": "9", "c9-name": "Quầy 9"}
    )
    assert response.status_code == 400
    assert "Không tìm thấy quầy này; hãy tải lại trang." in response.content.decode()
    assert _rows() == before
