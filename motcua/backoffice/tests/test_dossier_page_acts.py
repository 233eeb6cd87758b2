"""The dossier page's inter-agency forwarding and task completion (T18, scenario 19), returning results
(T22), urging and scanned files, through HTTP."""

from __future__ import annotations

import pytest
import time_machine

from motcua.accounts.models import Role
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.factories import staff, vn
from motcua.notifications.models import Message

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def act(client, dossier: Dossier, name: str, **fields):
    data = {"act": name, f"{name}-version": dossier.version}
    data.update({f"{name}-{key}": value for key, value in fields.items()})
    return client.post(f"/can-bo/ho-so/{dossier.pk}/thao-tac/", data)


def test_scenario_19_inter_agency_task_late_while_the_dossier_runs(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        assert 'id="act-forward"' in page and "Chuyển liên thông" in page
        response = act(
            client,
            dossier,
            "forward",
            agency_1=world.other_agency.pk,
            task_1="Xác định nghĩa vụ thuế",
            budget_1=3,
            unit_1="working_day",
        )
    assert response.status_code == 303, response.content.decode()[:500]
    task = dossier.tasks.get(agency=world.other_agency)
    assert (task.budget_amount, task.budget_unit, task.is_lead) == (3, "working_day", False)
    assert task.due_at == vn(2026, 3, 6, 17)  # 3 working days after Tue: end of Fri
    dossier.refresh_from_db()
    assert dossier.state == "in_processing"

    client.force_login(world.coordinator)  # finance department, where the task is
    with time_machine.travel(vn(2026, 3, 10, 9), tick=False):  # 5 working days for a 3-day budget
        page = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        assert 'id="act-complete_task"' in page
        response = act(client, dossier, "complete_task", task=task.pk, outcome="done", opinion="Đã xác định")
    assert response.status_code == 303
    task.refresh_from_db()
    assert (task.completed_at, task.timeliness, task.opinion) == (vn(2026, 3, 10, 9), "late", "Đã xác định")


def test_inter_agency_form_needs_a_budget_and_changes_nothing_without(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="in_processing")
    client.force_login(world.leader)
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        response = act(client, dossier, "forward", agency_1=world.other_agency.pk)
    assert response.status_code == 400
    assert "Ghi thời hạn của cơ quan này." in response.content.decode()
    assert dossier.tasks.count() == 1


@pytest.fixture
def ready(factory) -> Dossier:
    return factory.create(
        at=vn(2026, 3, 2, 8),
        trait="result_ready",
        result_delivery="postal",
        result_delivery_address="Thôn 1, xã Thạch Hà",
    )


def test_return_by_post_needs_the_tracking_number_then_lists_it(client, world, ready):
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        page = client.get("/can-bo/ban-giao-buu-chinh/").content.decode()
        assert ready.code in page.split('id="postal-waiting"')[1].split("</table>")[0]
        refused = act(client, ready, "return_result", delivery_method="postal", recipient_kind="applicant")
        assert refused.status_code == 400
        assert 'id="err_return_result-tracking_number"' in refused.content.decode()
        ready.refresh_from_db()
        assert ready.state == "result_ready"
        done = act(
            client,
            ready,
            "return_result",
            delivery_method="postal",
            recipient_kind="applicant",
            tracking_number="EL123456789VN",
        )
        assert done.status_code == 303
        listing = client.get(
            "/can-bo/ban-giao-buu-chinh/", {"date": "2026-03-04", "in": "1"}
        ).content.decode()
    ready.refresh_from_db()
    event = ready.events.get(name="result_returned")
    assert (ready.state, event.data["delivery_method"], event.data["tracking_number"]) == (
        "returned",
        "postal",
        "EL123456789VN",
    )
    assert '<td class="tracking">EL123456789VN</td>' in listing and "Nhân viên bưu chính" in listing


def test_return_at_the_counter_to_a_representative_needs_the_authorisation(client, world, ready):
    client.force_login(world.reception)
    fields = {
        "delivery_method": "counter",
        "recipient_kind": "representative",
        "recipient_name": "Trần Thị Bích",
        "recipient_identifier": "042190005678",
    }
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        refused = act(client, ready, "return_result", **fields)
        assert refused.status_code == 400
        assert 'id="err_return_result-authorisation_number"' in refused.content.decode()
        assert act(client, ready, "return_result", **fields, authorisation_number="15/UQ").status_code == 303
    data = ready.events.get(name="result_returned").data
    assert {k: data[k] for k in ("recipient_kind", "recipient_name", "recipient_identifier")} == {
        "recipient_kind": "representative",
        "recipient_name": "Trần Thị Bích",
        "recipient_identifier": "042190005678",
    }
    assert data["authorisation_number"] == "15/UQ"


def test_return_online(client, world, ready):
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 4, 9), tick=False):
        assert act(client, ready, "return_result", delivery_method="online").status_code == 303
    assert ready.events.get(name="result_returned").data["delivery_method"] == "online"


def test_urge_from_the_overview_records_one_event_and_one_message(
    client, world, factory, django_capture_on_commit_callbacks
):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    world.leader.email = "lanhdao@stp.example.vn"
    world.leader.save()
    client.force_login(world.head)
    with time_machine.travel(vn(2026, 3, 16, 16), tick=False):  # due 17:00 today
        page = client.get("/can-bo/tong-quan/").content.decode()
        assert 'class="urge-row"' in page
        events, version = dossier.events.count(), dossier.version
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/can-bo/ho-so/{dossier.pk}/thao-tac/",
                {"act": "urge", "next": "overview", "urge-version": version, "urge-message": "Sắp hết hạn"},
            )
    assert (response.status_code, response["Location"]) == (303, "/can-bo/tong-quan/")
    dossier.refresh_from_db()
    assert (dossier.events.count(), dossier.version) == (events + 1, version)
    event = dossier.events.order_by("-seq").first()
    assert (event.name, event.act, event.actor_id, event.reason) == (
        "urged",
        "urge",
        world.head.pk,
        "Sắp hết hạn",
    )
    (message,) = Message.objects.all()
    assert (message.template_key, message.recipient) == ("dossier.urged", "lanhdao@stp.example.vn")
    assert "Sắp hết hạn." in message.body and dossier.code in message.subject


def test_urge_is_refused_to_a_reception_officer(client, world, factory):
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 3, 9), tick=False):
        assert 'id="act-urge"' not in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
        assert act(client, dossier, "urge", message="Nhanh lên").status_code == 403
    assert not dossier.events.filter(name="urged").exists()
    assert Message.objects.count() == 0


def test_urge_from_a_stale_page_is_refused_and_changes_nothing(client, world, factory):
    """The registry checks the version for the acts whose service takes none (decision 0037)."""
    dossier = factory.create(at=vn(2026, 3, 2, 8), trait="assigned")
    client.force_login(world.head)
    with time_machine.travel(vn(2026, 3, 16, 16), tick=False):
        events, version = dossier.events.count(), dossier.version
        response = client.post(
            f"/can-bo/ho-so/{dossier.pk}/thao-tac/",
            {"act": "urge", "urge-version": version - 1, "urge-message": "Sắp hết hạn"},
        )
    assert response.status_code == 409
    assert "Hồ sơ đã được cán bộ khác cập nhật" in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.events.count(), dossier.version) == (events, version)
    assert Message.objects.count() == 0


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def upload(client, dossier: Dossier, content: bytes, name: str, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    component = dossier.components.order_by("position", "pk").first()
    data = {"upload-component": component.pk, "upload-file": SimpleUploadedFile(name, content), **extra}
    return client.post(f"/can-bo/ho-so/{dossier.pk}/tep/", data)


def test_scan_uploaded_at_the_counter_is_listed_and_served_through_the_gate(
    client, world, factory, media, make_user
):
    dossier = factory.create(at=vn(2026, 3, 2, 8))
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 2, 8, 10), tick=False):
        done_page = client.get(f"/can-bo/quay/ket-qua/{dossier.pk}/").content.decode()
        assert 'id="upload-form"' in done_page and 'name="from" value="counter"' in done_page
        response = upload(client, dossier, PNG, "giay-to.png", **{"from": "counter"})
        assert (response.status_code, response["Location"]) == (303, f"/can-bo/quay/ket-qua/{dossier.pk}/")
    stored = DossierFile.objects.get()
    assert (stored.original_name, stored.content_type, stored.size) == ("giay-to.png", "image/png", len(PNG))
    url = f"/can-bo/ho-so/{dossier.pk}/tep/{stored.pk}/"
    assert f'href="{url}"' in client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    served = client.get(url)
    assert (served.status_code, served["Content-Type"], b"".join(served.streaming_content)) == (
        200,
        "image/png",
        PNG,
    )
    client.force_login(staff(make_user, Role.HANDLER, "thuly-tc", agency_id=world.other_agency.pk))
    assert client.get(url).status_code == 404


def test_a_refused_upload_changes_nothing(client, world, factory, media):
    dossier = factory.create(at=vn(2026, 3, 2, 8))
    version = dossier.version
    client.force_login(world.reception)
    with time_machine.travel(vn(2026, 3, 2, 8, 10), tick=False):
        response = upload(client, dossier, b"MZ\x90\x00 not a scan", "scan.pdf")
    assert response.status_code == 400
    assert 'id="err_upload-file"' in response.content.decode()
    assert "Chỉ nhận tệp PDF, JPEG hoặc PNG." in response.content.decode()
    dossier.refresh_from_db()
    assert (DossierFile.objects.count(), dossier.version, dossier.has_digitized_components) == (
        0,
        version,
        False,
    )
