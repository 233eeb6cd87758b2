"""Public catalog pages: /thu-tuc/ (filters, ranked search, pages) and /thu-tuc/<code>/."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.staticfiles import finders

from motcua.catalog.models import Field, Procedure
from motcua.core.clock import VN_TZ
from motcua.deadlines.arithmetic import TimeUnit
from motcua.deadlines.seed import seed_calendars
from motcua.deadlines.selectors import explained_due

pytestmark = pytest.mark.django_db


def _codes(html: str) -> list[str]:
    return re.findall(r'href="/thu-tuc/([0-9][^/"]*)/"', html)


def test_browse_filters_by_level_field_and_agency(client, real_catalog):
    everything = client.get("/thu-tuc/")
    assert everything.status_code == 200
    html = everything.content.decode()
    assert "588 thủ tục" in html
    assert len(_codes(html)) == 20
    assert _codes(html) == sorted(_codes(html))
    assert 'name="level"' in html and 'name="field"' in html and 'name="agency"' in html
    assert client.get("/thu-tuc/", {"level": "district"}).content.decode().count("Không tìm thấy") == 1
    civil = Field.objects.get(name="Hộ tịch")
    by_field = client.get("/thu-tuc/", {"field": civil.pk}).content.decode()
    expected = Procedure.objects.filter(field=civil, current_version__isnull=False).count()
    assert f"{expected} thủ tục" in by_field
    assert f'<option value="{civil.pk}" selected>' in by_field
    agency = "Ủy ban nhân dân xã"
    by_agency = client.get("/thu-tuc/", {"agency": agency, "field": civil.pk}).content.decode()
    assert "1.000894" in _codes(by_agency)
    second = client.get("/thu-tuc/", {"page": 2}).content.decode()
    assert _codes(second)[0] > _codes(html)[-1]


def test_search_is_ranked_by_relevance_and_keeps_filters(client, real_catalog):
    html = client.get("/thu-tuc/", {"q": "dang ky khai sinh"}).content.decode()
    assert _codes(html)[0] == "1.001193"
    assert "xếp theo mức độ liên quan" in html
    assert _codes(client.get("/thu-tuc/", {"q": "dang ki ket hon"}).content.decode())[0] == "1.000894"
    civil = Field.objects.get(name="Hộ tịch")
    filtered = client.get("/thu-tuc/", {"q": "chung thuc ban sao", "field": civil.pk}).content.decode()
    assert "2.000815" not in _codes(filtered)  # a certification is not in the civil-status field
    assert client.get("/thu-tuc/", {"q": "zzqxw"}).content.decode().count("Không tìm thấy") == 1


def test_the_birth_registration_page_says_what_a_citizen_needs(client, real_catalog):
    response = client.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in html
    offers = re.search(r'<table class="grid offers">.*?</table>', html, re.S)
    assert offers is not None
    rows = re.findall(
        r'<tr class="offer (\w+)">\s*<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>',
        offers.group(0),
    )
    assert rows == [
        ("in_person", "Trực tiếp", "Không quy định thời hạn", "Miễn phí"),
        ("online", "Trực tuyến", "Không quy định thời hạn", "Miễn phí"),
        ("postal", "Dịch vụ bưu chính", "Không quy định thời hạn", "Miễn phí"),
    ]
    assert "Nộp trực tuyến" in html
    assert "Giấy chứng sinh" in html
    assert '<th scope="col">Bản chính</th>' in html and "<caption>" in html
    assert "123/2015/NĐ-CP" in html and "15/11/2015" in html
    assert "Giấy khai sinh" in html
    assert "Nếu nộp hôm nay" not in html  # no time limit, no date
    assert "motcua/catalog.css" in html
    css = open(finders.find("motcua/catalog.css"), encoding="utf-8").read()  # noqa: SIM115
    assert "@media print" in css and "header.top" in css


def test_the_page_gives_the_expected_result_date_for_the_in_person_channel(client, real_catalog, province):
    seed_calendars(range(2025, 2028))
    received = dt.datetime(2026, 2, 27, 10, 0, tzinfo=VN_TZ)
    with time_machine.travel(received, tick=False):
        html = client.get("/thu-tuc/1.000593/").content.decode()
    expected = explained_due(received_at=received, amount=5, unit=TimeUnit.WORKING_DAY, province_code="42")
    assert "5 ngày làm việc" in html
    assert (
        f"Nếu nộp hôm nay, dự kiến có kết quả: <strong>{expected.due.due_at:%H:%M %d/%m/%Y}</strong>" in html
    )
    assert "17:00 06/03/2026" in html
    assert expected.explanation_vi in html
    with time_machine.travel(dt.datetime(2031, 6, 1, 10, 0, tzinfo=VN_TZ), tick=False):
        outside = client.get("/thu-tuc/1.000593/")
    assert outside.status_code == 200
    assert "Nếu nộp hôm nay" not in outside.content.decode()  # out of calendar range: nothing said


def test_the_page_in_english(client, real_catalog):
    client.cookies["django_language"] = "en"  # the language switch
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "No time limit set" in html
    assert "Legal basis" in html and "Free of charge" not in html  # the fee text is the record's own


def test_an_unknown_code_is_a_404_page(client, db):
    response = client.get("/thu-tuc/0.000000/")
    assert response.status_code == 404


def test_the_home_card_links_to_the_catalog(client, db):
    assert 'href="/thu-tuc/"' in client.get("/").content.decode()


def test_a_second_view_of_a_page_reads_only_what_can_change(client, real_catalog, django_assert_num_queries):
    """The frozen parts of a public version (cases, templates, offers with fees, legal bases, results,
    named agencies) are read once per process (decision 0036); the version shown and the province's
    one-stop units are kept under the catalogue's and the reference data's revision tokens, which
    each view reads in one statement (decision 0048): a version abolished or superseded, by any
    process, shows at the next view."""
    from motcua.catalog import selectors
    from motcua.core import revisions

    selectors.forget_version_parts()
    revisions._caches.clear()  # the page kept by an earlier test of this process (decision 0050)
    first = client.get("/thu-tuc/1.001193/")
    with django_assert_num_queries(1) as second_reads:
        second = client.get("/thu-tuc/1.001193/")
    assert second_reads.captured_queries[0]["sql"] == "SELECT name, token FROM core_revision"
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first.content.decode()) == token.sub("", second.content.decode())
    from motcua.catalog.models import ProcedureVersion

    procedure = Procedure.objects.get(code="1.001193")
    assert procedure.current_version_id in selectors._page_parts
    assert procedure.current_version_id in selectors._parts
    ProcedureVersion(procedure=procedure, number=99, name="Dự thảo", decision="").save()
    assert selectors._page_parts == {} and selectors._parts == {}  # any save of a version empties both
    # The version is read again: the insert changed the catalogue's token (a database trigger).
    ProcedureVersion.objects.filter(pk=procedure.current_version_id).update(name="Tên mới của thủ tục")
    third = client.get("/thu-tuc/1.001193/")
    assert "Tên mới của thủ tục" in third.content.decode()


def test_a_draft_page_parts_are_never_kept(real_catalog):
    from motcua.catalog import selectors
    from motcua.catalog.models import LegalBasis, ProcedureVersion

    procedure = Procedure.objects.get(code="1.001193")
    draft = ProcedureVersion(procedure=procedure, number=99, name="Dự thảo", decision="")
    draft.save()
    assert selectors.page_parts(draft).legal_bases == ()
    assert draft.pk not in selectors._page_parts
    LegalBasis(version=draft, number="1/2026/TT", title="Thông tư").save()
    assert [b.number for b in selectors.page_parts(draft).legal_bases] == ["1/2026/TT"]


def test_the_list_keeps_its_filter_choices_under_the_catalogue_revision(
    client, real_catalog, django_assert_num_queries
):
    """Decision 0048: the fields and agencies offered as filters are kept per process under the
    catalogue's revision token (and since 0050 the page itself); a second view reads the tokens
    only, and a field renamed by a bulk update shows at the next view."""
    client.get("/thu-tuc/")
    with django_assert_num_queries(1) as reads:
        client.get("/thu-tuc/")
    assert reads.captured_queries[0]["sql"] == "SELECT name, token FROM core_revision"
    civil = Field.objects.get(name="Hộ tịch")
    Field.objects.filter(pk=civil.pk).update(name="Hộ tịch (tên mới)")
    assert (
        f'<option value="{civil.pk}">Hộ tịch (tên mới)</option>' in client.get("/thu-tuc/").content.decode()
    )
