"""Decision 0050: the catalogue's list and search pages and a procedure's own parts kept per process
under the catalogue's revision token. The pages are the same text as the templates before the change
drew them (``reference/``, rendered with each response's own context), and a change to the
catalogue shows at the next view."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.template import engines
from django.test import Client

from motcua.accounts.models import Role
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core.clock import VN_TZ
from motcua.deadlines.seed import seed_calendars

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parent / "reference"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _as_before(response, name: str) -> str:
    """The response's page drawn again by the template as it was before decision 0050."""
    context = response.context
    flat = {key: context[key] for key in context.keys()}  # noqa: SIM118 - a ContextList iterates its contexts
    template = engines["django"].from_string((REFERENCE / name).read_text(encoding="utf-8"))
    return template.render(flat, request=response.wsgi_request)


def _same(response, name: str) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert TOKEN.sub("", html) == TOKEN.sub("", _as_before(response, name))
    return html


@pytest.fixture
def visitors(make_user, citizen, justice_dept):
    staff = Client()
    staff.force_login(make_user("canbo", role=Role.HANDLER, agency_id=justice_dept.pk))
    signed_in = Client()
    signed_in.force_login(citizen)
    english = Client()
    english.cookies["django_language"] = "en"
    return {"anonymous": Client(), "staff": staff, "citizen": signed_in, "english": english}


LISTS = [
    {},
    {"page": "2"},
    {"page": "999"},
    {"page": "x"},
    {"level": "commune"},
    {"agency": "Ủy ban nhân dân xã"},
    {"q": "dang ky khai sinh"},
    {"q": "dang ky", "page": "2"},
    {"q": "<b>khai sinh</b>"},
    {"q": "zzqxw"},
]


def test_list_and_search_pages_are_the_text_they_were(real_catalog, visitors):
    civil = Field.objects.get(name="Hộ tịch")
    for who, client in visitors.items():
        for params in [*LISTS, {"field": str(civil.pk)}, {"q": "khai sinh", "field": str(civil.pk)}]:
            first = _same(client.get("/thu-tuc/", params), "catalog_list.html")
            again = _same(client.get("/thu-tuc/", params), "catalog_list.html")  # from what was kept
            assert TOKEN.sub("", first) == TOKEN.sub("", again), (who, params)


def test_procedure_pages_are_the_text_they_were(real_catalog, province, visitors):
    seed_calendars(range(2025, 2028))
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, 0, tzinfo=VN_TZ), tick=False):
        for who, client in visitors.items():
            for code in ("1.001193", "1.000593", "1.000894", "2.000815"):
                first = _same(client.get(f"/thu-tuc/{code}/"), "catalog_detail.html")
                again = _same(client.get(f"/thu-tuc/{code}/"), "catalog_detail.html")
                assert TOKEN.sub("", first) == TOKEN.sub("", again), (who, code)
        assert "Nếu nộp hôm nay" in first or code != "1.000593"
    english = visitors["english"].get("/thu-tuc/1.001193/").content.decode()
    assert "No time limit set" in english and "Không quy định thời hạn" not in english


def test_a_second_view_of_a_list_or_a_search_reads_the_token_only(
    client, real_catalog, django_assert_num_queries
):
    for params in ({}, {"q": "dang ky khai sinh"}, {"q": "khai sinh", "level": "commune", "page": "2"}):
        client.get("/thu-tuc/", params)
        with django_assert_num_queries(1) as reads:
            client.get("/thu-tuc/", params)
        assert reads.captured_queries[0]["sql"] == "SELECT name, token FROM core_revision"


def test_a_change_to_the_catalogue_shows_at_the_next_view(client, real_catalog):
    birth = Procedure.objects.get(code="1.001193")
    assert "Thủ tục đăng ký khai sinh" in client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in client.get("/thu-tuc/1.001193/").content.decode()
    Procedure.objects.filter(pk=birth.pk).update(name="Đăng ký khai sinh (tên mới)")
    ProcedureVersion.objects.filter(pk=birth.current_version_id).update(name="Đăng ký khai sinh (tên mới)")
    found = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert "Đăng ký khai sinh (tên mới)" in found
    assert "<h1>Đăng ký khai sinh (tên mới)</h1>" in client.get("/thu-tuc/1.001193/").content.decode()
    Procedure.objects.filter(pk=birth.pk).update(current_version=None)  # no longer published
    assert "1.001193/" not in client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
