"""Tracking a dossier without signing in: code + the last 4 digits of the phone or ID number."""

from __future__ import annotations

import re

import pytest
import time_machine

from motcua.core.clock import VN_TZ
from motcua.dossiers import online
from motcua.dossiers.models import TrackingFailure
from motcua.dossiers.tests.factories import vn

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(factory):
    return factory.create(at=vn(2026, 3, 2, 9))


def test_the_qr_link_prefills_the_code(client, received):
    response = client.get(f"/tra-cuu/?ma={received.code}")
    assert response.status_code == 200
    assert f'value="{received.code}"' in response.content.decode()


def test_code_and_last_four_phone_digits_show_state_dates_and_next_step(client, received):
    response = client.post("/tra-cuu/", {"ma": received.code.lower(), "so": "5678"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Hồ sơ {received.code}" in html
    assert '<dd id="tracking-state">Được tiếp nhận</dd>' in html
    assert received.received_at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") in html
    assert "Hồ sơ được chuyển đến cơ quan có thẩm quyền giải quyết." in html
    # Nothing more than the public minimum: no name, no phone, no timeline.
    assert "Nguyễn Văn An" not in html and "0912345678" not in html
    assert TrackingFailure.objects.count() == 0


def test_the_last_four_digits_of_the_id_number_work_too(client, received):
    response = client.post("/tra-cuu/", {"ma": received.code, "so": "1234"})
    assert response.status_code == 200 and 'id="tracking-state"' in response.content.decode()


def test_unknown_code_and_wrong_factor_get_the_same_answer(client, received):
    wrong_factor = client.post("/tra-cuu/", {"ma": received.code, "so": "0000"})
    unknown = client.post("/tra-cuu/", {"ma": "000.00.00.X99-260302-0001", "so": "5678"})
    assert wrong_factor.status_code == unknown.status_code == 400
    text = "Không tìm thấy hồ sơ với mã và 4 chữ số này."

    def body(response):
        html = response.content.decode().replace(received.code, "").replace("000.00.00.X99-260302-0001", "")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert text in wrong_factor.content.decode()
    assert body(wrong_factor) == body(unknown)
    assert TrackingFailure.objects.count() == 2


def test_failed_attempts_are_rate_limited_per_client_even_for_a_right_answer(client, received, settings):
    settings.MOTCUA_TRACKING_FAILURES = 3
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):
        for guess in ("0001", "0002", "0003"):
            assert client.post("/tra-cuu/", {"ma": received.code, "so": guess}).status_code == 400
        blocked = client.post("/tra-cuu/", {"ma": received.code, "so": "5678"})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "900"  # every failure at the same instant: the whole window
    assert "Bạn đã tra cứu sai quá nhiều lần" in blocked.content.decode()
    assert 'id="tracking-state"' not in blocked.content.decode()
    other = client.post("/tra-cuu/", {"ma": received.code, "so": "5678"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"ma": "", "so": "5678"}, "ma", "Cần ghi mã hồ sơ."),
        ({"ma": "X", "so": "56"}, "so", "Cần ghi đúng 4 chữ số cuối."),
    ],
)
def test_bad_input_is_named_next_to_the_field_and_not_counted(client, received, data, field, message):
    response = client.post("/tra-cuu/", data)
    assert response.status_code == 400
    assert f'<p class="field-error" id="err_{field}" role="alert">{message}</p>' in response.content.decode()
    assert TrackingFailure.objects.count() == 0


def test_english_answer(client, received):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/tra-cuu/", {"ma": received.code, "so": "0000"})
    assert "No dossier found with this code and these 4 digits." in response.content.decode()


def test_a_look_up_costs_a_fixed_number_of_queries(client, received, django_assert_max_num_queries):
    client.get("/tra-cuu/")
    with django_assert_max_num_queries(1) as captured:
        response = client.post("/tra-cuu/", {"ma": received.code, "so": "5678"})
    assert response.status_code == 200
    # One round trip: the failures in the window and the dossier with its version together.
    assert len(captured.captured_queries) == 1
    from django.db import connection

    # PostgreSQL: the PL/pgSQL function that keeps its plan (decision 0042); SQLite: the statement.
    expected = "SELECT * FROM motcua_tracking_lookup(" if connection.vendor == "postgresql" else "SELECT f.n,"
    assert captured.captured_queries[0]["sql"].startswith(expected)


def test_a_failed_look_up_costs_the_read_and_one_insert(client, received, django_assert_max_num_queries):
    client.get("/tra-cuu/")
    with django_assert_max_num_queries(2) as captured:
        response = client.post("/tra-cuu/", {"ma": "000.00.00.X99-260302-0001", "so": "5678"})
    assert response.status_code == 400
    assert len(captured.captured_queries) == 2
    assert captured.captured_queries[1]["sql"].startswith('INSERT INTO "dossiers_trackingfailure"')


def test_the_look_up_returns_only_the_public_answer_and_names_the_real_tables(received):
    """``online.track`` reads with one SQL statement written out (for speed): it must name the
    models' tables, and the answer carries no applicant data."""
    from motcua.catalog.models import ProcedureVersion
    from motcua.dossiers import online
    from motcua.dossiers.models import Dossier

    assert f"FROM {TrackingFailure._meta.db_table} WHERE" in online._LOOKUP_SQL
    assert f"LEFT JOIN {Dossier._meta.db_table} d ON" in online._LOOKUP_SQL
    assert f"FROM {ProcedureVersion._meta.db_table} v WHERE" in online._LOOKUP_SQL
    found = online.track(code=f" {received.code.lower()} ", factor="5678", client="k", at=vn(2026, 3, 2, 10))
    assert found == online.Tracked(
        pk=received.pk,
        reference=received.code,
        state="received",
        submitted_at=None,
        received_at=received.received_at,
        due_at=received.due_at,
        procedure_name=received.procedure_version.name,
    )
    assert online.track(code=received.code, factor="0000", client="k", at=vn(2026, 3, 2, 10)) is None
    assert list(TrackingFailure.objects.values_list("client", flat=True)) == ["k"]


def test_the_refusal_lasts_until_the_limit_th_most_recent_failure_leaves_the_window(received, settings):
    """The one read counts at most ``limit`` failures of this client in the window and takes the
    oldest of them: look-ups open again 15 minutes after it, to the second."""
    import datetime as dt

    from motcua.dossiers import online

    settings.MOTCUA_TRACKING_FAILURES = 3
    settings.MOTCUA_TRACKING_WINDOW_SECONDS = 900
    for minute in (0, 5, 10, 12):
        TrackingFailure.objects.create(client="k", at=vn(2026, 3, 10, 9, minute))
    TrackingFailure.objects.create(client="other", at=vn(2026, 3, 10, 9, 12))
    with pytest.raises(online.TooManyAttempts) as refused:
        online.track(code=received.code, factor="5678", client="k", at=vn(2026, 3, 10, 9, 13))
    # The 3 most recent are 9:12, 9:10 and 9:05: free at 9:20, 7 minutes after 9:13.
    assert refused.value.extra == {"retry_after": 420}
    assert "thử lại sau 7 phút" in str(refused.value.message("vi"))
    with pytest.raises(online.TooManyAttempts) as last_second:
        online.track(code=received.code, factor="5678", client="k", at=vn(2026, 3, 10, 9, 20))
    assert last_second.value.extra == {"retry_after": 1}
    found = online.track(
        code=received.code, factor="5678", client="k", at=vn(2026, 3, 10, 9, 20) + dt.timedelta(seconds=1)
    )
    assert found is not None and found.reference == received.code
    other = online.track(code=received.code, factor="5678", client="other", at=vn(2026, 3, 10, 9, 13))
    assert other is not None
    # A refused look-up is not itself counted; none of the right answers was either.
    assert TrackingFailure.objects.filter(client="k").count() == 4


def test_an_empty_code_matches_nothing_and_counts_as_a_failure(db):
    from motcua.dossiers import online

    at = vn(2026, 3, 2, 10)
    assert online.track(code="  ", factor="5678", client="k", at=at) is None
    assert list(TrackingFailure.objects.values_list("client", "at")) == [("k", at)]


def test_the_page_gets_every_message_key_even_when_empty(client, received):
    """The template looks up ``errors.ma``, ``errors.so`` and ``errors.form`` on every render: all
    three are present (empty when fine) so none goes through the engine's slow fallbacks."""
    found = client.post("/tra-cuu/", {"ma": received.code, "so": "5678"})
    assert found.context["errors"] == {"ma": "", "so": "", "form": ""}
    assert client.get("/tra-cuu/").context["errors"] == {"ma": "", "so": "", "form": ""}
    wrong = client.post("/tra-cuu/", {"ma": "", "so": "12"})
    assert wrong.context["errors"] == {
        "ma": "Cần ghi mã hồ sơ.",
        "so": "Cần ghi đúng 4 chữ số cuối.",
        "form": "",
    }
    assert 'aria-invalid="true"' not in found.content.decode()
    assert 'role="alert"' not in found.content.decode()


def test_the_header_follows_the_language_and_the_signed_in_user(client, received, world):
    """The page chrome is kept per language and kind of user (decision 0040): whoever asks next
    sees their own header, with their own CSRF token, never the previous visitor's."""

    def header(response):
        html = response.content.decode()
        return html[html.index("<header") : html.index("</header>")]

    anonymous = header(client.get("/tra-cuu/"))
    assert "Đăng nhập" in anonymous and "Đăng xuất" not in anonymous and "Hồ sơ của tôi" not in anonymous
    client.force_login(world.citizen)
    citizen = header(client.post("/tra-cuu/", {"ma": received.code, "so": "5678"}))
    assert "Hồ sơ của tôi" in citizen and "Đăng xuất" in citizen
    assert "Đăng nhập" not in citizen and "Trang cán bộ" not in citizen
    client.force_login(world.reception)
    staff = header(client.get("/tra-cuu/"))
    assert "Trang cán bộ" in staff and "Đăng xuất" in staff and "Hồ sơ của tôi" not in staff
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = header(client.get("/tra-cuu/"))
    assert "Staff home" in english and "Sign out" in english and "Trang cán bộ" not in english
    client.logout()
    client.cookies["django_language"] = "en"
    anonymous_en = header(client.get("/tra-cuu/"))
    assert "Sign in" in anonymous_en and "Sign out" not in anonymous_en and "Staff home" not in anonymous_en
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', citizen + staff + english))
    assert len(tokens) == 3  # one per response, both forms of a signed-in header carrying it


def test_the_token_in_the_kept_header_is_the_requests_own_and_accepted(received, world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.citizen)
    client.get("/tra-cuu/")
    page = client.get("/tra-cuu/").content.decode()
    logout_form = page[page.index('<form class="inline"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout_form).group(1)
    assert client.post("/tai-khoan/dang-xuat/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_postgresql_function_gives_the_statements_answer(received, factory):
    """On PostgreSQL the look-up calls ``motcua_tracking_lookup`` (migration dossiers.0015) instead of
    sending ``_LOOKUP_SQL``: the same row for a known code, a temporary reference, an unknown and an
    empty code, with no, some and more failures than the limit, in and out of the window."""
    import datetime as dt

    from django.db import connection

    from motcua.dossiers import online
    from motcua.dossiers.models import Dossier

    if connection.vendor != "postgresql":
        pytest.skip("the function exists on PostgreSQL only")
    Dossier.objects.filter(pk=received.pk).update(temporary_reference="TAM-0001")
    for minute in (0, 5, 10, 12):
        TrackingFailure.objects.create(client="k", at=vn(2026, 3, 10, 9, minute))
    window_starts = [vn(2026, 3, 10, 8), vn(2026, 3, 10, 9, 6), vn(2026, 3, 10, 10)]
    rows = 0
    with connection.cursor() as cursor:
        for code in (received.code, "TAM-0001", "000.00.00.X99-260302-0001", None):
            for client in ("k", "other"):
                for since in window_starts:
                    for limit in (1, 3, 10):
                        cursor.execute(online._LOOKUP_SQL, [client, since, limit, code, code])
                        statement = cursor.fetchall()
                        cursor.execute(online._LOOKUP_CALL, [client, since, limit, code])
                        function = cursor.fetchall()
                        assert function == statement
                        rows += 1
    assert rows == 72
    cursor_row = statement[0]
    assert cursor_row[0] == 0 and cursor_row[2] is None  # "other", no dossier for a NULL code
    with connection.cursor() as cursor:
        cursor.execute(online._LOOKUP_CALL, ["k", vn(2026, 3, 10, 9, 6), 3, received.code])
        assert cursor.fetchone()[:4] == (
            2,
            vn(2026, 3, 10, 9, 10).astimezone(dt.UTC),
            received.pk,
            received.code,
        )


def test_behind_the_proxy_each_citizen_has_a_limit_of_their_own(client, received, settings):
    """nginx connects from 127.0.0.1 and names the client in X-Real-IP: one citizen's failures do
    not lock the look-up for another (before, every look-up behind nginx shared 127.0.0.1's limit)."""
    settings.MOTCUA_TRACKING_FAILURES = 2
    first, second = {"HTTP_X_REAL_IP": "203.0.113.7"}, {"HTTP_X_REAL_IP": "2001:db8::5"}
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):
        for guess in ("0001", "0002"):
            assert client.post("/tra-cuu/", {"ma": received.code, "so": guess}, **first).status_code == 400
        assert client.post("/tra-cuu/", {"ma": received.code, "so": "5678"}, **first).status_code == 429
        assert client.post("/tra-cuu/", {"ma": received.code, "so": "5678"}, **second).status_code == 200
    assert sorted(set(TrackingFailure.objects.values_list("client", flat=True))) == [
        online.client_key("203.0.113.7")
    ]


def test_the_client_address_header_is_ignored_from_an_untrusted_peer_or_when_malformed(
    client, received, settings
):
    settings.MOTCUA_TRACKING_FAILURES = 5
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):
        client.post(
            "/tra-cuu/",
            {"ma": received.code, "so": "0001"},
            REMOTE_ADDR="198.51.100.9",
            HTTP_X_REAL_IP="203.0.113.7",
        )
        client.post("/tra-cuu/", {"ma": received.code, "so": "0002"}, HTTP_X_REAL_IP="not-an-address")
    assert list(TrackingFailure.objects.order_by("at", "id").values_list("client", flat=True)) == [
        online.client_key("198.51.100.9"),
        online.client_key("127.0.0.1"),
    ]


def test_the_answer_writes_its_times_in_vietnam_as_hours_then_the_day():
    import datetime as dt

    from motcua.portal.tracking_views import _when

    assert _when(dt.datetime(2026, 3, 2, 1, 7, tzinfo=dt.UTC)) == "08:07 02/03/2026"
    assert _when(dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)) == "00:30 01/01/2027"
    assert _when(None) == ""
