"""Counter intake on one screen (/can-bo/quay/): search, case, checklist, preview, accept/complete/refuse."""

from __future__ import annotations

import re

import pytest

from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.tests.factories import applicant, make_commune, vn
from motcua.units.models import QueueTicket
from motcua.units.services import take_ticket

pytestmark = pytest.mark.django_db

URL = "/can-bo/quay/"


def _token(response) -> str:
    return re.search(r'name="token" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def _post(client, world, token, action, *, tick=(True, True), **extra):
    case = world.version.cases.first()
    templates = list(case.components.order_by("position"))
    data = {
        "token": token,
        "version": world.version.pk,
        "case": case.pk,
        "unit": world.centre.pk,
        "competent_agency": world.agency.pk,
        "kind": "person",
        "identifier_type": "citizen_id",
        "identifier_number": "042090001234",
        "full_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "result_delivery": "counter",
        "action": action,
    }
    for template, ticked in zip(templates, tick, strict=True):
        if ticked:
            data[f"c{template.pk}"] = "on"
        data[f"c{template.pk}_originals"] = "1"
        data[f"c{template.pk}_copies"] = "0"
    data.update(extra)
    return client.post(URL, data)


def _open(client, world):
    return client.get(URL, {"procedure": world.version.procedure.code})


def test_search_finds_the_procedure_without_accents(client, world, frozen):
    client.force_login(world.reception)
    response = client.get(URL, {"q": "thu tuc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"procedure={world.version.procedure.code}" in html and "Thủ tục 1.000001.H42" in html


def test_preview_shows_the_appointment_and_its_explanation_before_accepting(client, world, frozen):
    client.force_login(world.reception)
    page = _open(client, world)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="accept"' not in html and 'value="preview"' in html
    response = _post(client, world, _token(page), "preview")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="appointment">17:00, 16/03/2026<', html)
    assert "10 ngày làm việc" in html
    assert 'value="accept"' in html
    assert Dossier.objects.count() == 0


def test_accept_shows_the_code_and_the_form_01_link(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    response = _post(client, world, token, "accept")
    assert response.status_code == 303
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/can-bo/quay/ket-qua/{dossier.pk}/"
    assert dossier.state == "received" and dossier.code.startswith("000.00.12.H38-260302-")
    assert DossierComponent.objects.filter(dossier=dossier).count() == 2
    done = client.get(response["Location"])
    html = done.content.decode()
    assert dossier.code in html
    assert f'href="/can-bo/ho-so/{dossier.pk}/mau/1.pdf"' in html
    assert "Mẫu 01" in html


def test_two_identical_posts_open_one_dossier(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    first = _post(client, world, token, "accept")
    second = _post(client, world, token, "accept")
    assert Dossier.objects.count() == 1
    assert first.status_code == second.status_code == 303
    assert first["Location"] == second["Location"]


def test_the_same_token_from_another_session_is_not_used_twice(client, world, frozen, django_user_model):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    _post(client, world, token, "accept")
    client.logout()
    client.force_login(world.reception)  # a new session: the shared store still knows the token
    again = _post(client, world, token, "accept")
    assert again.status_code == 303
    assert Dossier.objects.count() == 1


def test_incomplete_dossier_lists_the_missing_components_and_produces_form_02(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    preview = _post(client, world, token, "preview", tick=(True, False))
    html = preview.content.decode()
    assert re.search(r'<ul id="missing-list"><li>Thành phần 2</li></ul>', html)
    assert 'value="accept"' not in html
    response = _post(client, world, token, "complete", tick=(True, False), reason="Thiếu thành phần 2")
    assert response.status_code == 303
    dossier = Dossier.objects.get()
    assert (dossier.state, dossier.code, dossier.received_at) == ("intake_supplement_requested", None, None)
    event = dossier.events.get()
    assert (event.form, event.data["missing"][0]["name"]) == ("form02", "Thành phần 2")
    html = client.get(response["Location"]).content.decode()
    assert "Mẫu 02" in html and f"/can-bo/ho-so/{dossier.pk}/mau/1.pdf" in html


def test_accepting_with_a_missing_component_is_refused_with_the_input_kept(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    response = _post(client, world, token, "accept", tick=(True, False))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Hồ sơ còn thiếu thành phần bắt buộc: Thành phần 2" in html
    assert 'value="Nguyễn Văn An"' in html
    assert Dossier.objects.count() == 0
    # The token was given back: the officer can still ask for completion with the same form.
    assert _post(client, world, token, "complete", tick=(True, False), reason="Thiếu").status_code == 303


def test_refusal_needs_a_reason_and_produces_form_03(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    refused = _post(client, world, token, "refuse")
    assert refused.status_code == 400
    assert "Cần ghi lý do." in refused.content.decode()
    assert Dossier.objects.count() == 0
    response = _post(client, world, token, "refuse", reason="Không thuộc thẩm quyền")
    assert response.status_code == 303
    dossier = Dossier.objects.get()
    assert (dossier.state, dossier.events.get().form) == ("intake_refused", "form03")


def test_invalid_citizen_id_is_shown_next_to_the_field(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    response = _post(client, world, token, "accept", identifier_number="12345")
    assert response.status_code == 400
    error = r'id="err_identifier_number"[^>]*>Số căn cước phải gồm đúng 12 chữ số.<'
    assert re.search(error, response.content.decode())


def test_another_commune_s_procedure_off_the_list_is_refused_next_to_the_agency(
    client, world, committee, frozen
):
    """SPEC scenario 22's other side: the centre's area is its administrative unit and the units above
    it, so a commune's committee elsewhere is refused unless the procedure is boundary-independent."""
    commune, _centre = make_commune(world.agency.admin_unit, "28001", "Cẩm Xuyên", committee)
    client.force_login(world.reception)
    token = _token(_open(client, world))
    response = _post(client, world, token, "accept", competent_agency=commune.pk)
    assert response.status_code == 400
    error = (
        r'id="err_competent_agency"[^>]*>Thủ tục này không thuộc danh mục thủ tục hành chính '
        r"không phụ thuộc vào địa giới hành chính: Trung tâm Phục vụ hành chính công xã Thạch Hà "
        r"không tiếp nhận hồ sơ do UBND xã Cẩm Xuyên giải quyết\."
    )
    assert re.search(error, response.content.decode())
    assert 'value="Nguyễn Văn An"' in response.content.decode()  # the input is kept
    assert Dossier.objects.count() == 0


def test_citizen_id_prefills_from_an_earlier_dossier(client, world, factory, frozen):
    earlier = applicant(full_name="Trần Thị Bình", identifier_number="042190009999")
    factory.create(at=vn(2026, 2, 27, 9), applicant=earlier)
    client.force_login(world.reception)
    response = client.get(URL, {"procedure": world.version.procedure.code, "cccd": "042190009999"})
    html = response.content.decode()
    assert 'value="Trần Thị Bình"' in html
    assert "Đã điền thông tin từ hồ sơ trước" in html


def test_call_next_ticket(client, world, counter, frozen):
    take_ticket(counter_id=counter.pk)
    take_ticket(counter_id=counter.pk)
    client.force_login(world.reception)
    response = client.post("/can-bo/quay/goi-so/", {"counter": counter.pk})
    assert response.status_code == 303
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<strong>A001</strong>" in html and "1 người đang chờ" in html
    assert list(QueueTicket.objects.values_list("number", "status")) == [(1, "called"), (2, "waiting")]


def test_citizen_and_handler_get_403(client, world, frozen):
    client.force_login(world.citizen)
    assert client.get(URL).status_code == 403
    client.force_login(world.handler)
    assert client.get(URL).status_code == 403


def test_the_form_01_link_serves_the_pdf(client, world, frozen):
    client.force_login(world.reception)
    token = _token(_open(client, world))
    done = client.get(_post(client, world, token, "accept")["Location"])
    href = re.search(r'id="form-link" href="([^"]+)"', done.content.decode()).group(1)
    pdf = client.get(href)
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")


def test_a_resubmitted_form_finds_its_dossier_even_without_a_shared_cache(client, world, frozen):
    """Another gunicorn process has another (local-memory) cache and another request's session: the
    token, stored as the dossier's intake key, still sends the repeated POST to the first dossier."""
    from django.core.cache import cache
    from django.test import Client

    client.force_login(world.reception)
    token = _token(_open(client, world))
    first = _post(client, world, token, "accept")
    cache.clear()
    other = Client()
    other.force_login(world.reception)
    second = _post(other, world, token, "accept")
    assert Dossier.objects.count() == 1
    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Dossier.objects.get().intake_key == f"counter:{token}"


def test_counter_widgets_draw_what_django_templates_draw(client, world, frozen, monkeypatch):
    """The intake form's widgets are drawn in Python (``backoffice.widgets``): the counter page is the
    same, character for character, as with Django's widget templates: the empty form, the preview,
    the preview with a component missing, and a form refused with errors and odd characters."""
    from django import forms

    from motcua.backoffice import reference, widgets

    monkeypatch.setattr(reference, "KEPT_INTAKE_FORMS", 0)  # every blank form drawn (decision 0053)
    client.force_login(world.reception)

    def pages():
        token = _token(_open(client, world))
        found = []
        for response in (
            _open(client, world),
            client.get(URL, {"procedure": world.version.procedure.code, "cccd": "042090001234"}),
            _post(client, world, token, "preview"),
            _post(client, world, token, "preview", tick=(True, False), reason='thiếu <b>"&', guidance="x"),
            _post(
                client,
                world,
                token,
                "accept",
                full_name="",
                email="không@",
                date_of_birth="31/02/1990",
                address='Số 1 <i>"&',
                result_delivery="postal",
                unit="999999",
                competent_agency="x",
                **{f"c{world.version.cases.first().components.order_by('position').first().pk}_copies": "x"},
            ),
        ):
            # Each render masks the CSRF token afresh; each new form has a new intake token.
            html = re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode())
            found.append((response.status_code, re.sub(r'name="token" value="[0-9a-f-]{36}"', "", html)))
        return found

    def done_page(location):
        # The page after an accept, with its scan upload form (drawn with the same widgets).
        return re.sub(r'value="[A-Za-z0-9]{64}"', "", client.get(location).content.decode())

    accepted = _post(client, world, _token(_open(client, world)), "accept", identifier_number="042090009001")
    assert accepted.status_code == 303
    drawn = pages()
    done = done_page(accepted["Location"])
    assert 'name="upload-component"' in done and 'id="dossier-code">' in done
    for widget in (
        widgets.HiddenInput,
        widgets.TextInput,
        widgets.EmailInput,
        widgets.NumberInput,
        widgets.DateInput,
        widgets.CheckboxInput,
        widgets.Textarea,
        widgets.Select,
        widgets.RadioSelect,
    ):
        monkeypatch.setattr(widget, "_render", forms.Widget._render)
    assert pages() == drawn
    assert done_page(accepted["Location"]) == done
    assert [status for status, _ in drawn] == [200, 200, 200, 200, 400]
    refused = drawn[4][1]
    assert 'value="Số 1 &lt;i&gt;&quot;&amp;"' in refused
    assert 'name="result_delivery" value="postal" id="id_result_delivery_1" required checked>' in refused
    assert "thiếu &lt;b&gt;&quot;&amp;</textarea>" in drawn[3][1]
    assert Dossier.objects.count() == 1


def test_the_form_reference_rows_are_read_once_per_revision_and_follow_writes(client, world, frozen):
    """Agencies, one-stop units and the procedure version are kept per process under their revision
    tokens (``backoffice.reference``): the second page reads none of them, and a write anywhere
    (here a bulk ``update()``, which no signal sees) shows at the next page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.catalog.models import ProcedureVersion
    from motcua.units.models import Agency, OneStopUnit

    client.force_login(world.reception)
    _open(client, world)
    with CaptureQueriesContext(connection) as seen:
        page = _open(client, world)
    assert page.status_code == 200
    tables = " ".join(q["sql"] for q in seen.captured_queries)
    for table in ("units_agency", "units_onestopunit", "catalog_procedureversion", "catalog_versionagency"):
        assert f'FROM "{table}"' not in tables
    Agency.objects.filter(pk=world.agency.pk).update(name="Sở Được Đổi Tên")
    OneStopUnit.objects.filter(pk=world.centre.pk).update(name="Bộ phận Được Đổi Tên")
    ProcedureVersion.objects.filter(pk=world.version.pk).update(name="Phiên bản Được Đổi Tên")
    html = _open(client, world).content.decode()
    assert f'<option value="{world.agency.pk}">Sở Được Đổi Tên (' in html
    assert f'<option value="{world.centre.pk}" selected>Bộ phận Được Đổi Tên</option>' in html
    assert "<strong>Phiên bản Được Đổi Tên</strong>" in html
    # The posted choices are checked against the same rows: a unit the officer may not use is refused.
    other = OneStopUnit.objects.exclude(pk=world.centre.pk).first()
    refused = _post(client, world, _token(page), "preview", unit=str(other.pk) if other else "999999")
    assert refused.status_code == 400
    assert "Lựa chọn đó không phải là một trong các lựa chọn khả thi" in refused.content.decode()
